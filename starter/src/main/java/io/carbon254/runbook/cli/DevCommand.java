package io.carbon254.runbook.cli;

import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dev", mixinStandardHelpOptions = true,
    description = {"Run a Temporal service on 127.0.0.1 with our search attributes, and a worker in the same process.",
        "With the Temporal CLI ('temporal' on PATH, in .tools/temporal/bin, RUNBOOK_TEMPORAL_CLI or --temporal-cli):",
        "the real dev server (temporal server start-dev) on a SQLite file, with the Web UI. Without it: the embedded",
        "test server, IN MEMORY (runs are lost when it stops), no Web UI. --sandbox adds the simulated 254Carbon platform."})
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

  @Option(names = "--temporal-cli", paramLabel = "PATH",
      description = "The Temporal CLI to run the real dev server with (default: RUNBOOK_TEMPORAL_CLI, .tools/temporal/bin/temporal, or 'temporal' on PATH).")
  Path temporalCli;

  @Option(names = "--in-memory", description = "Use the embedded in-memory test server even if the Temporal CLI is installed.")
  boolean inMemory;

  @Option(names = "--db-file", paramLabel = "FILE",
      description = "SQLite database of the real dev server (default: temporal-dev.db in RUNBOOK_STATE_DIR or ~/.local/state/runbook).")
  Path dbFile;

  @Option(names = "--ui-port", paramLabel = "PORT", description = "Port of the Web UI of the real dev server (default: --port + 1000).")
  Integer uiPort;

  @Override
  public Integer call() throws InterruptedException {
    PlatformConfig config = temporal.loadConfig();
    Path stateDir = sandboxDir != null ? sandboxDir : Sandbox.defaultStateDir();
    Optional<Path> cli = inMemory ? Optional.empty() : DevEnvironment.CliServer.find(temporalCli);
    DevEnvironment.RealServer real = cli.map(exe -> {
      Path db = (dbFile != null ? dbFile : Sandbox.defaultStateDir().resolve("temporal-dev.db")).toAbsolutePath();
      return new DevEnvironment.RealServer(exe, uiPort != null ? uiPort : port + 1000, db,
          db.resolveSibling(db.getFileName() + ".log"));
    }).orElse(null);
    DevEnvironment dev = DevEnvironment.start(port, config, sandbox, !noWorker, stateDir, real, temporal.encryption());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      dev.close();
      stopped.countDown();
    }, "runbook-dev-shutdown"));
    System.out.println("runbook dev: " + dev.serverDescription + " at " + dev.address + ", namespace default");
    if (real == null) {
      System.out.println("  !! IN MEMORY: every run is lost when this process stops, and there is no Web UI.");
      System.out.println("     " + (inMemory ? "(--in-memory)" : "No Temporal CLI found; " + DevEnvironment.CliServer.INSTALL_HINT));
      System.out.println("     For real use, run a Temporal server (docker compose up, a cluster, Temporal Cloud) and set TEMPORAL_ADDRESS.");
    } else {
      System.out.println("  Web UI: " + dev.webUi + "   (export RUNBOOK_WEB_UI=" + dev.webUi + " and 'runbook start' prints each run's page)");
      System.out.println("  runs persist in " + real.dbFile() + " (server log: " + real.log() + ")");
    }
    System.out.println("  " + dev.temporal.encryption().describe() + (dev.codecServer == null ? ""
        : "; the Web UI decodes them through the codec server " + dev.codecServer.url()));
    if (dev.sandbox != null) {
      System.out.println("  sandbox platform '" + config.name() + "': Kubernetes API " + dev.sandbox.endpoints().kubernetesUrl()
          + " (endpoints published in " + dev.sandboxStateFile + ")");
    }
    System.out.println(dev.worker != null
        ? "  worker: " + dev.worker.description()
        : "  no worker here: start one with 'runbook worker" + (sandbox ? " --sandbox" : "") + " --address " + dev.address
            + (temporal.codecKeys != null ? " --codec-keys " + temporal.codecKeys : "") + "'");
    System.out.println("In another terminal: runbook start platform-check; runbook status platform-check --watch; runbook list");
    System.out.println("Ctrl-C stops everything.");
    stopped.await();
    return ExitCodes.OK;
  }
}
