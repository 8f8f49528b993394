package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.ChildView;
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
import java.util.Optional;
import java.util.function.Predicate;

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
      String why = rootMessage(e);
      throw new CliException(ExitCodes.UNAVAILABLE, "cannot read the status of " + workflowId + ": " + why
          + (why.contains("Workflow Task in failed state")
              ? " (a worker failed the run's last task: its log says why, e.g. a keyring without the run's key)"
              : " (is a worker running? start one with 'runbook worker' or 'runbook dev')"));
    }
  }

  /**
   * The run that an answer is for, in the tree of {@code workflowId}: the run itself when {@code
   * waits} holds for it, else the child run (or a child's child) where what a person must answer
   * waits — the parent shows where. {@code child} names a child runbook to look in (e.g. {@code
   * sso-access}), at any depth.
   */
  static RunbookStatus answering(WorkflowClient client, String workflowId, String child, Predicate<RunbookStatus> waits) {
    RunbookStatus status = status(client, workflowId);
    if (child != null) {
      return findChild(client, status, child)
          .map(found -> answering(client, found.workflowId(), null, waits))
          .orElseThrow(() -> new CliException(ExitCodes.NOT_FOUND, "no child runbook '" + child + "' in " + workflowId
              + (status.children().isEmpty() ? " (it runs none)"
                  : " (its children: " + String.join(", ", status.children().stream().map(ChildView::runbook).toList()) + ")")));
    }
    if (waits.test(status)) {
      return status;
    }
    for (ChildView running : status.children()) {
      if (running.outcome() == null && running.waitingIn() != null) {
        RunbookStatus where = status(client, running.waitingIn());
        if (waits.test(where)) {
          return where;
        }
      }
    }
    return status;
  }

  private static Optional<ChildView> findChild(WorkflowClient client, RunbookStatus status, String runbook) {
    for (ChildView child : status.children()) {
      if (child.runbook().equals(runbook)) {
        return Optional.of(child);
      }
    }
    for (ChildView child : status.children()) {
      Optional<ChildView> deeper = findChild(client, status(client, child.workflowId()), runbook);
      if (deeper.isPresent()) {
        return deeper;
      }
    }
    return Optional.empty();
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
