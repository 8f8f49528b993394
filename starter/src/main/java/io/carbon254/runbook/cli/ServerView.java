package io.carbon254.runbook.cli;

import static io.carbon254.runbook.engine.RunbookSearchAttributes.AWAITING_APPROVAL;
import static io.carbon254.runbook.engine.RunbookSearchAttributes.RUNBOOK_STATE;
import static io.carbon254.runbook.engine.RunbookSearchAttributes.RUNBOOK_STEP;

import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryReverseRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.common.SearchAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What the server knows of a run without asking a worker: its execution status, the state, step
 * and awaiting-approval flag the run last wrote into its search attributes, and the last event of
 * its history. {@code noWorker} is the line that says why no worker answers and what to do.
 */
record ServerView(String workflowId, String runId, String noWorker, String taskQueue, String execution, String state,
    String step, boolean awaitingApproval, String lastEvent, String lastEventTime) {

  static ServerView of(WorkflowClient client, WorkflowExecutionDescription description, String noWorker) {
    SearchAttributes attributes = description.getTypedSearchAttributes();
    WorkflowExecution execution = description.getExecution();
    HistoryEvent last = lastEvent(client, execution);
    return new ServerView(execution.getWorkflowId(), execution.getRunId(), noWorker,
        description.getRawDescription().getExecutionConfig().getTaskQueue().getName(),
        description.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", ""),
        attributes.get(RUNBOOK_STATE), attributes.get(RUNBOOK_STEP), Boolean.TRUE.equals(attributes.get(AWAITING_APPROVAL)),
        last == null ? null : eventName(last),
        last == null ? null : TaskQueueWorkers.instant(last.getEventTime()).toString());
  }

  /** The newest event of the run's history: one event read backwards, or (where the server cannot) the last of all. */
  private static HistoryEvent lastEvent(WorkflowClient client, WorkflowExecution execution) {
    try {
      List<HistoryEvent> newest = client.getWorkflowServiceStubs().blockingStub()
          .getWorkflowExecutionHistoryReverse(GetWorkflowExecutionHistoryReverseRequest.newBuilder()
              .setNamespace(client.getOptions().getNamespace()).setExecution(execution).setMaximumPageSize(1).build())
          .getHistory().getEventsList();
      if (!newest.isEmpty()) {
        return newest.get(0);
      }
    } catch (StatusRuntimeException e) {
      // the embedded test server reads histories forwards only
    }
    List<HistoryEvent> all = client.fetchHistory(execution.getWorkflowId(), execution.getRunId()).getEvents();
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  /** Whether the run is still open (a closed run needs a worker too, to answer a query). */
  boolean running() {
    return "RUNNING".equals(execution);
  }

  /** {@code EVENT_TYPE_WORKFLOW_TASK_SCHEDULED} → {@code WorkflowTaskScheduled}, as the Web UI and the Temporal CLI name it. */
  static String eventName(HistoryEvent event) {
    StringBuilder name = new StringBuilder();
    for (String word : event.getEventType().name().replace("EVENT_TYPE_", "").split("_")) {
      name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
    }
    return name.toString();
  }

  /** As a table for a terminal, ending with the no-worker line when {@code withProblem} (a redrawn screen keeps it in view). */
  String render(Instant now, boolean withProblem) {
    StringBuilder out = new StringBuilder();
    out.append(workflowId).append("  ").append(state == null ? "state unknown" : state)
        .append("  (what the server knows: no worker to ask)\n")
        .append("  run         ").append(execution).append(", task queue ").append(taskQueue).append('\n')
        .append("  step        ").append(step == null || step.isEmpty() ? "-" : step).append('\n')
        .append("  approval    ").append(awaitingApproval ? "waiting at a gate" : "not waiting").append('\n');
    if (lastEvent != null) {
      out.append("  last event  ").append(lastEvent).append(" at ").append(lastEventTime).append(" (")
          .append(StatusTable.human(Duration.between(Instant.parse(lastEventTime), now))).append(" ago)\n");
    }
    if (withProblem) {
      out.append('\n').append(noWorker).append('\n');
    }
    return out.toString();
  }
}
