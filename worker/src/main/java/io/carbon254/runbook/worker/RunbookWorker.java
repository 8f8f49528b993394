package io.carbon254.runbook.worker;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.InvalidConfigException;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.RunbookLauncher;
import io.carbon254.runbook.sandbox.SandboxEndpoints;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker: every runbook workflow and every activity on one task queue, Prometheus metrics
 * (Temporal SDK metrics and the runbooks' own) and a health endpoint, and a graceful shutdown
 * that lets running activities finish.
 */
public final class RunbookWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RunbookWorker.class);

  /**
   * @param temporalAddress host:port instead of the environment's ({@code TEMPORAL_ADDRESS}), or null
   * @param metricsPort port of /metrics and /healthz (0: any free port), or null for none
   * @param configFile the platform configuration, or null for the built-in default
   * @param sandbox the simulated platform to work on, or null for the real cluster
   */
  public record Options(String temporalAddress, String taskQueue, Integer metricsPort, Path configFile,
      SandboxEndpoints sandbox) {}

  private final WorkerFactory factory;
  private final List<AutoCloseable> resources;
  private final OpsServer ops;
  private final String description;
  private volatile boolean stopping;

  private RunbookWorker(WorkerFactory factory, List<AutoCloseable> resources, OpsServer ops, String description) {
    this.factory = factory;
    this.resources = resources;
    this.ops = ops;
    this.description = description;
  }

  /** Starts a worker process's worker: reads the configuration, connects, registers, serves metrics. */
  public static RunbookWorker start(Options options) {
    PlatformConfig config = loadConfig(options.configFile());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Scope metrics = new RootScopeBuilder()
        .reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(com.uber.m3.util.Duration.ofSeconds(5));
    PlatformConnections platform = options.sandbox() == null
        ? PlatformConnections.cluster()
        : PlatformConnections.sandbox(options.sandbox());
    TemporalConnection temporal;
    try {
      temporal = TemporalConnection.connect(options.temporalAddress(), metrics);
    } catch (RuntimeException e) {
      platform.close();
      throw e;
    }
    String taskQueue = options.taskQueue() == null ? RunbookLauncher.TASK_QUEUE : options.taskQueue();
    List<AutoCloseable> resources = new ArrayList<>(List.of(platform, temporal));
    WorkerFactory factory = register(temporal.client(), platform, taskQueue);
    OpsServer ops = null;
    if (options.metricsPort() != null) {
      RunbookWorker[] self = new RunbookWorker[1];
      ops = new OpsServer(new InetSocketAddress(options.metricsPort()), registry, () -> self[0] == null ? "starting" : self[0].health());
      RunbookWorker worker = new RunbookWorker(factory, resources, ops, describe(config, temporal, taskQueue, platform));
      self[0] = worker;
      factory.start();
      return worker;
    }
    factory.start();
    return new RunbookWorker(factory, resources, null, describe(config, temporal, taskQueue, platform));
  }

  /** A worker inside another process (runbook dev, tests) on an existing client and platform. */
  public static RunbookWorker embedded(WorkflowClient client, PlatformConnections platform, String taskQueue) {
    WorkerFactory factory = register(client, platform, taskQueue);
    factory.start();
    return new RunbookWorker(factory, List.of(), null, "task queue " + taskQueue + " on " + platform.describe());
  }

  private static WorkerFactory register(WorkflowClient client, PlatformConnections platform, String taskQueue) {
    // No sticky execution and no workflow cache: a worker killed while a run waits strands no
    // workflow task on its own sticky queue (the embedded test server never re-routes those; a
    // real server does after a timeout), and a runbook's few hundred events replay in milliseconds.
    WorkerFactory factory = WorkerFactory.newInstance(client,
        WorkerFactoryOptions.newBuilder().setWorkflowCacheSize(0).build());
    Worker worker = factory.newWorker(taskQueue,
        WorkerOptions.newBuilder().setStickyQueueScheduleToStartTimeout(Duration.ZERO).build());
    for (RunbookPlugin plugin : RunbookPlugins.all()) {
      plugin.runbooks().forEach(runbook -> worker.registerWorkflowImplementationTypes(runbook.implementation()));
      worker.registerActivitiesImplementations(plugin.activities(platform).toArray());
    }
    return factory;
  }

  static PlatformConfig loadConfig(Path file) {
    try {
      return file == null ? ConfigLoader.loadDefault() : ConfigLoader.load(file);
    } catch (InvalidConfigException e) {
      throw new StartupException(e.getMessage());
    }
  }

  private static String describe(PlatformConfig config, TemporalConnection temporal, String taskQueue,
      PlatformConnections platform) {
    return "platform " + config.name() + ", Temporal " + temporal.address() + " namespace " + temporal.namespace()
        + ", task queue " + taskQueue + ", " + platform.describe();
  }

  /** null when healthy, otherwise why not. */
  public String health() {
    if (stopping || factory.isShutdown()) {
      return "shutting down";
    }
    return factory.isStarted() ? null : "not started";
  }

  public String description() {
    return description;
  }

  /** The port of /metrics and /healthz, or -1. */
  public int metricsPort() {
    return ops == null ? -1 : ops.port();
  }

  /** Stops polling, lets running activities finish (up to 30 s), then closes connections. */
  @Override
  public void close() {
    stopping = true;
    log.info("worker shutting down: finishing running tasks");
    factory.shutdown();
    factory.awaitTermination(30, TimeUnit.SECONDS);
    if (ops != null) {
      ops.close();
    }
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        log.warn("closing {}: {}", resource, e.toString());
      }
    }
  }
}
