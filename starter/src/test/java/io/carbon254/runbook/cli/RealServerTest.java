package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.runbook.engine.RunbookState;
import io.temporal.client.WorkflowExecutionMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  private static final String DRILL = "254carbon/crash-drill";

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
    // Three runs of the crash drill on three platforms: one waits at its gate, one is busy with its
    // slow work (not waiting), one has completed.
    Path lab = platformConfig("lab");
    Path busy = platformConfig("busy");
    assertThat(temporal.cli("start", "crash-drill", "--option", "chunks=2", "-c", lab.toString()).exitCode()).isZero();
    assertThat(temporal.cli("start", "crash-drill", "--option", "chunks=2000", "-c", busy.toString()).exitCode()).isZero();
    assertThat(temporal.cli("start", "crash-drill", "--option", "chunks=4").exitCode()).isZero();
    for (String id : List.of("lab/crash-drill", "busy/crash-drill", DRILL)) {
      temporal.awaitStatus(id, "the gate to open", s -> s.openGate() != null);
    }
    assertThat(temporal.cli("approve", "lab/crash-drill", "--as", "bob").exitCode()).isZero();
    assertThat(temporal.cli("approve", "busy/crash-drill", "--as", "bob").exitCode()).isZero();
    temporal.result("lab/crash-drill");
    temporal.awaitStatus("busy/crash-drill", "the slow work", s -> s.state() == RunbookState.RUNNING);
    awaitVisible("AwaitingApproval = true", List.of(DRILL));
    awaitVisible("RunbookState = 'COMPLETED'", List.of("lab/crash-drill"));
    awaitVisible("RunbookState = 'RUNNING'", List.of("busy/crash-drill"));

    assertThat(list("--awaiting-approval")).containsExactly(DRILL);
    assertThat(list("--state", "AWAITING_APPROVAL")).containsExactly(DRILL);
    assertThat(list("--state", "COMPLETED")).containsExactly("lab/crash-drill");
    assertThat(list("--state", "RUNNING")).containsExactly("busy/crash-drill");
    assertThat(list("--runbook", "crash-drill")).containsExactlyInAnyOrder(DRILL, "lab/crash-drill", "busy/crash-drill");
    assertThat(list("--runbook", "crash-drill", "--awaiting-approval")).containsExactly(DRILL);
    assertThat(list("--runbook", "platform-check")).isEmpty();

    // The server itself answers the very query the CLI sends (the CLI filters nothing away here).
    ListCommand waiting = new ListCommand();
    waiting.awaitingApproval = true;
    assertThat(temporal.connection().client().listExecutions(waiting.query())
        .map(run -> run.getExecution().getWorkflowId()).toList()).containsExactly(DRILL);
    ListCommand byRunbook = new ListCommand();
    byRunbook.runbook = "crash-drill";
    byRunbook.state = RunbookState.COMPLETED;
    assertThat(temporal.connection().client().listExecutions(byRunbook.query())
        .map(run -> run.getExecution().getWorkflowId()).toList()).containsExactly("lab/crash-drill");
  }

  /** The workflow ids {@code runbook list ARGS --output json} prints; fails if it fell back to listing without visibility. */
  private List<String> list(String... args) throws Exception {
    String[] all = new String[args.length + 3];
    all[0] = "list";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--output";
    all[args.length + 2] = "json";
    Jvm.Result result = temporal.cli(all);
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).as("a real server answers the visibility query").doesNotContain(ListCommand.NO_VISIBILITY_NOTE);
    List<String> ids = new ArrayList<>();
    for (JsonNode row : new ObjectMapper().readTree(result.out())) {
      ids.add(row.get("workflowId").asText());
    }
    return ids;
  }

  /** Visibility is eventually consistent: wait until the server's index has caught up with a run's last upsert. */
  private void awaitVisible(String query, List<String> ids) {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    List<String> last = List.of();
    while (System.nanoTime() < deadline) {
      last = temporal.connection().client().listExecutions(query).map(WorkflowExecutionMetadata::getExecution)
          .map(e -> e.getWorkflowId()).toList();
      if (last.containsAll(ids)) {
        return;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(100).toNanos());
    }
    throw new AssertionError("visibility never showed " + ids + " for " + query + "; last: " + last);
  }

  /** The default configuration under another platform name: its runs have their own workflow ids. */
  private Path platformConfig(String name) throws Exception {
    Path source = Path.of("").toAbsolutePath().getParent().resolve("config/254carbon.yaml");
    String yaml = Files.readString(source);
    assertThat(yaml).contains("\nname: 254carbon\n");
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, yaml.replace("\nname: 254carbon\n", "\nname: " + name + "\n"));
    return file;
  }
}
