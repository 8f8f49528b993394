package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.Decision;
import io.carbon254.runbook.engine.GateView;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.Verdict;
import io.carbon254.runbook.worker.TemporalConnection;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code approve} and {@code reject}: a decision on the open gate, through the validated update. */
final class GateCommands {

  private GateCommands() {}

  static int decide(TemporalOptions temporal, String run, String child, String gateId, Verdict verdict, String as,
      String comment) {
    String actor = TemporalOptions.actor(as);
    try (TemporalConnection connection = temporal.connect()) {
      RunbookStatus status = Runs.answering(connection.client(), temporal.workflowId(run), child, s -> s.openGate() != null);
      String id = status.workflowId();
      GateView gate = status.openGate();
      if (gate == null) {
        throw new CliException(ExitCodes.NOT_FOUND, "no gate is open in " + id + " (it is " + status.state() + ")");
      }
      if (gateId != null && !gateId.equals(gate.gate())) {
        throw new CliException(ExitCodes.REFUSED, "refused: gate '" + gateId + "' is not open; the open gate is "
            + gate.gate() + " #" + gate.instance());
      }
      Decision decision = new Decision(gate.gate(), gate.instance(), verdict, actor, comment, gate.planHash());
      GateView after = Runs.update(connection.client(), id, "decide", GateView.class, decision);
      System.out.println((verdict == Verdict.APPROVE ? "approved " : "rejected ") + after.gate() + " #" + after.instance()
          + (id.equals(temporal.workflowId(run)) ? "" : " of " + id) + " as " + actor + ": " + after.approvals() + " of "
          + after.requiredApprovals() + " approvals, gate " + after.state());
      return ExitCodes.OK;
    }
  }

  @Command(name = "approve", mixinStandardHelpOptions = true,
      description = "Approve the open gate of a run (for the plan gate: the plan shown by 'runbook status').")
  static final class Approve implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", description = "A runbook id or a workflow id.")
    String run;

    @Mixin
    TemporalOptions temporal;

    @Option(names = "--gate", paramLabel = "GATE", description = "The gate you mean (refused if another is open).")
    String gate;

    @Option(names = "--child", paramLabel = "RUNBOOK",
        description = "The child runbook whose gate you mean (default: wherever in the run's tree a gate is open).")
    String child;

    @Option(names = "--as", paramLabel = "NAME", description = "Who approves (default: RUNBOOK_USER or your login).")
    String as;

    @Option(names = "--comment", paramLabel = "TEXT", description = "A comment kept with the decision.")
    String comment;

    @Override
    public Integer call() {
      return decide(temporal, run, child, gate, Verdict.APPROVE, as, comment);
    }
  }

  @Command(name = "reject", mixinStandardHelpOptions = true, description = "Reject the open gate of a run, with a reason.")
  static final class Reject implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", description = "A runbook id or a workflow id.")
    String run;

    @Mixin
    TemporalOptions temporal;

    @Option(names = "--gate", paramLabel = "GATE", description = "The gate you mean (refused if another is open).")
    String gate;

    @Option(names = "--child", paramLabel = "RUNBOOK",
        description = "The child runbook whose gate you mean (default: wherever in the run's tree a gate is open).")
    String child;

    @Option(names = "--as", paramLabel = "NAME", description = "Who rejects (default: RUNBOOK_USER or your login).")
    String as;

    @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why (kept with the decision).")
    String reason;

    @Override
    public Integer call() {
      return decide(temporal, run, child, gate, Verdict.REJECT, as, reason);
    }
  }
}
