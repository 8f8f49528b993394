package io.carbon254.runbook.cli;

import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.sandbox.Sandbox;
import io.temporal.testserver.TestServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dev", mixinStandardHelpOptions = true,
    description = {"Run an embedded Temporal service on 127.0.0.1 (IN MEMORY: runs are lost when it stops) with our",
        "search attributes, and a worker in the same process. --sandbox adds the simulated 254Carbon platform."})
final class DevCommand implements Callable<Integer> {

  @Mixin
  TemporalOptions temporal;

  @Option(names = "--port", defaultValue = "7233", description = "Port of the Temporal service (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--sandbox", description = "Also run the simulated platform and point the worker at it.")
  boolean sandbox;

  @Option(names = "--no-worker", description = "Run no worker here; start workers with 'runbook worker [--sandbox]'.")
  boolean noWorker;

  @Option(names = "--sandbox-dir", paramLabel = "DIR", description = "Where to publish the sandbox endpoints (default: RUNBOOK_STATE_DIR or ~/.local/state/runbook).")
  Path sandboxDir;

  @Override
  public Integer call() throws InterruptedException {
    PlatformConfig config = temporal.loadConfig();
    DevEnvironment dev = DevEnvironment.start(port, config, sandbox, !noWorker,
        sandboxDir != null ? sandboxDir : Sandbox.defaultStateDir());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      dev.close();
      stopped.countDown();
    }, "runbook-dev-shutdown"));
    System.out.println("runbook dev: Temporal test server " + TestServer.class.getPackage().getImplementationVersion()
        + " at " + dev.address + ", namespace default");
    System.out.println("  !! IN MEMORY: every run is lost when this process stops. For real use, run a Temporal server");
    System.out.println("     (docker compose up, a cluster, Temporal Cloud) and set TEMPORAL_ADDRESS.");
    if (dev.sandbox != null) {
      System.out.println("  sandbox platform '" + config.name() + "': Kubernetes API " + dev.sandbox.endpoints().kubernetesUrl()
          + " (endpoints published in " + dev.sandboxStateFile + ")");
    }
    System.out.println(dev.worker != null
        ? "  worker: " + dev.worker.description()
        : "  no worker here: start one with 'runbook worker" + (sandbox ? " --sandbox" : "") + " --address " + dev.address + "'");
    System.out.println("In another terminal: runbook start platform-check; runbook status platform-check --watch; runbook list");
    System.out.println("Ctrl-C stops everything.");
    stopped.await();
    return ExitCodes.OK;
  }
}
