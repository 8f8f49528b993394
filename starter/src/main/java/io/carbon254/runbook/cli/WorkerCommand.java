package io.carbon254.runbook.cli;

import io.carbon254.runbook.sandbox.Sandbox;
import io.carbon254.runbook.sandbox.SandboxEndpoints;
import io.carbon254.runbook.worker.PlatformConnections;
import io.carbon254.runbook.worker.RunbookWorker;
import io.carbon254.runbook.worker.StartupException;
import java.nio.file.Files;
import java.nio.file.Path;
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

  @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "9464",
      description = "Port of /metrics and /healthz (0: any free port; default ${DEFAULT-VALUE}).")
  int metricsPort;

  @Override
  public Integer call() throws InterruptedException {
    SandboxEndpoints endpoints = sandbox ? sandboxEndpoints(sandboxDir) : null;
    RunbookWorker worker;
    try {
      worker = RunbookWorker.start(new RunbookWorker.Options(temporal.address, temporal.taskQueue, metricsPort,
          temporal.config != null ? temporal.config : envConfig(), endpoints == null ? null : () -> connections(endpoints)));
    } catch (StartupException e) {
      throw new CliException(ExitCodes.UNAVAILABLE, "the worker cannot start: " + e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      stopped.countDown();
    }, "runbook-worker-shutdown"));
    System.out.println("worker running: " + worker.description());
    System.out.println("metrics: http://127.0.0.1:" + worker.metricsPort() + "/metrics   health: http://127.0.0.1:"
        + worker.metricsPort() + "/healthz");
    stopped.await();
    return ExitCodes.OK;
  }

  /** The worker's connections to the simulated platform of a running sandbox. */
  static PlatformConnections connections(SandboxEndpoints endpoints) {
    return PlatformConnections.simulated(endpoints.kubernetesConfig(), endpoints.routes(),
        "the sandbox platform at " + endpoints.kubernetesUrl());
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
    String env = System.getenv("RUNBOOK_CONFIG");
    return env == null || env.isBlank() ? null : Path.of(env);
  }
}
