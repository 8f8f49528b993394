package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.ChildView;
import io.carbon254.runbook.engine.RunbookStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowQueryException;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** Reaching one run: its status, its updates, with errors an operator understands. */
final class Runs {

  private Runs() {}

  /** How long a query waits for a worker: a worker that died mid-task holds the run until that task times out. */
  static final Duration QUERY_PATIENCE = Duration.ofSeconds(45);

  /**
   * How the server says that no worker took the query yet: it waited until the deadline, or too many
   * queries wait on the task queue already. (FAILED_PRECONDITION is its word that no worker polls.)
   */
  private static final Set<Status.Code> UNANSWERED = EnumSet.of(Status.Code.DEADLINE_EXCEEDED, Status.Code.RESOURCE_EXHAUSTED);

  /**
   * The run's status, answered by a worker. When no worker polls the run's task queue, it sends no
   * query (that would wait for nothing) and throws {@link NoWorkerException} with what the server knows.
   */
  static RunbookStatus status(WorkflowClient client, String workflowId) {
    requireWorker(client, workflowId);
    long deadline = System.nanoTime() + QUERY_PATIENCE.toNanos();
    while (true) {
      Optional<RunbookStatus> answered = queryStatus(client, workflowId);
      if (answered.isPresent()) {
        return answered.get();
      }
      requireWorker(client, workflowId);
      if (System.nanoTime() > deadline) {
        throw new NoWorkerException(ServerView.of(client, describe(client, workflowId), "no worker answered " + workflowId
            + " within " + QUERY_PATIENCE.toSeconds() + " s, though one polled its task queue in the last "
            + TaskQueueWorkers.POLL_SILENCE.toMinutes() + " minutes (busy, stuck or restarting? the worker's log says why)"));
      }
      System.err.println("runbook: no worker answered " + workflowId + " yet (a worker restarting?); still trying...");
      LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
    }
  }

  /** Throws {@link NoWorkerException} when no worker polls the task queue of {@code workflowId}. */
  static void requireWorker(WorkflowClient client, String workflowId) {
    WorkflowExecutionDescription description = describe(client, workflowId);
    String taskQueue = description.getRawDescription().getExecutionConfig().getTaskQueue().getName();
    Optional<String> none = TaskQueueWorkers.whyNone(client, taskQueue, Instant.now());
    if (none.isPresent()) {
      throw noWorker(client, workflowId, description, none.get());
    }
  }

  private static NoWorkerException noWorker(WorkflowClient client, String workflowId, WorkflowExecutionDescription description,
      String why) {
    return new NoWorkerException(ServerView.of(client, description, why + ": " + workflowId
        + " answers nothing until one does; start a worker ('./runbook worker', or 'runbook dev' on a laptop)"));
  }

  private static WorkflowExecutionDescription describe(WorkflowClient client, String workflowId) {
    try {
      return client.newUntypedWorkflowStub(workflowId).describe();
    } catch (WorkflowNotFoundException e) {
      throw notFound(workflowId);
    } catch (WorkflowServiceException e) {
      if (grpcCode(e) == Status.Code.UNKNOWN) {
        throw e; // not the server's answer (e.g. a payload this process cannot decode): the CLI says what it is
      }
      throw new CliException(ExitCodes.UNAVAILABLE, "cannot describe " + workflowId + ": " + rootMessage(e));
    }
  }

  /** The status, or empty when no worker answered in time (the server gave up waiting, or said none polls). */
  private static Optional<RunbookStatus> queryStatus(WorkflowClient client, String workflowId) {
    try {
      return Optional.of(client.newUntypedWorkflowStub(workflowId).query("status", RunbookStatus.class));
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
    } catch (WorkflowServiceException e) {
      if (UNANSWERED.contains(grpcCode(e))) {
        return Optional.empty();
      }
      if (grpcCode(e) == Status.Code.FAILED_PRECONDITION) {
        // The server saw no poll recently; unlike DescribeTaskQueue, it also counts the polls still waiting.
        WorkflowExecutionDescription description = describe(client, workflowId);
        throw noWorker(client, workflowId, description, "no worker polls task queue '"
            + description.getRawDescription().getExecutionConfig().getTaskQueue().getName() + "' (the server saw no poll recently)");
      }
      if (grpcCode(e) == Status.Code.UNKNOWN) {
        throw e; // not the server's answer (e.g. a result this process cannot decode): the CLI says what it is
      }
      throw new CliException(ExitCodes.UNAVAILABLE, "cannot read the status of " + workflowId + ": " + rootMessage(e));
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

  /** The gRPC status code in the causes of {@code e}; UNKNOWN when none is a gRPC error. */
  static Status.Code grpcCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StatusRuntimeException sre) {
        return sre.getStatus().getCode();
      }
    }
    return Status.Code.UNKNOWN;
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
