package io.carbon254.runbook.cli;

import io.carbon254.runbook.sandbox.Sandbox;
import io.carbon254.runbook.sandbox.SandboxEndpoints;
import io.carbon254.runbook.worker.PlatformConnections;
import io.carbon254.runbook.worker.RunbookWorker;
import io.carbon254.runbook.worker.OpsServer;
import io.carbon254.runbook.worker.StartupException;
import io.carbon254.runbook.worker.codec.PayloadEncryption;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import io.carbon254.runbook.config.PlatformConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {"Run a worker: every runbook workflow and activity on one task queue, until stopped (SIGTERM/Ctrl-C",
        "lets running activities finish). Temporal from TEMPORAL_ADDRESS/TEMPORAL_NAMESPACE/TEMPORAL_API_KEY/TEMPORAL_TLS_*",
        "(or --address); the cluster from KUBECONFIG, ~/.kube/config or in-cluster; or --sandbox."})
final class WorkerCommand implements Callable<Integer> {

  @Mixin
  TemporalOptions temporal;

  @Option(names = "--sandbox", description = "Work on the simulated platform of a running 'runbook dev --sandbox'.")
  boolean sandbox;

  @Option(names = "--sandbox-dir", paramLabel = "DIR", description = "Where that sandbox published its endpoints (default: RUNBOOK_STATE_DIR or ~/.local/state/runbook).")
  Path sandboxDir;

  @Option(names = "--config-dir", paramLabel = "DIR",
      description = "Serve every platform configured in DIR (one *.yaml per platform; default: RUNBOOK_CONFIG_DIR).")
  Path configDir;

  @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "9464",
      description = "Port of /metrics and /healthz (0: any free port; default ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(names = "--metrics-address", paramLabel = "ADDRESS", defaultValue = OpsServer.DEFAULT_ADDRESS,
      description = "Address /metrics and /healthz listen on (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 for"
          + " a Prometheus elsewhere).")
  String metricsAddress;

  @Override
  public Integer call() throws InterruptedException {
    SandboxEndpoints endpoints = sandbox ? sandboxEndpoints(sandboxDir) : null;
    PayloadEncryption encryption = temporal.encryption();
    InetSocketAddress metricsAt;
    try {
      metricsAt = OpsServer.address(metricsAddress, metricsPort);
    } catch (StartupException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
    RunbookWorker worker;
    try {
      List<PlatformConfig> platforms = RunbookWorker.loadPlatforms(temporal.config != null ? temporal.config : envConfig(),
          configDir != null ? configDir : env("RUNBOOK_CONFIG_DIR"));
      if (sandbox) {
        // The sandbox is a platform of its own: its people's keys are its allowed signers.
        Path dir = sandboxDir != null ? sandboxDir : Sandbox.defaultStateDir();
        SandboxPeople people = SandboxPeople.read(dir).orElseThrow(() -> new CliException(ExitCodes.UNAVAILABLE,
            "the sandbox in " + dir + " has no keys for its people: restart it with 'runbook dev --sandbox'"));
        platforms = platforms.stream().map(people::platform).toList();
      }
      worker = RunbookWorker.start(new RunbookWorker.Options(temporal.address, temporal.taskQueue, metricsAt,
          platforms, endpoints == null ? null : () -> connections(endpoints), encryption));
    } catch (StartupException e) {
      throw new CliException(ExitCodes.UNAVAILABLE, "the worker cannot start: " + e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      stopped.countDown();
    }, "runbook-worker-shutdown"));
    System.out.println("worker running: " + worker.description());
    InetSocketAddress metrics = worker.metricsAddress();
    String base = "http://" + (metrics.getAddress().isAnyLocalAddress() ? "127.0.0.1" : metrics.getHostString()) + ":"
        + metrics.getPort();
    System.out.println("metrics: " + base + "/metrics   health: " + base + "/healthz"
        + (metrics.getAddress().isAnyLocalAddress() ? "   (listening on every interface)" : ""));
    stopped.await();
    return ExitCodes.OK;
  }

  /** The worker's connections to the simulated platform of a running sandbox. */
  static PlatformConnections connections(SandboxEndpoints endpoints) {
    return PlatformConnections.simulated(endpoints.kubernetesConfig(), endpoints.routes(), endpoints.connectTo(),
        endpoints.connectToCa(), "the sandbox platform at " + endpoints.kubernetesUrl());
  }

  static SandboxEndpoints sandboxEndpoints(Path dir) {
    Path file = Sandbox.stateFile(dir != null ? dir : Sandbox.defaultStateDir());
    if (!Files.exists(file)) {
      throw new CliException(ExitCodes.UNAVAILABLE, "no sandbox is running (" + file + " is missing): start one with"
          + " 'runbook dev --sandbox'");
    }
    return SandboxEndpoints.read(file);
  }

  private static Path envConfig() {
    return env("RUNBOOK_CONFIG");
  }

  private static Path env(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? null : Path.of(value);
  }
}
