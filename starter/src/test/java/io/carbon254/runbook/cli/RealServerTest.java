package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.engine.RunbookState;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI and the worker as separate processes against the REAL Temporal server of the Temporal
 * CLI ({@code temporal server start-dev}, SQLite): a run survives SIGKILL of the worker and of the
 * server at once, and {@code runbook list} is a real visibility query on our search attributes.
 */
class RealServerTest {

  private static final String DRILL = TemporalUnderTest.WAITING;
  private static final String BUSY = TemporalUnderTest.BUSY;
  private static final String COMPLETED = TemporalUnderTest.COMPLETED;

  @TempDir
  Path dir;

  private RealTemporalServer temporal;

  @BeforeEach
  void startServer() throws Exception {
    temporal = RealTemporalServer.start(dir);
  }

  @AfterEach
  void stopServer() {
    if (temporal != null) {
      temporal.close();
    }
  }

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
    Jvm.Result approved = temporal.cli("approve", "crash-drill", "--as", "bob");
    assertThat(approved.exitCode()).as(approved.out() + approved.err()).isZero();
    assertThat(approved.out()).contains("approved approve-work #1 as bob: 1 of 1 approvals, gate APPROVED");

    assertThat(RealTemporalServer.outcome(temporal.result(DRILL))).isEqualTo(ProcessTest.UNINTERRUPTED_4_CHUNKS);
    Jvm.Result status = temporal.cli("status", "crash-drill");
    assertThat(status.out()).contains("254carbon/crash-drill  COMPLETED").contains("✓ slow-work");
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
