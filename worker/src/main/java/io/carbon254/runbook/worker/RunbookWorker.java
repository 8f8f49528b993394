package io.carbon254.runbook.worker;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.ConfigValidator;
import io.carbon254.runbook.engine.GateOverrides;
import io.carbon254.runbook.config.InvalidConfigException;
import io.carbon254.runbook.config.Notifications;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.activities.SecretResolver;
import io.carbon254.runbook.activities.SecretUnavailableException;
import io.carbon254.runbook.engine.RunbookLauncher;
import io.carbon254.runbook.worker.codec.PayloadEncryption;
import io.carbon254.runbook.worker.codec.UnreadablePayloadLogFilter;
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
import java.util.function.Supplier;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoResponse;
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
   * @param metrics where /metrics and /healthz listen (port 0: any free port; see {@link
   *     OpsServer#address(String, int)}), or null for none
   * @param platforms the platforms this worker serves, as its configuration describes them (see
   *     {@link #loadPlatforms}); empty for the built-in default
   * @param platform how to reach a simulated platform, or null for the real cluster ({@link
   *     PlatformConnections#cluster()})
   * @param encryption payload encryption, or null for the environment's ({@code RUNBOOK_CODEC_KEYS})
   */
  public record Options(String temporalAddress, String taskQueue, InetSocketAddress metrics, List<PlatformConfig> platforms,
      Supplier<PlatformConnections> platform, PayloadEncryption encryption) {}

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
    List<PlatformConfig> configs = options.platforms() == null || options.platforms().isEmpty()
        ? List.of(ConfigLoader.loadDefault()) : options.platforms();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Scope metrics = new RootScopeBuilder()
        .reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(com.uber.m3.util.Duration.ofSeconds(5));
    PlatformConnections platform = options.platform() == null ? PlatformConnections.cluster() : options.platform().get();
    TemporalConnection temporal;
    try {
      PayloadEncryption encryption = options.encryption() != null ? options.encryption() : PayloadEncryption.configured(null);
      // The one line that says why this worker's workflow and activity tasks fail, instead of the SDK's stack
      // trace at every attempt.
      encryption.onUnreadable(reason -> log.error("this worker cannot read a run's payloads: {}", reason));
      UnreadablePayloadLogFilter.install();
      temporal = TemporalConnection.connect(options.temporalAddress(), metrics, encryption);
      List<String> missing = isEmbeddedTestServer(temporal.client()) ? List.of() : NamespaceSetup.missingSearchAttributes(temporal);
      if (!missing.isEmpty()) {
        temporal.close();
        throw new StartupException("namespace " + temporal.namespace() + " lacks the search attributes " + missing
            + " that runs keep (a run would fail at its first update of them): run './runbook setup' against it"
            + " (docker compose: its temporal-namespace step), then start the worker again");
      }
    } catch (RuntimeException e) {
      platform.close();
      throw e;
    }
    String taskQueue = options.taskQueue() == null ? RunbookLauncher.TASK_QUEUE : options.taskQueue();
    configs.forEach(config -> checkNotifications(config, platform.secrets()));
    configs.forEach(config -> ConfigValidator.warnings(config).forEach(w -> log.warn("platform {}: {}", config.name(), w)));
    List<AutoCloseable> resources = new ArrayList<>(List.of(platform, temporal));
    WorkerFactory factory = register(temporal.client(), configs, platform, taskQueue);
    OpsServer ops = null;
    if (options.metrics() != null) {
      RunbookWorker[] self = new RunbookWorker[1];
      ops = new OpsServer(options.metrics(), registry, () -> self[0] == null ? "starting" : self[0].health());
      if (!isEmbeddedTestServer(temporal.client())) {
        // The embedded test server answers no visibility queries on search attributes.
        resources.add(0, WaitingRunsMetrics.start(registry, temporal.client())); // closed before the client
      }
      RunbookWorker worker = new RunbookWorker(factory, resources, ops, describe(configs, temporal, taskQueue, platform));
      self[0] = worker;
      factory.start();
      return worker;
    }
    factory.start();
    return new RunbookWorker(factory, resources, null, describe(configs, temporal, taskQueue, platform));
  }

  /** A worker inside another process (runbook dev, tests) on an existing client and platform. */
  public static RunbookWorker embedded(WorkflowClient client, PlatformConfig config, PlatformConnections platform,
      String taskQueue) {
    WorkerFactory factory = register(client, List.of(config), platform, taskQueue);
    factory.start();
    return new RunbookWorker(factory, List.of(), null, "task queue " + taskQueue + " on " + platform.describe());
  }

  private static WorkerFactory register(WorkflowClient client, List<PlatformConfig> configs, PlatformConnections platform,
      String taskQueue) {
    WorkerFactory factory;
    Worker worker;
    // The worker's half of the trust boundary: runs carry their signed start and approvals to their
    // activities, which this worker checks against its own configuration before they run.
    ChangeAuthorization authorization = new ChangeAuthorization(configs, client.getOptions().getDataConverter());
    if (isEmbeddedTestServer(client)) {
      // The embedded test server (runbook dev without the Temporal CLI) never moves a workflow task
      // off a dead worker's sticky queue, so a run would stall when its worker is killed: there, no
      // sticky execution and no workflow cache (every task replays the run's history).
      factory = WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder().setWorkflowCacheSize(0)
          .setWorkerInterceptors(authorization).build());
      worker = factory.newWorker(taskQueue, WorkerOptions.newBuilder().setStickyQueueScheduleToStartTimeout(Duration.ZERO).build());
    } else {
      // A real server hands a dead worker's sticky tasks to any worker after the sticky
      // schedule-to-start timeout (5 s): cached runs, no replay of their whole history per task.
      factory = WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder().setWorkerInterceptors(authorization).build());
      worker = factory.newWorker(taskQueue);
    }
    // What every run reads at its start: the platform as this worker's configuration describes it.
    worker.registerActivitiesImplementations(new ConfiguredPlatforms(configs));
    for (RunbookPlugin plugin : RunbookPlugins.all()) {
      plugin.runbooks().forEach(runbook -> worker.registerWorkflowImplementationTypes(runbook.implementation()));
      Object[] activities = plugin.activities(platform).toArray();
      authorization.register(activities);
      worker.registerActivitiesImplementations(activities);
    }
    log.debug("activities that change the platform, checked against this worker's configuration: {}",
        authorization.changingTypes());
    return factory;
  }

  /**
   * Says once, at start-up, which webhooks this worker cannot post to (their URL's secret is not
   * here): a run then notes it in its status instead of failing a notification at every gate.
   */
  public static void checkNotifications(PlatformConfig config, SecretResolver secrets) {
    for (Notifications.Webhook webhook : config.notifications().webhooks()) {
      try {
        secrets.resolve(webhook.url());
      } catch (SecretUnavailableException e) {
        log.warn("notifications to webhook '{}' are off on this worker: {}", webhook.name(), e.getMessage());
      } catch (RuntimeException e) {
        log.warn("notifications to webhook '{}' may fail: its URL ({}) cannot be read now: {}", webhook.name(),
            webhook.url().describe(), e.getClass().getSimpleName());
      }
    }
  }

  /** The embedded test server reports no server version; every real Temporal server does. */
  static boolean isEmbeddedTestServer(WorkflowClient client) {
    GetSystemInfoResponse info = client.getWorkflowServiceStubs().blockingStub()
        .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
    return info.getServerVersion().isEmpty();
  }

  /**
   * The platforms a worker serves: the file {@code file} (else {@code RUNBOOK_CONFIG}, else the
   * built-in default) and every {@code *.yaml} of {@code dir} (one file per platform), each
   * validated; two files of one platform name are refused.
   */
  public static List<PlatformConfig> loadPlatforms(Path file, Path dir) {
    java.util.Map<String, PlatformConfig> platforms = new java.util.LinkedHashMap<>();
    List<Path> files = new java.util.ArrayList<>();
    if (dir != null) {
      try (var listing = java.nio.file.Files.list(dir)) {
        listing.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().forEach(files::add);
      } catch (java.io.IOException e) {
        throw new StartupException("cannot read the platform configurations in " + dir + ": " + e.getMessage());
      }
      if (files.isEmpty()) {
        throw new StartupException("no platform configuration (*.yaml) in " + dir);
      }
    }
    if (file != null || files.isEmpty()) {
      platforms.put(loadConfig(file).name(), loadConfig(file));
    }
    for (Path f : files) {
      PlatformConfig config = loadConfig(f);
      if (platforms.containsKey(config.name())) {
        throw new StartupException("two configurations of platform '" + config.name() + "' (" + f + "): a worker serves"
            + " each platform once");
      }
      platforms.put(config.name(), config);
    }
    return List.copyOf(platforms.values());
  }

  static PlatformConfig loadConfig(Path file) {
    PlatformConfig config;
    try {
      config = file == null ? ConfigLoader.loadDefault() : ConfigLoader.load(file);
    } catch (InvalidConfigException e) {
      throw new StartupException(e.getMessage());
    }
    List<GateOverrides.Finding> problems = GateOverrides.problems(config.approvals(), RunbookPlugins.runbooks());
    if (!problems.isEmpty()) {
      throw new StartupException((file == null ? "the built-in configuration" : file.toString()) + ": "
          + problems.stream().map(GateOverrides.Finding::toString).collect(java.util.stream.Collectors.joining("; ")));
    }
    return config;
  }

  private static String describe(List<PlatformConfig> configs, TemporalConnection temporal, String taskQueue,
      PlatformConnections platform) {
    return "platform " + String.join(", ", configs.stream().map(PlatformConfig::name).toList()) + ", Temporal "
        + temporal.address() + " namespace " + temporal.namespace() + ", task queue " + taskQueue + ", "
        + platform.describe() + ", " + temporal.encryption().describe();
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

  /** Where /metrics and /healthz listen, or null. */
  public InetSocketAddress metricsAddress() {
    return ops == null ? null : ops.address();
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
