package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.StepView;
import io.carbon254.runbook.sandbox.Sandbox;
import io.carbon254.runbook.worker.TemporalConnection;
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
 * The real Temporal server for the tests: the Temporal CLI's {@code temporal server start-dev}
 * (the real server on SQLite, with the Web UI) on free loopback ports and a database file in a
 * temporary directory, our search attributes registered; plus the sandbox platform the worker
 * processes need. The CLI is found like {@code runbook dev} finds it (RUNBOOK_TEMPORAL_CLI, the
 * project's {@code .tools/temporal/bin/temporal}, PATH). Without it the test FAILS, naming the
 * install command — it never skips.
 */
final class RealTemporalServer implements AutoCloseable {

  private static String printedVersion;

  final Path dir;
  final DevEnvironment.CliServer server;
  final Path stateDir;
  private final Sandbox sandbox;
  private final List<Process> workers = new ArrayList<>();
  private TemporalConnection connection;

  private RealTemporalServer(Path dir, DevEnvironment.CliServer server, Path stateDir, Sandbox sandbox) {
    this.dir = dir;
    this.server = server;
    this.stateDir = stateDir;
    this.sandbox = sandbox;
  }

  /** The Temporal CLI, or an AssertionError that says how to install it. */
  static Path cli() {
    return DevEnvironment.CliServer.find(null).orElseThrow(() -> new AssertionError(
        "The real-server tests need the Temporal CLI ('temporal server start-dev': the real Temporal server with SQLite"
            + " and the Web UI) and found none (RUNBOOK_TEMPORAL_CLI, .tools/temporal/bin/temporal, PATH). To "
            + DevEnvironment.CliServer.INSTALL_HINT));
  }

  /** Starts the server (and the sandbox) with everything under {@code dir}. */
  static RealTemporalServer start(Path dir) throws Exception {
    Path cli = cli();
    DevEnvironment.CliServer server = new DevEnvironment.CliServer(cli, DevEnvironment.freePort(), DevEnvironment.freePort(),
        dir.resolve("temporal.db"), dir.resolve("temporal-server.log"));
    synchronized (RealTemporalServer.class) {
      if (printedVersion == null) {
        printedVersion = server.version();
        System.out.println("real Temporal server for the tests: " + printedVersion + " (" + cli + ")");
      }
    }
    Path stateDir = Files.createDirectories(dir.resolve("state"));
    Sandbox sandbox = Sandbox.start(ConfigLoader.loadDefault());
    try {
      sandbox.endpoints().write(Sandbox.stateFile(stateDir));
      server.start();
    } catch (RuntimeException | Error e) {
      server.close();
      sandbox.close();
      if (e instanceof CliException) {
        throw new AssertionError(e.getMessage(), e);
      }
      throw e;
    }
    return new RealTemporalServer(dir, server, stateDir, sandbox);
  }

  String address() {
    return server.address();
  }

  String webUi() {
    return server.uiUrl();
  }

  /** The environment of the CLI and worker processes: the crash drill's world and the sandbox's endpoints. */
  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("CRASH_DRILL_DIR", dir.resolve("drill").toString());
    env.put("RUNBOOK_STATE_DIR", stateDir.toString());
    env.put("RUNBOOK_USER", "alice");
    return env;
  }

  /** {@code runbook ARGS --address <this server>} as a separate JVM (with the crash drill on its classpath). */
  Jvm.Result cli(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--address";
    all[args.length + 1] = address();
    return Jvm.run(env(), all);
  }

  /** A worker process on this server and the sandbox, running once it says so. */
  Process startWorker() {
    Path log = dir.resolve("worker-" + (workers.size() + 1) + ".log");
    Process process = Jvm.start(env(), log, true, "worker", "--address", address(), "--sandbox",
        "--sandbox-dir", stateDir.toString(), "--metrics-port", "0");
    workers.add(process);
    Jvm.awaitLog(process, log, "worker running");
    return process;
  }

  static void kill9(Process process) throws InterruptedException {
    process.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful anything
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  /** A client of this server, made anew after a restart. */
  synchronized TemporalConnection connection() {
    if (connection == null) {
      connection = TemporalConnection.connect(address(), null);
    }
    return connection;
  }

  /** SIGKILL to the server: what a crash does; the database file stays as the crash left it. */
  synchronized void kill9Server() {
    if (connection != null) {
      connection.close();
      connection = null;
    }
    server.kill9();
    assertThat(server.isAlive()).isFalse();
  }

  /** The server again, on the same ports and the same database file. */
  void restartServer() {
    try {
      server.start();
    } catch (CliException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  RunbookStatus awaitStatus(String workflowId, String what, Predicate<RunbookStatus> until) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    RunbookStatus last = null;
    Exception lastError = null;
    while (System.nanoTime() < deadline) {
      try {
        last = connection().client().newUntypedWorkflowStub(workflowId).query("status", RunbookStatus.class);
        if (until.test(last)) {
          return last;
        }
      } catch (RuntimeException notYet) {
        lastError = notYet; // the run or its worker is not there yet
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    throw new AssertionError("timed out waiting for " + what + " of " + workflowId + "; last status: " + last
        + (lastError == null ? "" : "; last error: " + lastError));
  }

  RunbookResult result(String workflowId) {
    try {
      return connection().client().newUntypedWorkflowStub(workflowId).getResult(2, TimeUnit.MINUTES, RunbookResult.class);
    } catch (TimeoutException e) {
      throw new AssertionError(workflowId + " did not finish within 2 minutes; server log:\n" + server.tail(), e);
    }
  }

  /** A result as lines that compare across runs: the outcome and each step's state, change and summary. */
  static List<String> outcome(RunbookResult result) {
    List<String> lines = new ArrayList<>(List.of("outcome " + result.outcome()));
    for (StepView step : result.steps()) {
      lines.add(step.id() + " " + step.state() + " " + step.change() + " " + step.summary());
    }
    return lines;
  }

  @Override
  public void close() {
    // The test is over: no need for a graceful stop that would let a long activity finish first.
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
    if (connection != null) {
      connection.close();
    }
    server.close();
    sandbox.close();
  }
}
