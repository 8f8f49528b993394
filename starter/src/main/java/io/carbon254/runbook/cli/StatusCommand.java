package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.RunbookState;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.worker.ConfiguredPlatforms;
import io.carbon254.runbook.worker.TemporalConnection;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionDescription;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show a run: its steps, what waits for a person and the command that answers it, its outputs.")
final class StatusCommand implements Callable<Integer> {

  @Parameters(paramLabel = "RUN", description = "A runbook id (platform-check) or a workflow id (254carbon/platform-check).")
  String run;

  @Mixin
  TemporalOptions temporal;

  @Option(names = "--watch", description = "Redraw every second until the run ends.")
  boolean watch;

  @Option(names = "--output", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
  Output output;

  @Override
  public Integer call() {
    String id = temporal.workflowId(run);
    try (TemporalConnection connection = temporal.connect()) {
      if (!watch) {
        try {
          print(render(Runs.status(connection.client(), id), describe(connection, id)), false);
          return ExitCodes.OK;
        } catch (NoWorkerException e) {
          print(render(e.view, false), false);
          throw e; // the one line that says what to do, on stderr
        }
      }
      String last = null;
      while (true) {
        String shown;
        boolean running;
        RunbookState state = null;
        NoWorkerException noWorker = null;
        try {
          RunbookStatus status = Runs.status(connection.client(), id);
          WorkflowExecutionDescription description = describe(connection, id);
          shown = render(status, description);
          running = description.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
          state = status.state();
        } catch (NoWorkerException e) {
          // Keep showing what the server knows until a worker polls again, then the run as before.
          noWorker = e;
          shown = render(e.view, true);
          running = e.view.running();
        }
        if (!shown.equals(last)) {
          print(shown, true);
          last = shown;
        }
        if (!running) {
          if (noWorker != null) {
            throw noWorker;
          }
          return state == RunbookState.COMPLETED ? ExitCodes.OK : ExitCodes.FAILED;
        }
        LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
      }
    }
  }

  private static WorkflowExecutionDescription describe(TemporalConnection connection, String id) {
    return connection.client().newUntypedWorkflowStub(id).describe();
  }

  private String render(RunbookStatus status, WorkflowExecutionDescription description) {
    return output == Output.json ? Json.of(status)
        : StatusTable.render(status, Instant.now()) + StatusTable.progress(description.getRawDescription(), Instant.now())
            + configurationNote(status);
  }

  /** The run works on the worker's configuration; say so when this CLI's copy of it differs. */
  private String configurationNote(RunbookStatus status) {
    if (status.platformHash() == null) {
      return "";
    }
    String mine = ConfiguredPlatforms.hash(temporal.loadConfig());
    return mine.equals(status.platformHash()) ? ""
        : "\nNote: this run works on the worker's configuration of " + status.platform() + " (" + status.platformHash()
            + "); this CLI's copy (" + mine + ") differs, and does not apply.\n";
  }

  /** What the server knows when no worker can answer; in JSON the no-worker line is its {@code noWorker} field. */
  private String render(ServerView view, boolean withProblem) {
    return output == Output.json ? Json.of(view) : view.render(Instant.now(), withProblem);
  }

  private void print(String shown, boolean redraw) {
    if (redraw && output == Output.table && System.console() != null) {
      System.out.print("\033[H\033[2J");
    }
    System.out.println(shown);
  }
}
