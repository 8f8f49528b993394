package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.StepView;
import io.carbon254.runbook.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real Temporal server for the tests: the Temporal CLI's {@code temporal server start-dev}
 * (the real server on SQLite, with the Web UI) on free loopback ports and a database file in a
 * temporary directory, our search attributes registered; plus the sandbox platform the worker
 * processes need. The CLI is found like {@code runbook dev} finds it (RUNBOOK_TEMPORAL_CLI, the
 * project's {@code .tools/temporal/bin/temporal}, PATH). Without it the test FAILS, naming the
 * install command — it never skips.
 */
final class RealTemporalServer extends TemporalUnderTest {

  private static String printedVersion;

  final DevEnvironment.CliServer server;

  private RealTemporalServer(Path dir, DevEnvironment.CliServer server, Sandbox sandbox) {
    super(dir, sandbox);
    this.server = server;
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
    return start(dir, DevEnvironment.freePort(), null);
  }

  /** As above, its Web UI on {@code uiPort} and decoding payloads through {@code codecEndpoint} (or null: none). */
  static RealTemporalServer start(Path dir, int uiPort, String codecEndpoint) throws Exception {
    Path cli = cli();
    DevEnvironment.CliServer server = new DevEnvironment.CliServer(cli, DevEnvironment.freePort(), uiPort,
        dir.resolve("temporal.db"), dir.resolve("temporal-server.log"));
    server.codecEndpoint = codecEndpoint;
    synchronized (RealTemporalServer.class) {
      if (printedVersion == null) {
        printedVersion = server.version();
        System.out.println("real Temporal server for the tests: " + printedVersion + " (" + cli + ")");
      }
    }
    Sandbox sandbox = startSandbox(dir);
    try {
      server.start();
    } catch (RuntimeException | Error e) {
      server.close();
      sandbox.close();
      if (e instanceof CliException) {
        throw new AssertionError(e.getMessage(), e);
      }
      throw e;
    }
    return new RealTemporalServer(dir, server, sandbox);
  }

  @Override
  String address() {
    return server.address();
  }

  String webUi() {
    return server.uiUrl();
  }

  @Override
  String serverLogTail() {
    return server.tail();
  }

  /** SIGKILL to the server: what a crash does; the database file stays as the crash left it. */
  void kill9Server() {
    closeConnection();
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

  /** A result as lines that compare across runs: the outcome and each step's state, change and summary. */
  static List<String> outcome(RunbookResult result) {
    List<String> lines = new ArrayList<>(List.of("outcome " + result.outcome()));
    for (StepView step : result.steps()) {
      lines.add(step.id() + " " + step.state() + " " + step.change() + " " + step.summary());
    }
    return lines;
  }

  @Override
  void stopServer() {
    server.close();
  }
}
