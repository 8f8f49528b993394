package io.carbon254.runbook.cli;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.TaskQueueKind;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.enums.v1.WorkerStatus;
import io.temporal.api.taskqueue.v1.PollerInfo;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.worker.v1.WorkerHeartbeat;
import io.temporal.api.worker.v1.WorkerInfo;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.api.workflowservice.v1.ListWorkersRequest;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a worker polls a task queue, as the server knows it, so that the CLI does not send a
 * query that nothing will answer: the pollers of {@code DescribeTaskQueue}, and the heartbeats the
 * workers send where the server keeps them ({@code ListWorkers}: a worker that shut down says so).
 */
final class TaskQueueWorkers {

  /**
   * How long a live worker can go without touching its task queue: a poll waits up to about a
   * minute for a task, and the server notes the poller when a poll starts and when it ends.
   */
  static final Duration POLL_SILENCE = Duration.ofMinutes(2);

  private TaskQueueWorkers() {}

  /**
   * Why no worker polls the workflow task queue {@code taskQueue} (one line, without what to do),
   * or empty when a worker does or the server cannot tell (the embedded test server describes no
   * task queue): then the query decides.
   */
  static Optional<String> whyNone(WorkflowClient client, String taskQueue, Instant now) {
    List<PollerInfo> pollers;
    try {
      pollers = client.getWorkflowServiceStubs().blockingStub().describeTaskQueue(DescribeTaskQueueRequest.newBuilder()
          .setNamespace(client.getOptions().getNamespace())
          .setTaskQueue(TaskQueue.newBuilder().setName(taskQueue).setKind(TaskQueueKind.TASK_QUEUE_KIND_NORMAL))
          .setTaskQueueType(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)
          .build()).getPollersList();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
        throw new CliException(ExitCodes.UNAVAILABLE, "cannot reach Temporal: " + Runs.rootMessage(e));
      }
      return Optional.empty();
    }
    Map<String, WorkerStatus> lastSaid = lastStatusByIdentity(client, taskQueue);
    boolean polled = pollers.stream().anyMatch(p -> Duration.between(instant(p.getLastAccessTime()), now).compareTo(POLL_SILENCE) < 0
        && !stopped(lastSaid.get(p.getIdentity())));
    if (polled) {
      return Optional.empty();
    }
    Optional<PollerInfo> last = pollers.stream().max(Comparator.comparing(p -> instant(p.getLastAccessTime())));
    return Optional.of("no worker polls task queue '" + taskQueue + "'" + last.map(p -> " (the last poll was "
        + StatusTable.human(Duration.between(instant(p.getLastAccessTime()), now)) + " ago, by " + p.getIdentity()
        + (stopped(lastSaid.get(p.getIdentity())) ? ", which has shut down)" : ")")).orElse(""));
  }

  /**
   * What the workers of the task queue said last about themselves, by identity: stopped when every
   * worker of that identity said it shuts down. Empty where the server keeps no worker heartbeats.
   */
  private static Map<String, WorkerStatus> lastStatusByIdentity(WorkflowClient client, String taskQueue) {
    List<WorkerInfo> workers;
    try {
      workers = client.getWorkflowServiceStubs().blockingStub().listWorkers(ListWorkersRequest.newBuilder()
          .setNamespace(client.getOptions().getNamespace())
          .setQuery("TaskQueue = '" + taskQueue.replace("'", "") + "'")
          .setPageSize(1000)
          .build()).getWorkersInfoList();
    } catch (StatusRuntimeException e) {
      return Map.of(); // older servers, or worker heartbeats turned off: the pollers alone decide
    }
    Map<String, WorkerHeartbeat> latestByInstance = new HashMap<>();
    for (WorkerInfo worker : workers) {
      WorkerHeartbeat beat = worker.getWorkerHeartbeat();
      latestByInstance.merge(beat.getWorkerInstanceKey(), beat,
          (a, b) -> instant(a.getHeartbeatTime()).isAfter(instant(b.getHeartbeatTime())) ? a : b);
    }
    Map<String, WorkerStatus> said = new HashMap<>();
    for (WorkerHeartbeat beat : latestByInstance.values()) {
      said.merge(beat.getWorkerIdentity(), beat.getStatus(), (a, b) -> stopped(a) ? b : a);
    }
    return said;
  }

  private static boolean stopped(WorkerStatus status) {
    return status == WorkerStatus.WORKER_STATUS_SHUTTING_DOWN || status == WorkerStatus.WORKER_STATUS_SHUTDOWN;
  }

  static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
