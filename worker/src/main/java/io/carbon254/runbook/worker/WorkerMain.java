package io.carbon254.runbook.worker;

import io.carbon254.runbook.config.Durations;
import io.carbon254.runbook.worker.codec.Keyring;
import io.carbon254.runbook.worker.codec.PayloadEncryption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The worker image's entry point ({@code java -jar runbook-worker.jar}): {@code worker} runs a
 * worker against the real cluster, {@code setup} prepares the Temporal namespace. It is the
 * worker module alone — no CLI, no simulator, no test server — so that is all a production image
 * holds; {@code runbook worker} and {@code runbook setup} of the CLI run the same code.
 *
 * <p>Exit codes as the CLI's: 0 done, 1 failed, 2 usage, 5 Temporal or the cluster unavailable.
 */
@Command(name = "runbook-worker", mixinStandardHelpOptions = true,
    subcommands = {WorkerMain.Run.class, WorkerMain.Setup.class},
    description = "The runbook worker. Temporal from TEMPORAL_ADDRESS/TEMPORAL_NAMESPACE/TEMPORAL_API_KEY/TEMPORAL_TLS_* (temporal-envconfig).")
public final class WorkerMain implements Callable<Integer> {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int UNAVAILABLE = 5;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  static int execute(String... args) {
    CommandLine cli = new CommandLine(new WorkerMain());
    cli.setExecutionExceptionHandler((e, command, parsed) -> {
      if (e instanceof StartupException) {
        System.err.println("runbook-worker: " + e.getMessage());
        return UNAVAILABLE;
      }
      if (e instanceof NamespaceSetup.SetupFailed failed) {
        System.err.println("runbook-worker: " + failed.getMessage());
        return failed.unavailable() ? UNAVAILABLE : FAILED;
      }
      throw e;
    });
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    CommandLine.usage(this, System.err);
    return USAGE;
  }

  @Command(name = "worker", mixinStandardHelpOptions = true,
      description = {"Run a worker until stopped (SIGTERM lets running activities finish): every runbook workflow and",
          "activity on one task queue; the cluster from KUBECONFIG, ~/.kube/config or in-cluster."})
  static final class Run implements Callable<Integer> {
    @Option(names = "--address", paramLabel = "HOST:PORT", description = "Temporal frontend (default: TEMPORAL_ADDRESS or temporal.toml).")
    String address;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
        description = "Platform configuration (default: RUNBOOK_CONFIG, or the built-in config/254carbon.yaml).")
    Path config;

    @Option(names = "--config-dir", paramLabel = "DIR",
        description = "Serve every platform configured in DIR (one *.yaml per platform; default: RUNBOOK_CONFIG_DIR).")
    Path configDir;

    @Option(names = "--task-queue", paramLabel = "QUEUE", description = "Task queue (default: runbooks).")
    String taskQueue;

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "9464",
        description = "Port of /metrics and /healthz (0: any free port; default ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--metrics-address", paramLabel = "ADDRESS", defaultValue = OpsServer.DEFAULT_ADDRESS,
        description = "Address /metrics and /healthz listen on (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 in a"
            + " container whose port Prometheus scrapes).")
    String metricsAddress;

    @Option(names = "--codec-keys", paramLabel = "FILE",
        description = "Keyring for payload encryption (default: " + Keyring.ENV + "; none: payloads are not encrypted).")
    Path codecKeys;

    @Override
    public Integer call() throws InterruptedException {
      Path file = config != null ? config : env("RUNBOOK_CONFIG");
      Path dir = configDir != null ? configDir : env("RUNBOOK_CONFIG_DIR");
      RunbookWorker worker = RunbookWorker.start(new RunbookWorker.Options(address, taskQueue,
          OpsServer.address(metricsAddress, metricsPort), RunbookWorker.loadPlatforms(file, dir), null,
          PayloadEncryption.configured(codecKeys)));
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        worker.close();
        stopped.countDown();
      }, "runbook-worker-shutdown"));
      System.out.println("worker running: " + worker.description());
      stopped.await();
      return OK;
    }

    private static Path env(String name) {
      String value = System.getenv(name);
      return value == null || value.isBlank() ? null : Path.of(value);
    }
  }

  @Command(name = "setup", mixinStandardHelpOptions = true,
      description = {"Prepare the Temporal namespace: register it when missing, and the search attributes every run keeps",
          "(" + NamespaceSetup.ATTRIBUTE_NAMES + "). Safe to re-run."})
  static final class Setup implements Callable<Integer> {
    @Option(names = "--address", paramLabel = "HOST:PORT", description = "Temporal frontend (default: TEMPORAL_ADDRESS or temporal.toml).")
    String address;

    @Option(names = "--retention", paramLabel = "DURATION", defaultValue = "3d",
        description = "How long a new namespace keeps closed runs (default: ${DEFAULT-VALUE}).")
    String retention;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "0s",
        description = "Keep trying this long while the server is not reachable yet (default: ${DEFAULT-VALUE}).")
    String waitFor;

    @Override
    public Integer call() {
      Duration keep;
      Duration patience;
      try {
        keep = Durations.parse(retention);
        patience = Durations.parse(waitFor);
      } catch (IllegalArgumentException e) {
        System.err.println("runbook-worker setup: " + e.getMessage());
        return USAGE;
      }
      new NamespaceSetup(System.out::println).run(address, keep, patience);
      return OK;
    }
  }
}
