package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.StepView;
import io.temporal.client.WorkflowClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI and the worker as separate JVMs against a port-bound Temporal test server and the
 * sandbox platform, as an operator runs them — including a worker killed with SIGKILL while a run
 * waits at a gate and while a step is running.
 */
class ProcessTest {

  private static DevEnvironment dev;
  private static Path stateDir;

  @TempDir
  Path drillDir;

  private Process worker;
  private Path workerLog;
  private int workers;

  @BeforeAll
  static void startTemporalAndSandbox() throws Exception {
    stateDir = Files.createTempDirectory("runbook-process-test");
    dev = DevEnvironment.start(DevEnvironment.freePort(), ConfigLoader.loadDefault(), true, false, stateDir);
  }

  @AfterAll
  static void stop() {
    if (dev != null) {
      dev.close();
    }
  }

  @BeforeEach
  void startWorker() {
    worker = startWorkerProcess();
  }

  @AfterEach
  void stopWorker() throws InterruptedException {
    try {
      // A failed test must not leave its run in the way of the next one.
      client().newUntypedWorkflowStub("254carbon/crash-drill").terminate("test ended");
    } catch (RuntimeException alreadyClosed) {
      // closed runs cannot be terminated
    }
    if (worker == null) {
      return;
    }
    worker.destroy();
    worker.waitFor(30, TimeUnit.SECONDS);
  }

  @Test
  void anOperatorApprovesThroughTheCliAfterARefusalAndTheRunCompletes() {
    assertThat(cli("start", "crash-drill", "--option", "chunks=4", "--as", "alice").exitCode()).isZero();
    awaitStatus("the gate to open", s -> s.openGate() != null);

    // demo-approver-1 has a key of the sandbox, but the gate's policy does not name them.
    Jvm.Result refused = approve("demo-approver-1", "--gate", "approve-work");
    assertThat(refused.exitCode()).isEqualTo(ExitCodes.REFUSED);
    assertThat(refused.err()).contains("refused: demo-approver-1 is not an allowed approver of gate approve-work #1");
    Jvm.Result unreviewed = cli("approve", "crash-drill", "--as", "bob");
    assertThat(unreviewed.exitCode()).as("not a terminal, and no hash of what was reviewed").isEqualTo(ExitCodes.USAGE);
    assertThat(unreviewed.out()).contains("Gate approve-work #1 of 254carbon/crash-drill:").contains("shown-hash ");
    assertThat(unreviewed.err()).contains("not a terminal, so nothing was approved").contains("--yes --expect-hash ");

    Jvm.Result approved = approve("bob", "--comment", "go");
    assertThat(approved.exitCode()).as(approved.err()).isZero();
    assertThat(approved.out()).contains("approved approve-work #1 as bob: 1 of 1 approvals, gate APPROVED");
    Jvm.Result watched = cli("status", "crash-drill", "--watch");
    assertThat(watched.exitCode()).as("--watch follows the run to its end, exit 0 when it completed").isZero();
    assertThat(watched.out()).contains("254carbon/crash-drill  COMPLETED");

    assertThat(outcome(result())).isEqualTo(UNINTERRUPTED_4_CHUNKS);
    Jvm.Result status = cli("status", "crash-drill");
    assertThat(status.out()).contains("254carbon/crash-drill  COMPLETED").contains("✓ slow-work");
    Jvm.Result list = cli("list", "--runbook", "crash-drill", "--state", "COMPLETED");
    assertThat(list.out()).contains("254carbon/crash-drill").contains("COMPLETED");
  }

  @Test
  void aWorkerKilledWhileTheRunWaitsAtAGateLosesNothing() throws Exception {
    assertThat(cli("start", "crash-drill", "--option", "chunks=4", "--as", "alice").exitCode()).isZero();
    awaitStatus("the gate to open", s -> s.openGate() != null);

    kill9(worker);
    worker = startWorkerProcess();
    Jvm.Result approved = approve("bob");
    assertThat(approved.exitCode()).as(approved.err()).isZero();

    assertThat(outcome(result())).isEqualTo(UNINTERRUPTED_4_CHUNKS);
  }

  @Test
  void aWorkerKilledWhileAStepRunsResumesFromItsLastHeartbeat() throws Exception {
    assertThat(cli("start", "crash-drill", "--option", "chunks=8", "--as", "alice").exitCode()).isZero();
    awaitStatus("the gate to open", s -> s.openGate() != null);
    assertThat(approve("bob").exitCode()).isZero();
    Path workLog = drillDir.resolve("work.log");
    awaitFile(workLog, "chunk 2 done");

    kill9(worker);
    worker = startWorkerProcess();

    assertThat(outcome(result())).isEqualTo(List.of(
        "outcome SUCCEEDED",
        "prepare SUCCEEDED CREATED drill prepared",
        "approve-work SUCCEEDED null approved by bob",
        "slow-work SUCCEEDED CREATED 8 of 8 chunks done"));
    String log = Jvm.read(workLog);
    assertThat(log).as("the retry resumes from the last heartbeat the server had, not from the start")
        .contains("attempt 1 starts at chunk 0").containsPattern("attempt [2-9] starts at chunk [1-8]");
  }

  /** What an uninterrupted 4-chunk run ends with. */
  static final List<String> UNINTERRUPTED_4_CHUNKS = List.of(
      "outcome SUCCEEDED",
      "prepare SUCCEEDED CREATED drill prepared",
      "approve-work SUCCEEDED null approved by bob",
      "slow-work SUCCEEDED CREATED 4 of 4 chunks done");

  private static List<String> outcome(RunbookResult result) {
    List<String> lines = new java.util.ArrayList<>(List.of("outcome " + result.outcome()));
    for (StepView step : result.steps()) {
      lines.add(step.id() + " " + step.state() + " " + step.change() + " " + step.summary().replace(" (go)", ""));
    }
    return lines;
  }

  private Process startWorkerProcess() {
    workers++;
    workerLog = drillDir.resolveSibling(drillDir.getFileName() + "-worker-" + workers + ".log");
    Process process = Jvm.start(env(), workerLog, true, "worker", "--address", dev.address, "--sandbox",
        "--sandbox-dir", stateDir.toString(), "--metrics-port", "0");
    Jvm.awaitLog(process, workerLog, "worker running");
    return process;
  }

  private static void kill9(Process process) throws InterruptedException {
    process.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful anything
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  /** {@code runbook approve crash-drill --as AS --yes --expect-hash H}: the hash of the gate as status shows it. */
  private Jvm.Result approve(String as, String... more) {
    String hash = awaitStatus("the gate to open", s -> s.openGate() != null).openGate().shownHash();
    List<String> args = new java.util.ArrayList<>(List.of("approve", "crash-drill", "--as", as, "--yes", "--expect-hash", hash));
    args.addAll(List.of(more));
    return cli(args.toArray(String[]::new));
  }

  private Jvm.Result cli(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--address";
    all[args.length + 1] = dev.address;
    return Jvm.run(env(), all);
  }

  private Map<String, String> env() {
    return Map.of("CRASH_DRILL_DIR", drillDir.toString(), "RUNBOOK_STATE_DIR", stateDir.toString());
  }

  private static WorkflowClient client() {
    return dev.temporal.client();
  }

  private static RunbookResult result() {
    try {
      return client().newUntypedWorkflowStub("254carbon/crash-drill").getResult(2, TimeUnit.MINUTES, RunbookResult.class);
    } catch (java.util.concurrent.TimeoutException e) {
      StringBuilder events = new StringBuilder();
      client().fetchHistory("254carbon/crash-drill").getEvents().forEach(event -> events.append(event.getEventType())
          .append(event.hasActivityTaskScheduledEventAttributes()
              ? " " + event.getActivityTaskScheduledEventAttributes().getActivityType().getName() : "")
          .append('\n'));
      throw new AssertionError("the crash drill did not finish within 2 minutes; its history:\n" + events, e);
    }
  }

  private static RunbookStatus awaitStatus(String what, Predicate<RunbookStatus> until) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    RunbookStatus last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = client().newUntypedWorkflowStub("254carbon/crash-drill").query("status", RunbookStatus.class);
        if (until.test(last)) {
          return last;
        }
      } catch (RuntimeException notYet) {
        // the run or its worker is not there yet
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    throw new AssertionError("timed out waiting for " + what + "; last status: " + last);
  }

  static void awaitFile(Path file, String text) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (Jvm.read(file).contains(text)) {
        return;
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
    throw new AssertionError("no '" + text + "' in " + file + ":\n" + Jvm.read(file));
  }
}
