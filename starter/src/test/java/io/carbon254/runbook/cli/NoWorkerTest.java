package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code runbook status} on the real Temporal server when the run's worker has stopped: it says in
 * one line that no worker polls the task queue and how to start one, shows what the server knows of
 * the run, exits {@link ExitCodes#NO_WORKER} — and once a worker polls again, shows the run as before.
 */
class NoWorkerTest extends WithRealTemporalServer {

  private static final String DRILL = TemporalUnderTest.WAITING;
  private static final String NO_WORKER_LINE = "no worker polls task queue 'runbooks'";

  @Test
  void givenTheWorkerStoppedStatusSaysSoShowsWhatTheServerKnowsAndAWorkerBackBringsTheRunBack() throws Exception {
    Process worker = temporal.startWorker();
    assertThat(temporal.cli("start", "crash-drill", "--option", "chunks=2", "--as", "alice").exitCode()).isZero();
    String hash = temporal.awaitStatus(DRILL, "the gate to open", s -> s.openGate() != null).openGate().shownHash();

    worker.destroy(); // SIGTERM: the worker shuts down gracefully and tells the server so
    assertThat(worker.waitFor(60, TimeUnit.SECONDS)).isTrue();

    Jvm.Result status = temporal.cli("status", "crash-drill");
    assertThat(status.exitCode()).as(status.err()).isEqualTo(ExitCodes.NO_WORKER);
    assertThat(status.err().strip().lines()).as("one line that says what to do").hasSize(1);
    assertThat(status.err()).contains("runbook: " + NO_WORKER_LINE).contains("which has shut down")
        .contains("./runbook worker").doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(status.out()).contains(DRILL + "  AWAITING_APPROVAL  (what the server knows: no worker to ask)")
        .contains("  run         RUNNING, task queue runbooks")
        .contains("  step        approve-work")
        .contains("  approval    waiting at a gate")
        .containsPattern("  last event  [A-Za-z]+ at \\d{4}-\\d\\d-\\d\\dT");

    Jvm.Result json = temporal.cli("status", "crash-drill", "--output", "json");
    assertThat(json.exitCode()).as(json.err()).isEqualTo(ExitCodes.NO_WORKER);
    JsonNode view = new ObjectMapper().readTree(json.out());
    assertThat(view.get("workflowId").asText()).isEqualTo(DRILL);
    assertThat(view.get("noWorker").asText()).contains(NO_WORKER_LINE);
    assertThat(view.get("taskQueue").asText()).isEqualTo("runbooks");
    assertThat(view.get("execution").asText()).isEqualTo("RUNNING");
    assertThat(view.get("state").asText()).isEqualTo("AWAITING_APPROVAL");
    assertThat(view.get("step").asText()).isEqualTo("approve-work");
    assertThat(view.get("awaitingApproval").asBoolean()).isTrue();
    assertThat(view.get("lastEvent").asText()).isNotBlank();

    Jvm.Result approve = temporal.cli("approve", "crash-drill", "--as", "bob", "--yes", "--expect-hash", hash);
    assertThat(approve.exitCode()).as(approve.err()).isEqualTo(ExitCodes.NO_WORKER);
    assertThat(approve.err()).contains(NO_WORKER_LINE).doesNotContain("\tat ");

    // --watch shows the server's facts while no worker polls, then the run itself once one does.
    Path watchLog = temporal.dir.resolve("watch.log");
    Process watch = Jvm.start(temporal.env(), watchLog, true, "status", "crash-drill", "--watch", "--address", temporal.address());
    try {
      Jvm.awaitLog(watch, watchLog, NO_WORKER_LINE);
      temporal.startWorker();
      Jvm.awaitLog(watch, watchLog, "Waiting for approval: approve-work #1");

      Jvm.Result back = temporal.cli("status", "crash-drill");
      assertThat(back.exitCode()).as(back.err()).isZero();
      assertThat(back.out()).contains(DRILL + "  AWAITING_APPROVAL  (APPLY, started by alice)").doesNotContain(NO_WORKER_LINE);

      Jvm.Result approved = temporal.approve("crash-drill", "bob");
      assertThat(approved.exitCode()).as(approved.err()).isZero();
      assertThat(watch.waitFor(2, TimeUnit.MINUTES)).as("--watch follows the run to its end").isTrue();
      assertThat(watch.exitValue()).as(Jvm.read(watchLog)).isZero();
      assertThat(Jvm.read(watchLog)).contains(DRILL + "  COMPLETED");
    } finally {
      watch.destroyForcibly();
    }
  }
}
