package io.carbon254.runbook.cli;

import io.carbon254.runbook.worker.WorkerMain;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.sandbox.Sandbox;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The production topology of {@code docker-compose.yml}, without Docker: PostgreSQL (Debian's,
 * as the {@code postgres} user, loopback, a temporary cluster) → the compose file's schema step
 * ({@code deploy/temporal/schema.sh}, with the natively built {@code temporal-sql-tool}) → the
 * Temporal server of the version the compose file pins, configured by the compose file's own
 * environment and dynamic config → the compose file's namespace step ({@code runbook setup}) →
 * worker processes and the CLI. Only what cannot be the same on loopback differs: host names,
 * ports, and where the files are; {@link #SERVER_OVERRIDES} names it.
 *
 * <p>The server and the tool are built by {@code scripts/install-test-tools} into
 * {@code .tools/temporal-server-<version>/}; without them (or without PostgreSQL) the tests FAIL,
 * naming that command.
 */
final class ProductionTopology extends TemporalUnderTest {

  static final ComposeFile COMPOSE = ComposeFile.read();
  static final String INSTALL_HINT = "run ./scripts/install-test-tools (scripts/tools/40-temporal-server.sh builds them from"
      + " the Go module proxy, a few minutes the first time)";
  /** The compose file's environment keys of the temporal service that a loopback server must set otherwise. */
  static final List<String> SERVER_OVERRIDES = List.of("POSTGRES_SEEDS", "DB_PORT", "BIND_ON_IP", "DYNAMIC_CONFIG_FILE_PATH");

  /** The natively built Temporal server and temporal-sql-tool of one version, and that version's schema files. */
  record Tools(String version, Path dir) {
    Path server() {
      return dir.resolve("bin/temporal-server");
    }

    Path sqlTool() {
      return dir.resolve("bin/temporal-sql-tool");
    }

    /** Laid out as the admin-tools image's /etc/temporal/schema. */
    Path schemaDir() {
      return dir.resolve("schema");
    }
  }

  /** The version the compose file pins, as built by the install script; an AssertionError naming it when missing. */
  static Tools pinnedTools() {
    String version = COMPOSE.imageTag("temporal");
    assertThat(COMPOSE.imageTag("temporal-schema")).as("the schema step's admin-tools and the server are one version")
        .isEqualTo(version);
    Tools tools = new Tools(version, ComposeFile.REPOSITORY.resolve(".tools/temporal-server-" + version));
    if (!Files.isExecutable(tools.server()) || !Files.isExecutable(tools.sqlTool()) || !Files.isDirectory(tools.schemaDir())) {
      throw new AssertionError("The production-topology tests need the Temporal server and temporal-sql-tool " + version
          + " (the version docker-compose.yml pins) in " + tools.dir() + ", and found none: " + INSTALL_HINT);
    }
    return tools;
  }

  /** The schema files of the version installations upgrade from (pinned in the install script). */
  static Tools previousSchema() {
    Path script = ComposeFile.REPOSITORY.resolve("scripts/tools/40-temporal-server.sh");
    Matcher pin;
    try {
      pin = Pattern.compile("(?m)^TEMPORAL_PREVIOUS_VERSION=(\\S+)$").matcher(Files.readString(script));
    } catch (IOException e) {
      throw new AssertionError("cannot read " + script + ": " + e, e);
    }
    assertThat(pin.find()).as("%s pins TEMPORAL_PREVIOUS_VERSION", script).isTrue();
    Tools tools = new Tools(pin.group(1), ComposeFile.REPOSITORY.resolve(".tools/temporal-server-" + pin.group(1)));
    if (!Files.isDirectory(tools.schemaDir().resolve("postgresql"))) {
      throw new AssertionError("The upgrade test needs the schema of Temporal " + tools.version() + " in "
          + tools.schemaDir() + ", and found none: " + INSTALL_HINT);
    }
    return tools;
  }

  /**
   * Runs the compose file's schema step — its entrypoint, the mounted {@code deploy/temporal/schema.sh} — with its
   * environment, on this PostgreSQL and with the schema files of {@code schema}.
   */
  static String schemaSteps(NativePostgres postgres, Tools tool, Tools schema) {
    List<String> entrypoint = COMPOSE.list("temporal-schema", "entrypoint");
    assertThat(entrypoint).as("temporal-schema's entrypoint: a shell and the mounted script").hasSize(2);
    Path script = COMPOSE.mountedFile("temporal-schema", entrypoint.get(1));
    Map<String, String> env = new HashMap<>(COMPOSE.env("temporal-schema"));
    env.put("SQL_HOST", "127.0.0.1");
    env.put("SQL_PORT", String.valueOf(postgres.port));
    env.put("TEMPORAL_SQL_TOOL", tool.sqlTool().toString());
    env.put("TEMPORAL_SCHEMA_DIR", schema.schemaDir().toString());
    Jvm.Result result = NativePostgres.exec(Duration.ofMinutes(3), env, entrypoint.get(0), script.toString());
    String output = result.out() + result.err();
    assertThat(result.exitCode()).as("the schema step (%s) failed:%n%s", script, output).isZero();
    assertThat(result.out()).contains("temporal schema ready");
    return output;
  }

  /** A PostgreSQL cluster with the compose file's user and password. */
  static NativePostgres postgres() {
    Map<String, String> env = COMPOSE.env("postgresql");
    return NativePostgres.start(env.get("POSTGRES_USER"), env.get("POSTGRES_PASSWORD"));
  }

  final Tools tools;
  final NativePostgres postgres;
  final TemporalServer server;
  /** What the start-up took, step by step. */
  final Map<String, Duration> startup = new LinkedHashMap<>();

  private ProductionTopology(Path dir, Tools tools, NativePostgres postgres, TemporalServer server, Sandbox sandbox) {
    super(dir, sandbox);
    this.tools = tools;
    this.postgres = postgres;
    this.server = server;
  }

  /** Brings the whole topology up in the compose file's order, with {@code workerCount} workers. */
  static ProductionTopology start(Path dir, int workerCount) throws IOException {
    Tools tools = pinnedTools();
    NativePostgres.binaries();
    long t0 = System.nanoTime();
    long t = t0;
    NativePostgres postgres = postgres();
    ProductionTopology topology = null;
    Sandbox sandbox = null;
    try {
      Duration pgTime = since(t);
      t = System.nanoTime();
      schemaSteps(postgres, tools, tools);
      Duration schemaTime = since(t);
      t = System.nanoTime();
      // The sandbox stands in for the cluster the compose file's worker works on; not part of the topology's start-up.
      sandbox = startSandbox(dir);
      Duration sandboxTime = since(t);
      t = System.nanoTime();
      TemporalServer server = new TemporalServer(tools, postgres, dir.resolve("temporal-server.log"));
      topology = new ProductionTopology(dir, tools, postgres, server, sandbox);
      server.start(false);
      topology.startup.put("PostgreSQL", pgTime);
      topology.startup.put("schema steps", schemaTime);
      topology.startup.put("Temporal server", since(t));
      t = System.nanoTime();
      Jvm.Result setup = topology.setup();
      assertThat(setup.exitCode()).as("runbook setup: %s%s", setup.out(), setup.err()).isZero();
      topology.startup.put("runbook setup", since(t));
      t = System.nanoTime();
      topology.startWorkers(workerCount);
      topology.startup.put(workerCount + " workers", since(t));
      t = System.nanoTime();
      topology.connection().client().listExecutions("RunbookName IS NOT NULL").count();
      topology.startup.put("first visibility query", since(t));
      topology.startup.put("total", since(t0).minus(sandboxTime));
      return topology;
    } catch (IOException | RuntimeException | Error e) {
      if (topology != null) {
        topology.close();
      } else {
        if (sandbox != null) {
          sandbox.close();
        }
        postgres.close();
      }
      throw e;
    }
  }

  private static Duration since(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** One line for the test log: the measured start-up, step by step (a measurement, never an assertion). */
  String startupLine() {
    StringBuilder line = new StringBuilder("production topology (Temporal " + tools.version() + " on PostgreSQL, "
        + liveWorkers().size() + " workers) up to the first visibility query:");
    startup.forEach((step, time) -> line.append(String.format(" %s %.1f s;", step, time.toMillis() / 1000.0)));
    return line.substring(0, line.length() - 1);
  }

  /**
   * The compose file's namespace step: its command ({@code setup ...}) with its environment, run by
   * the worker image's entry point ({@link WorkerMain}), on this server.
   */
  Jvm.Result setup() {
    List<String> command = new ArrayList<>(COMPOSE.list("temporal-namespace", "command"));
    command.addAll(List.of("--address", address()));
    Map<String, String> env = new HashMap<>(COMPOSE.env("temporal-namespace"));
    env.remove("TEMPORAL_ADDRESS"); // temporal:7233 inside compose; --address here
    return Jvm.run(WorkerMain.class, env, false, command.toArray(String[]::new));
  }

  @Override
  String address() {
    return server.address();
  }

  @Override
  String serverLogTail() {
    return server.tail();
  }

  /** The compose worker's namespace, besides the drill's world and the sandbox. */
  @Override
  Map<String, String> env() {
    Map<String, String> env = super.env();
    env.put("TEMPORAL_NAMESPACE", COMPOSE.env("worker").get("TEMPORAL_NAMESPACE"));
    return env;
  }

  /** SIGKILL to the Temporal server: what a crash does; PostgreSQL keeps what was committed. */
  void kill9Server() {
    closeConnection();
    server.kill9();
  }

  void restartServer() {
    server.start(true);
  }

  @Override
  void stopServer() {
    server.close();
  }

  @Override
  public void close() {
    super.close();
    postgres.close();
  }

  /**
   * The Temporal server ({@code temporal-server start}, all services in one process) with the compose file's
   * environment for the temporal service — the server's own env-var configuration template — and its dynamic config
   * file; on loopback, on free ports, on this PostgreSQL.
   */
  static final class TemporalServer implements AutoCloseable {

    private final Tools tools;
    private final Path log;
    final Map<String, String> env;
    private final int grpcPort;
    private Process process;

    TemporalServer(Tools tools, NativePostgres postgres, Path log) {
      this.tools = tools;
      this.log = log;
      Map<String, String> compose = COMPOSE.env("temporal");
      env = new LinkedHashMap<>(compose);
      env.put("POSTGRES_SEEDS", "127.0.0.1");
      env.put("DB_PORT", String.valueOf(postgres.port));
      env.put("BIND_ON_IP", "127.0.0.1");
      env.put("DYNAMIC_CONFIG_FILE_PATH", COMPOSE.configFile("temporal", compose.get("DYNAMIC_CONFIG_FILE_PATH")).toString());
      grpcPort = lowFreePort();
      env.put("FRONTEND_GRPC_PORT", String.valueOf(grpcPort));
      for (String port : List.of("FRONTEND_HTTP_PORT", "FRONTEND_MEMBERSHIP_PORT", "HISTORY_GRPC_PORT",
          "HISTORY_MEMBERSHIP_PORT", "MATCHING_GRPC_PORT", "MATCHING_MEMBERSHIP_PORT", "WORKER_GRPC_PORT",
          "WORKER_MEMBERSHIP_PORT")) {
        env.put(port, String.valueOf(lowFreePort()));
      }
    }

    /**
     * A free loopback port below 32768: the SQL schema keeps the services' ports in {@code cluster_membership.rpc_port},
     * a {@code smallint}, and a server on a port of the kernel's ephemeral range (32768 and up) dies at start-up
     * ("value is out of range for type smallint").
     */
    private static int lowFreePort() {
      java.util.Random random = new java.util.Random();
      for (int attempt = 0; attempt < 1000; attempt++) {
        int port = 20000 + random.nextInt(32767 - 20000);
        try (java.net.ServerSocket socket = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
          return port;
        } catch (IOException taken) {
          // try another
        }
      }
      throw new AssertionError("no free loopback port between 20000 and 32767");
    }

    String address() {
      return "127.0.0.1:" + grpcPort;
    }

    /** Starts the server (again, after {@link #kill9()}: same ports, same databases) and waits until it serves. */
    void start(boolean namespaceExpected) {
      assertThat(process == null || !process.isAlive()).as("the server is not running yet").isTrue();
      ProcessBuilder builder = new ProcessBuilder(tools.server().toString(), "start").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      // Nothing of the machine's Temporal settings (TEMPORAL_CONFIG_DIR, ...): only the compose file's configuration.
      builder.environment().keySet().removeIf(key -> key.startsWith("TEMPORAL_"));
      builder.environment().putAll(env);
      try {
        process = builder.start();
      } catch (IOException e) {
        throw new AssertionError("cannot start " + tools.server() + ": " + e, e);
      }
      awaitServing(namespaceExpected);
    }

    /** Serving = the frontend answers; after a restart, also the namespace (read back from PostgreSQL). */
    private void awaitServing(boolean namespaceExpected) {
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(address()).build());
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      String last = "nothing yet";
      try {
        while (System.nanoTime() < deadline) {
          if (!process.isAlive()) {
            throw new AssertionError("the Temporal server ended (exit " + process.exitValue() + ") while starting; its log "
                + log + ":\n" + tail());
          }
          try {
            stubs.blockingStub().withDeadlineAfter(2, TimeUnit.SECONDS).getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
            if (namespaceExpected) {
              stubs.blockingStub().withDeadlineAfter(2, TimeUnit.SECONDS).describeNamespace(
                  DescribeNamespaceRequest.newBuilder().setNamespace(COMPOSE.env("worker").get("TEMPORAL_NAMESPACE")).build());
            }
            return;
          } catch (StatusRuntimeException e) {
            last = e.getStatus().toString();
          }
          LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        throw new AssertionError("the Temporal server at " + address() + " did not serve within 90 s (" + last + "); its log:\n"
            + tail());
      } finally {
        stubs.shutdownNow();
      }
    }

    String tail() {
      String content = Jvm.read(log);
      String[] lines = content.split("\n");
      return String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 40), lines.length));
    }

    /** SIGKILL: nothing flushed, nothing closed. */
    void kill9() {
      process.destroyForcibly();
      try {
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the killed server is gone").isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** SIGTERM (a graceful stop, bounded), then SIGKILL. */
    @Override
    public void close() {
      DevEnvironment.stop(process);
    }
  }
}
