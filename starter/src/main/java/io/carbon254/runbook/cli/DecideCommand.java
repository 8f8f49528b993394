package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.OperatorAction;
import io.carbon254.runbook.engine.OperatorWaitView;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.trust.SignedMessages;
import java.nio.file.Path;
import io.carbon254.runbook.engine.StepView;
import io.carbon254.runbook.worker.TemporalConnection;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "decide", mixinStandardHelpOptions = true,
    description = "Answer a step that failed and waits for an operator: retry it, skip it, or abort the run (compensations run).")
final class DecideCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "RUN", description = "A runbook id or a workflow id.")
  String run;

  @Parameters(index = "1", paramLabel = "ACTION", description = "retry, skip or abort.")
  String action;

  @Mixin
  TemporalOptions temporal;

  @Option(names = "--step", paramLabel = "STEP", required = true, description = "The failed step.")
  String step;

  @Option(names = "--child", paramLabel = "RUNBOOK",
      description = "The child runbook whose step you mean (default: wherever in the run's tree that step waits).")
  String child;

  @Option(names = "--as", paramLabel = "NAME", description = "Who decides (default: RUNBOOK_USER or your login).")
  String as;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why (required for skip and abort).")
  String reason;

  @Option(names = "--key", paramLabel = "FILE", description = "Your SSH key (as for approve).")
  Path key;

  @Override
  public Integer call() {
    OperatorAction.Action what;
    try {
      what = OperatorAction.Action.valueOf(action.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, "ACTION must be retry, skip or abort, not '" + action + "'");
    }
    try (TemporalConnection connection = temporal.connect()) {
      RunbookStatus status = Runs.answering(connection.client(), temporal.workflowId(run), child,
          s -> s.operatorWaits().stream().anyMatch(w -> w.step().equals(step)));
      String id = status.workflowId();
      String actor = TemporalOptions.actor(as);
      OperatorAction answer = new OperatorAction(step, what, actor, reason);
      OperatorWaitView wait = status.operatorWaits().stream().filter(w -> w.step().equals(step)).findFirst().orElse(null);
      if (wait != null && "SIGNED".equals(status.identity())) {
        String expires = Signer.expiresIn(Signer.DECISION_VALIDITY);
        answer = answer.signed(Signer.require(actor, key).sign(status.platform(), SignedMessages.operatorAction(
            status.namespace(), id, status.chainRunId(), step, what.name(), wait.shownHash(), expires), expires));
      }
      StepView view = Runs.update(connection.client(), id, "operate", StepView.class, answer);
      System.out.println(what + " accepted for step " + view.id() + " of " + id);
      return ExitCodes.OK;
    }
  }
}
