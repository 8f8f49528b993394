package io.carbon254.runbook.cli;

import static io.carbon254.runbook.engine.RunbookSearchAttributes.AWAITING_APPROVAL;
import static io.carbon254.runbook.engine.RunbookSearchAttributes.PLATFORM;
import static io.carbon254.runbook.engine.RunbookSearchAttributes.READINESS_SCORE;
import static io.carbon254.runbook.engine.RunbookSearchAttributes.RUNBOOK_NAME;
import static io.carbon254.runbook.engine.RunbookSearchAttributes.RUNBOOK_STATE;
import static io.carbon254.runbook.engine.RunbookSearchAttributes.RUNBOOK_STEP;

import io.carbon254.runbook.engine.RunbookState;
import io.carbon254.runbook.worker.TemporalConnection;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.common.SearchAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "list", mixinStandardHelpOptions = true,
    description = {"List runbook runs, newest first, filtered on their search attributes.",
        "On a real Temporal server this is a visibility query; the embedded test server cannot answer those,"
            + " so there the runs are listed and filtered here."})
final class ListCommand implements Callable<Integer> {

  @Mixin
  TemporalOptions temporal;

  @Option(names = "--awaiting-approval", description = "Only runs waiting at a gate.")
  boolean awaitingApproval;

  @Option(names = "--state", paramLabel = "STATE", description = "Only runs in this RunbookState (${COMPLETION-CANDIDATES}).")
  RunbookState state;

  @Option(names = "--runbook", paramLabel = "RUNBOOK", description = "Only runs of this runbook.")
  String runbook;

  @Option(names = "--output", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
  Output output;

  record Row(String workflowId, String runbook, String platform, String state, String step, boolean awaitingApproval,
      String status, Long readinessScore, String started) {}

  @Override
  public Integer call() {
    try (TemporalConnection connection = temporal.connect()) {
      List<Row> rows = runs(connection).stream()
          .map(ListCommand::row)
          .filter(r -> r.runbook() != null)
          .filter(r -> !awaitingApproval || r.awaitingApproval())
          .filter(r -> state == null || state.name().equals(r.state()))
          .filter(r -> runbook == null || runbook.equals(r.runbook()))
          .sorted(Comparator.comparing(Row::started).reversed())
          .toList();
      if (output == Output.json) {
        System.out.println(Json.of(rows));
      } else if (rows.isEmpty()) {
        System.out.println("no runs match");
      } else {
        System.out.printf("%-36s %-18s %-18s %-20s %-9s %-10s %-6s %s%n", "WORKFLOW ID", "RUNBOOK", "STATE", "STEP",
            "APPROVAL", "STATUS", "SCORE", "STARTED");
        rows.forEach(r -> System.out.printf("%-36s %-18s %-18s %-20s %-9s %-10s %-6s %s%n", r.workflowId(), r.runbook(),
            r.state(), r.step(), r.awaitingApproval() ? "waiting" : "", r.status(),
            r.readinessScore() == null ? "" : r.readinessScore() + "%", r.started()));
      }
      return ExitCodes.OK;
    }
  }

  /** Said on stderr when the server answers no visibility query (only the embedded test server does that). */
  static final String NO_VISIBILITY_NOTE =
      "runbook list: this server answers no visibility query (the embedded test server): listing and filtering the runs here";

  /** The visibility query for the filters; the same filters are applied again to what comes back. */
  String query() {
    List<String> terms = new ArrayList<>();
    terms.add(RUNBOOK_NAME.getName() + " IS NOT NULL");
    if (awaitingApproval) {
      terms.add(AWAITING_APPROVAL.getName() + " = true");
    }
    if (state != null) {
      terms.add(RUNBOOK_STATE.getName() + " = '" + state + "'");
    }
    if (runbook != null) {
      terms.add(RUNBOOK_NAME.getName() + " = '" + runbook.replace("'", "") + "'");
    }
    return String.join(" AND ", terms);
  }

  private List<WorkflowExecutionMetadata> runs(TemporalConnection connection) {
    WorkflowClient client = connection.client();
    try {
      return client.listExecutions(query()).toList();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
        throw new CliException(ExitCodes.UNAVAILABLE, "cannot list runs: " + Runs.rootMessage(e));
      }
      System.err.println(NO_VISIBILITY_NOTE);
      return listWithoutVisibility(connection);
    }
  }

  /** For the embedded test server: open and closed runs, each described for its search attributes. */
  private static List<WorkflowExecutionMetadata> listWithoutVisibility(TemporalConnection connection) {
    String namespace = connection.namespace();
    Map<String, WorkflowExecution> executions = new LinkedHashMap<>();
    List<WorkflowExecutionInfo> infos = new ArrayList<>(connection.stubs().blockingStub()
        .listOpenWorkflowExecutions(ListOpenWorkflowExecutionsRequest.newBuilder()
            .setNamespace(namespace).setMaximumPageSize(1000).build())
        .getExecutionsList());
    infos.addAll(connection.stubs().blockingStub()
        .listClosedWorkflowExecutions(ListClosedWorkflowExecutionsRequest.newBuilder()
            .setNamespace(namespace).setMaximumPageSize(1000).build())
        .getExecutionsList());
    infos.forEach(info -> executions.putIfAbsent(info.getExecution().getRunId(), info.getExecution()));
    List<WorkflowExecutionMetadata> described = new ArrayList<>();
    for (WorkflowExecution execution : executions.values()) {
      described.add(connection.client().newUntypedWorkflowStub(execution.getWorkflowId(),
          java.util.Optional.of(execution.getRunId()), java.util.Optional.empty()).describe());
    }
    return described;
  }

  private static Row row(WorkflowExecutionMetadata run) {
    SearchAttributes sa = run.getTypedSearchAttributes();
    Boolean awaiting = sa.get(AWAITING_APPROVAL);
    return new Row(run.getExecution().getWorkflowId(), sa.get(RUNBOOK_NAME), sa.get(PLATFORM), sa.get(RUNBOOK_STATE),
        sa.get(RUNBOOK_STEP) == null ? "" : sa.get(RUNBOOK_STEP), Boolean.TRUE.equals(awaiting),
        run.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", ""), sa.get(READINESS_SCORE), String.valueOf(run.getStartTime()));
  }
}
