package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.RunbookStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowQueryException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;

/** Reaching one run: its status, its updates, with errors an operator understands. */
final class Runs {

  private Runs() {}

  /** How long a query waits for a worker: a worker that died mid-task holds the run until that task times out. */
  static final Duration QUERY_PATIENCE = Duration.ofSeconds(45);

  static RunbookStatus status(WorkflowClient client, String workflowId) {
    long deadline = System.nanoTime() + QUERY_PATIENCE.toNanos();
    while (true) {
      try {
        return queryStatus(client, workflowId);
      } catch (CliException e) {
        if (!e.getMessage().contains("DEADLINE_EXCEEDED") || System.nanoTime() > deadline) {
          throw e;
        }
        System.err.println("runbook: no worker answered " + workflowId + " yet (a worker restarting?); still trying...");
      }
    }
  }

  private static RunbookStatus queryStatus(WorkflowClient client, String workflowId) {
    try {
      return client.newUntypedWorkflowStub(workflowId).query("status", RunbookStatus.class);
    } catch (WorkflowNotFoundException e) {
      throw notFound(workflowId);
    } catch (WorkflowQueryException e) {
      if (e.getCause() instanceof StatusRuntimeException sre && sre.getStatus().getCode() == Status.Code.NOT_FOUND) {
        throw notFound(workflowId);
      }
      throw new CliException(ExitCodes.UNAVAILABLE, "cannot read the status of " + workflowId + ": " + rootMessage(e)
          + " (is a worker running? start one with 'runbook worker' or 'runbook dev')");
    }
  }

  /** Calls an update; a refusal by the run's validator becomes exit code 3 with the reason. */
  static <R> R update(WorkflowClient client, String workflowId, String name, Class<R> result, Object argument) {
    WorkflowStub stub = client.newUntypedWorkflowStub(workflowId);
    try {
      return stub.update(name, result, argument);
    } catch (WorkflowUpdateException e) {
      throw new CliException(ExitCodes.REFUSED, "refused: " + rootMessage(e));
    } catch (WorkflowNotFoundException e) {
      throw notFound(workflowId);
    }
  }

  static CliException notFound(String workflowId) {
    return new CliException(ExitCodes.NOT_FOUND, "no run " + workflowId + " (list runs with 'runbook list')");
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    if (t instanceof ApplicationFailure app) {
      return app.getOriginalMessage();
    }
    if (t instanceof StatusRuntimeException sre) {
      return sre.getStatus().getCode() + (sre.getStatus().getDescription() == null ? "" : ": " + sre.getStatus().getDescription());
    }
    return t.getMessage();
  }
}
