package io.carbon254.runbook.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.runbook.engine.Decision;
import io.carbon254.runbook.engine.GateView;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.Verdict;
import io.carbon254.runbook.worker.TemporalConnection;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code runbook sign}: a signed decision on the open gate, printed as the input of the Web UI's
 * "Send a Signal" ({@code approve} or {@code reject}) instead of being sent: for those who answer
 * runs in the Web UI on a platform that takes signed decisions.
 */
@Command(name = "sign", mixinStandardHelpOptions = true,
    description = {"Sign a decision on the open gate and print the signal input for the Web UI's Send a Signal",
        "(signal 'approve', or 'reject' with --reject REASON). Review the gate first: 'runbook status RUN'."})
final class SignCommand implements Callable<Integer> {

  @Parameters(paramLabel = "RUN", description = "A runbook id or a workflow id.")
  String run;

  @Mixin
  TemporalOptions temporal;

  @Option(names = "--child", paramLabel = "RUNBOOK", description = "The child runbook whose gate you mean.")
  String child;

  @Option(names = "--as", paramLabel = "NAME", description = "Who decides (default: RUNBOOK_USER or your login).")
  String as;

  @Option(names = "--reject", paramLabel = "REASON", description = "Reject, with this reason (default: approve).")
  String reject;

  @Option(names = "--expect-hash", paramLabel = "HASH", required = true,
      description = "The shown-hash of the gate you reviewed ('runbook status'): nothing else is signed.")
  String expectHash;

  @Option(names = "--key", paramLabel = "FILE", description = "Your SSH key (as for approve).")
  Path key;

  @Override
  public Integer call() {
    String actor = TemporalOptions.actor(as);
    try (TemporalConnection connection = temporal.connect()) {
      RunbookStatus status = Runs.answering(connection.client(), temporal.workflowId(run), child, s -> s.openGate() != null);
      GateView gate = status.openGate();
      if (gate == null) {
        throw new CliException(ExitCodes.NOT_FOUND, "no gate is open in " + status.workflowId());
      }
      if (!gate.shownHash().equals(expectHash)) {
        throw new CliException(ExitCodes.REFUSED, "refused: gate " + gate.gate() + " #" + gate.instance()
            + " shows " + gate.shownHash() + ", not what you reviewed (" + expectHash + "): review it again");
      }
      Verdict verdict = reject == null ? Verdict.APPROVE : Verdict.REJECT;
      // The signal's input: the decision without its verdict (the signal's name says it), plain JSON.
      Decision decision = Signer.signed(status, new Decision(gate.gate(), gate.instance(), null, actor, reject,
          verdict == Verdict.APPROVE ? gate.planHash() : null), verdict, (platform, message, expires) ->
          Signer.require(actor, key).sign(platform, message, expires));
      String input;
      try {
        input = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL).writeValueAsString(decision);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("a decision is plain data", e);
      }
      System.err.println("Send a Signal to " + status.workflowId() + ": signal name '" + (verdict == Verdict.APPROVE
          ? "approve" : "reject") + "', this input (valid for " + Signer.DECISION_VALIDITY.toMinutes() + " minutes):");
      System.out.println(input);
      return ExitCodes.OK;
    }
  }
}
