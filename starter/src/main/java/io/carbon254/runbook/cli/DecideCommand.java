package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.OperatorAction;
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

  @Override
  public Integer call() {
    OperatorAction.Action what;
    try {
      what = OperatorAction.Action.valueOf(action.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, "ACTION must be retry, skip or abort, not '" + action + "'");
    }
    try (TemporalConnection connection = temporal.connect()) {
      String id = Runs.answering(connection.client(), temporal.workflowId(run), child,
          s -> s.operatorWaits().stream().anyMatch(w -> w.step().equals(step))).workflowId();
      StepView view = Runs.update(connection.client(), id, "operate", StepView.class,
          new OperatorAction(step, what, TemporalOptions.actor(as), reason));
      System.out.println(what + " accepted for step " + view.id() + " of " + id);
      return ExitCodes.OK;
    }
  }
}
