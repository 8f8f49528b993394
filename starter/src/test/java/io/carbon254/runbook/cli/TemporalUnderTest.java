package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookState;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.sandbox.Sandbox;
import io.carbon254.runbook.worker.TemporalConnection;
import io.carbon254.runbook.worker.codec.Keyring;
import io.carbon254.runbook.worker.codec.PayloadEncryption;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A real Temporal server with worker processes and the sandbox platform they work on, as the
 * process tests drive it: a client, the CLI and the workers as separate JVMs, a directory of its
 * own; and what those tests wait for and read — a run's status and result, and {@code runbook
 * list} answered by the server's visibility store. Closed in order: the workers (SIGKILL: the test
 * is over), the client, the server, the sandbox.
 */
abstract class TemporalUnderTest implements AutoCloseable {

  final Path dir;
  final Path stateDir;
  final Path drillDir;
  private final Sandbox sandbox;
  private final List<Process> workers = new ArrayList<>();
  private TemporalConnection connection;
  /**
   * The keyring that the CLI and worker processes started from now on get as {@code
   * RUNBOOK_CODEC_KEYS}, and this test's client encrypts with; null: payloads are not encrypted.
   */
  private Path codecKeys;

  /** {@code dir/state} holds the sandbox's endpoints (see {@link #startSandbox(Path)}), {@code dir/drill} the drill's world. */
  TemporalUnderTest(Path dir, Sandbox sandbox) {
    this.dir = dir;
    this.stateDir = dir.resolve("state");
    this.drillDir = dir.resolve("drill");
    this.sandbox = sandbox;
  }

  /** The sandbox platform, its endpoints published in {@code dir/state} for the worker processes. */
  static Sandbox startSandbox(Path dir) throws IOException {
    Path stateDir = Files.createDirectories(dir.resolve("state"));
    Sandbox sandbox = Sandbox.start(ConfigLoader.loadDefault());
    try {
      sandbox.endpoints().write(Sandbox.stateFile(stateDir));
      SandboxPeople.generate(ConfigLoader.loadDefault(), "alice").write(stateDir);
    } catch (RuntimeException e) {
      sandbox.close();
      throw e;
    }
    return sandbox;
  }

  abstract String address();

  /** The platform the workers work on, to look at what the runs did to it. */
  Sandbox sandbox() {
    return sandbox;
  }

  /** The end of the server's log, for a failure message. */
  abstract String serverLogTail();

  /** Stops the server (bounded). */
  abstract void stopServer();

  /** The environment of the CLI and worker processes: the crash drill's world and the sandbox's endpoints. */
  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("CRASH_DRILL_DIR", drillDir.toString());
    env.put("RUNBOOK_STATE_DIR", stateDir.toString());
    env.put("RUNBOOK_USER", "alice");
    if (codecKeys != null) {
      env.put(Keyring.ENV, codecKeys.toString());
    }
    return env;
  }

  /**
   * {@code runbook approve RUN --as AS --yes --expect-hash H}: approves exactly the gate that status
   * shows now (as an operator does after reviewing it), signed with the sandbox's key of AS.
   */
  Jvm.Result approve(String run, String as, String... more) {
    String id = run.contains("/") ? run : "254carbon/" + run;
    String hash = awaitStatus(id, "a gate to open", s -> s.openGate() != null).openGate().shownHash();
    List<String> args = new ArrayList<>(List.of("approve", run, "--as", as, "--yes", "--expect-hash", hash));
    args.addAll(List.of(more));
    return cli(args.toArray(String[]::new));
  }

  /** From now on the processes this starts and this test's client use {@code keyring} (null: none). */
  synchronized void useCodecKeys(Path keyring) {
    closeConnection();
    codecKeys = keyring;
  }

  /** {@code runbook ARGS --address <this server>} as a separate JVM (with the crash drill on its classpath). */
  Jvm.Result cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--address", address()));
    return Jvm.run(env(), all.toArray(String[]::new));
  }

  /** A worker process on this server and the sandbox, running once it says so. */
  Process startWorker() {
    return startWorkers(1).get(0);
  }

  /** Worker processes, started together, each running once it says so. */
  List<Process> startWorkers(int count) {
    List<Process> started = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Path log = dir.resolve("worker-" + (workers.size() + 1) + ".log");
      Process process = Jvm.start(env(), log, true, "worker", "--address", address(), "--sandbox",
          "--sandbox-dir", stateDir.toString(), "--config-dir", platforms(), "--metrics-port", "0");
      workers.add(process);
      started.add(process);
      logs.add(log);
    }
    for (int i = 0; i < count; i++) {
      Jvm.awaitLog(started.get(i), logs.get(i), "worker running");
    }
    return started;
  }

  /** The workers that are alive. */
  List<Process> liveWorkers() {
    return workers.stream().filter(Process::isAlive).toList();
  }

  static void kill9(Process process) throws InterruptedException {
    process.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful anything
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  /** A client of this server, made anew after a restart. */
  synchronized TemporalConnection connection() {
    if (connection == null) {
      connection = TemporalConnection.connect(address(), null,
          codecKeys == null ? PayloadEncryption.off() : PayloadEncryption.with(Keyring.load(codecKeys)));
    }
    return connection;
  }

  /** Closes the client, before the server goes away. */
  synchronized void closeConnection() {
    if (connection != null) {
      connection.close();
      connection = null;
    }
  }

  WorkflowStub stub(String workflowId) {
    return connection().client().newUntypedWorkflowStub(workflowId);
  }

  RunbookStatus awaitStatus(String workflowId, String what, Predicate<RunbookStatus> until) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    RunbookStatus last = null;
    Exception lastError = null;
    while (System.nanoTime() < deadline) {
      try {
        WorkflowStub stub = stub(workflowId);
        last = stub.query("status", RunbookStatus.class);
        if (until.test(last)) {
          return last;
        }
        WorkflowExecutionStatus closed = stub.describe().getStatus();
        if (closed != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
          throw new AssertionError(workflowId + " ended (" + closed + ") before " + what + ": " + describeEnd(stub));
        }
      } catch (RuntimeException notYet) {
        lastError = notYet; // the run or its worker is not there yet
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    throw new AssertionError("timed out waiting for " + what + " of " + workflowId + "; last status: " + last
        + (lastError == null ? "" : "; last error: " + lastError));
  }

  private static String describeEnd(WorkflowStub stub) {
    try {
      return String.valueOf(stub.getResult(1, TimeUnit.SECONDS, RunbookResult.class));
    } catch (RuntimeException | TimeoutException e) {
      Throwable cause = e;
      StringBuilder chain = new StringBuilder();
      while (cause != null) {
        chain.append(chain.length() == 0 ? "" : " <- ").append(cause.getMessage());
        cause = cause.getCause();
      }
      return chain.toString();
    }
  }

  RunbookResult result(String workflowId) {
    try {
      return stub(workflowId).getResult(2, TimeUnit.MINUTES, RunbookResult.class);
    } catch (TimeoutException e) {
      throw new AssertionError(workflowId + " did not finish within 2 minutes; server log:\n" + serverLogTail(), e);
    }
  }

  /** The workflow ids {@code runbook list ARGS --output json} prints; fails if it fell back to listing without visibility. */
  List<String> list(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of("list"));
    all.addAll(List.of(args));
    all.addAll(List.of("--output", "json"));
    Jvm.Result result = cli(all.toArray(String[]::new));
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).as("a real server answers the visibility query").doesNotContain(ListCommand.NO_VISIBILITY_NOTE);
    List<String> ids = new ArrayList<>();
    for (JsonNode row : new ObjectMapper().readTree(result.out())) {
      ids.add(row.get("workflowId").asText());
    }
    return ids;
  }

  /** Visibility is eventually consistent: wait until the server's index has caught up with the runs' last upserts. */
  void awaitVisible(String query, List<String> ids) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<String> last = List.of();
    while (System.nanoTime() < deadline) {
      last = connection().client().listExecutions(query).map(WorkflowExecutionMetadata::getExecution)
          .map(WorkflowExecution::getWorkflowId).toList();
      if (last.containsAll(ids)) {
        return;
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    throw new AssertionError("visibility never showed " + ids + " for " + query + "; last: " + last);
  }

  static final String WAITING = "254carbon/crash-drill";
  static final String BUSY = "busy/crash-drill";
  static final String COMPLETED = "lab/crash-drill";

  /**
   * Three runs of the crash drill on three platforms, for the visibility stories: {@link #WAITING} waits at its gate,
   * {@link #BUSY} is busy with its slow work (not waiting), {@link #COMPLETED} has completed; once the server's index
   * shows each so.
   */
  void startWaitingBusyAndCompletedRuns() throws IOException {
    assertThat(cli("start", "crash-drill", "--option", "chunks=2", "-c", platformConfig("lab").toString()).exitCode()).isZero();
    assertThat(cli("start", "crash-drill", "--option", "chunks=2000", "-c", platformConfig("busy").toString()).exitCode())
        .isZero();
    assertThat(cli("start", "crash-drill", "--option", "chunks=4").exitCode()).isZero();
    for (String id : List.of(COMPLETED, BUSY, WAITING)) {
      awaitStatus(id, "the gate to open", s -> s.openGate() != null);
    }
    assertThat(approve(COMPLETED, "bob").exitCode()).isZero();
    assertThat(approve(BUSY, "bob").exitCode()).isZero();
    result(COMPLETED);
    awaitStatus(BUSY, "the slow work", s -> s.state() == RunbookState.RUNNING);
    awaitVisible("AwaitingApproval = true", List.of(WAITING));
    awaitVisible("RunbookState = 'COMPLETED' AND Platform = 'lab'", List.of(COMPLETED));
    awaitVisible("RunbookState = 'RUNNING'", List.of(BUSY));
  }

  /**
   * The default configuration under another platform name: its runs have their own workflow ids.
   * The workers serve it: the platforms they serve are the files of {@link #platformsDir()}.
   */
  Path platformConfig(String name) throws IOException {
    String yaml = Files.readString(ComposeFile.REPOSITORY.resolve("config/254carbon.yaml"));
    assertThat(yaml).contains("\nname: 254carbon\n");
    Path file = platformsDir().resolve(name + ".yaml");
    Files.writeString(file, yaml.replace("\nname: 254carbon\n", "\nname: " + name + "\n"));
    return file;
  }

  private String platforms() {
    try {
      return platformsDir().toString();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The platforms the worker processes serve: 254carbon, and the ones the visibility stories add. */
  Path platformsDir() throws IOException {
    Path platforms = Files.createDirectories(dir.resolve("platforms"));
    Path main = platforms.resolve("254carbon.yaml");
    if (!Files.exists(main)) {
      Files.copy(ComposeFile.REPOSITORY.resolve("config/254carbon.yaml"), main);
      // The workers serve what their configuration names when they start: every platform a story starts a run on.
      for (String other : List.of("lab", "busy", "topology", "midstep", "restart")) {
        platformConfig(other);
      }
    }
    return platforms;
  }

  @Override
  public void close() {
    for (Process worker : workers) {
      worker.destroyForcibly();
    }
    for (Process worker : workers) {
      try {
        worker.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeConnection();
    stopServer();
    sandbox.close();
  }
}
