package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookState;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.ResetWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The CLI and the worker as separate processes against the REAL Temporal server of the Temporal
 * CLI ({@code temporal server start-dev}, SQLite): a run survives SIGKILL of the worker and of the
 * server at once, and {@code runbook list} is a real visibility query on our search attributes.
 */
class RealServerTest extends WithRealTemporalServer {

  private static final String DRILL = TemporalUnderTest.WAITING;
  private static final String BUSY = TemporalUnderTest.BUSY;
  private static final String COMPLETED = TemporalUnderTest.COMPLETED;

  @Test
  void aRunWaitingAtAGateSurvivesKill9OfTheWorkerAndTheServerAndCompletesAsAnUninterruptedRun() throws Exception {
    Process worker = temporal.startWorker();
    Jvm.Result started = temporal.cli("start", "crash-drill", "--option", "chunks=4", "--as", "alice");
    assertThat(started.exitCode()).as(started.err()).isZero();
    temporal.awaitStatus(DRILL, "the gate to open", s -> s.openGate() != null);
    String runId = temporal.connection().client().newUntypedWorkflowStub(DRILL).describe().getExecution().getRunId();

    RealTemporalServer.kill9(worker);
    temporal.kill9Server();
    temporal.restartServer();
    temporal.startWorker();

    assertThat(temporal.connection().client().newUntypedWorkflowStub(DRILL).describe().getExecution().getRunId())
        .as("the same run, read back from the database file after the crash").isEqualTo(runId);
    Jvm.Result approved = temporal.approve("crash-drill", "bob");
    assertThat(approved.exitCode()).as(approved.out() + approved.err()).isZero();
    assertThat(approved.out()).contains("approved approve-work #1 as bob: 1 of 1 approvals, gate APPROVED");

    assertThat(RealTemporalServer.outcome(temporal.result(DRILL))).isEqualTo(ProcessTest.UNINTERRUPTED_4_CHUNKS);
    Jvm.Result status = temporal.cli("status", "crash-drill");
    assertThat(status.out()).contains("254carbon/crash-drill  COMPLETED").contains("✓ slow-work");
  }

  /**
   * A run reset while it waits (an operator's way out of a bad deploy) replays with a new run id;
   * what it created before the reset is still what it cleans up afterwards.
   */
  @Test
  void aRunResetAtTheSchedulesGateCleansUpTheRehearsalItMadeBeforeTheReset() throws Exception {
    String run = "254carbon/backup-activation";
    temporal.startWorker();
    assertThat(temporal.cli("start", "backup-activation", "--as", "alice").exitCode()).isZero();
    temporal.awaitStatus(run, "the plan gate", s -> s.openGate() != null);
    assertThat(temporal.approve("backup-activation", "bob").exitCode()).isZero();
    assertThat(temporal.approve("backup-activation", "carol").exitCode()).isZero();
    temporal.awaitStatus(run, "the schedules gate", s -> s.openGate() != null && s.openGate().gate().equals("activate-schedules"));
    List<String> rehearsalBackups = canaryBackups();
    assertThat(rehearsalBackups).as("the rehearsal's backup, made before the reset").hasSize(1);

    WorkflowClient client = temporal.connection().client();
    WorkflowExecution before = client.newUntypedWorkflowStub(run).describe().getExecution();
    long lastTask = client.fetchHistory(run).getHistory().getEventsList().stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
        .mapToLong(HistoryEvent::getEventId).max().orElseThrow();
    String resetRunId = client.getWorkflowServiceStubs().blockingStub().resetWorkflowExecution(
        ResetWorkflowExecutionRequest.newBuilder().setNamespace("default").setWorkflowExecution(before)
            .setWorkflowTaskFinishEventId(lastTask).setRequestId(UUID.randomUUID().toString())
            .setReason("test: a reset while the run waits").build()).getRunId();
    assertThat(resetRunId).isNotEqualTo(before.getRunId());

    temporal.awaitStatus(run, "the schedules gate of the reset run",
        s -> s.openGate() != null && s.openGate().gate().equals("activate-schedules"));
    Jvm.Result approved = temporal.approve("backup-activation", "dave");
    assertThat(approved.exitCode()).as(approved.out() + approved.err()).isZero();

    RunbookResult result = temporal.result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.step("clean-up").summary()).contains("Backup velero/" + rehearsalBackups.get(0));
    assertThat(canaryBackups()).as("nothing of the rehearsal is left behind").isEmpty();
  }

  private List<String> canaryBackups() {
    KubernetesClient kube = temporal.sandbox().kubernetesClient();
    return kube.genericKubernetesResources("velero.io/v1", "Backup").inNamespace("velero").list().getItems().stream()
        .map(b -> b.getMetadata().getName())
        .filter(name -> name.startsWith("backup-canary-"))
        .toList();
  }

  @Test
  void listIsARealVisibilityQueryThatReturnsExactlyTheRunsThatWait() throws Exception {
    temporal.startWorker();
    temporal.startWaitingBusyAndCompletedRuns();

    assertThat(temporal.list("--awaiting-approval")).containsExactly(DRILL);
    assertThat(temporal.list("--state", "AWAITING_APPROVAL")).containsExactly(DRILL);
    assertThat(temporal.list("--state", "COMPLETED")).containsExactly(COMPLETED);
    assertThat(temporal.list("--state", "RUNNING")).containsExactly(BUSY);
    assertThat(temporal.list("--runbook", "crash-drill")).containsExactlyInAnyOrder(DRILL, COMPLETED, BUSY);
    assertThat(temporal.list("--runbook", "crash-drill", "--awaiting-approval")).containsExactly(DRILL);
    assertThat(temporal.list("--runbook", "platform-check")).isEmpty();

    // The server itself answers the very query the CLI sends (the CLI filters nothing away here).
    ListCommand waiting = new ListCommand();
    waiting.awaitingApproval = true;
    assertThat(temporal.connection().client().listExecutions(waiting.query())
        .map(run -> run.getExecution().getWorkflowId()).toList()).containsExactly(DRILL);
    ListCommand byRunbook = new ListCommand();
    byRunbook.runbook = "crash-drill";
    byRunbook.state = RunbookState.COMPLETED;
    assertThat(temporal.connection().client().listExecutions(byRunbook.query())
        .map(run -> run.getExecution().getWorkflowId()).toList()).containsExactly(COMPLETED);
  }
}
