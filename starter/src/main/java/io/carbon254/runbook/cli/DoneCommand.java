package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.ManualTaskReport;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.worker.TemporalConnection;
import io.carbon254.runbook.trust.SignedMessages;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "done", mixinStandardHelpOptions = true,
    description = "Report a manual task done; the run then verifies it (see 'runbook status' for the outcome).")
final class DoneCommand implements Callable<Integer> {

  @Parameters(paramLabel = "RUN", description = "A runbook id or a workflow id.")
  String run;

  @Mixin
  TemporalOptions temporal;

  @Option(names = "--task", paramLabel = "TASK", required = true, description = "The manual task.")
  String task;

  @Option(names = "--value", paramLabel = "VALUE", description = "A value the task produced, e.g. a hostname (repeatable).")
  List<String> values = List.of();

  @Option(names = "--notes", paramLabel = "TEXT", description = "Notes kept with the report.")
  String notes;

  @Option(names = "--child", paramLabel = "RUNBOOK",
      description = "The child runbook whose task you mean (default: wherever in the run's tree that task waits).")
  String child;

  @Option(names = "--as", paramLabel = "NAME", description = "Who did it (default: RUNBOOK_USER or your login).")
  String as;

  @Option(names = "--key", paramLabel = "FILE", description = "Your SSH key (as for approve).")
  Path key;

  @Override
  public Integer call() {
    try (TemporalConnection connection = temporal.connect()) {
      RunbookStatus status = Runs.answering(connection.client(), temporal.workflowId(run), child,
          s -> s.openTask() != null && s.openTask().task().equals(task));
      String id = status.workflowId();
      if (status.openTask() == null || !status.openTask().task().equals(task)) {
        throw new CliException(ExitCodes.NOT_FOUND, "manual task '" + task + "' is not waiting in " + id
            + (status.openTask() == null ? "" : "; the open task is " + status.openTask().task()));
      }
      String actor = TemporalOptions.actor(as);
      ManualTaskReport report = new ManualTaskReport(task, actor, notes, values);
      if ("SIGNED".equals(status.identity())) {
        String expires = Signer.expiresIn(Signer.DECISION_VALIDITY);
        report = report.signed(Signer.require(actor, key).sign(status.platform(), SignedMessages.taskDone(
            status.namespace(), id, status.chainRunId(), task, values, expires), expires));
      }
      connection.client().newUntypedWorkflowStub(id).signal("manualTaskDone", report);
      System.out.println("reported " + task + " done; " + id + " verifies it now (runbook status " + id + ")");
      return ExitCodes.OK;
    }
  }
}
