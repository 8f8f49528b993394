package io.carbon254.runbook.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.carbon254.runbook.config.Approvals;
import io.carbon254.runbook.config.Notifications;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.AbstractRunbookWorkflow;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.NotificationResult;
import io.carbon254.runbook.engine.NotifierActivities;
import io.carbon254.runbook.engine.Notification;
import io.carbon254.runbook.engine.RunbookLauncher;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookTesting;
import io.carbon254.runbook.engine.TestPlatforms;
import io.carbon254.runbook.engine.RunbookWorkflow;
import io.carbon254.runbook.engine.Step;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.History;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Workflow-task latency and replay work of a long run (300 steps by default) on the real Temporal
 * dev server (the Temporal CLI), once with the worker's workflow cache and sticky execution on (as
 * the worker runs on real servers) and once with both off (as it runs on the embedded test server,
 * where every workflow task replays the whole history so far). Not a test: it prints a table and
 * writes {@code starter/target/benchmark/workflow-tasks.json}.
 *
 * <p>For each: wall time of the run; per workflow task, from the history, the time from scheduled
 * to completed and the worker's part of it (started to completed); the events the worker had to
 * replay (with the cache off, every task replays all events before it; with the cache on, none);
 * the SDK's own replay-latency timer; and the worker's CPU time.
 *
 * <p>Run from the repository's root: {@code mvn -B -q -pl starter -am test-compile
 * dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test && java -cp
 * starter/target/test-classes:starter/target/classes:$(cat starter/target/bench.cp)
 * io.carbon254.runbook.cli.WorkflowTaskBenchmark [steps]}
 */
public final class WorkflowTaskBenchmark {

  /** A runbook of many quick steps. */
  @WorkflowInterface
  public interface LongRunWorkflow extends RunbookWorkflow {
    @WorkflowMethod
    RunbookResult run(RunbookRequest request);
  }

  @ActivityInterface
  public interface TouchActivities {
    Changed.Result touch(int step);
  }

  public static final class LongRunWorkflowImpl extends AbstractRunbookWorkflow implements LongRunWorkflow {
    private final TouchActivities touch = runbook.activities(TouchActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(10)).build());

    public LongRunWorkflowImpl() {
      super("long-run");
    }

    @Override
    public RunbookResult run(RunbookRequest request) {
      int count = Integer.parseInt(request.option("steps", "300"));
      return runbook.run(request, rb -> {
        List<Step> steps = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
          steps.add(rb.declare("step-" + i, "Step " + i));
        }
        for (int i = 0; i < count; i++) {
          int n = i + 1;
          steps.get(i).run(() -> touch.touch(n));
        }
      });
    }
  }

  static final class Touches implements TouchActivities, NotifierActivities {
    @Override
    public Changed.Result touch(int step) {
      return new Changed.Result(Change.UPDATED, "step " + step + " touched");
    }

    @Override
    public NotificationResult notify(Notifications targets, Notification notification) {
      return NotificationResult.delivered(0);
    }
  }

  record Figures(String mode, double wallSeconds, int workflowTasks, int events, int historyBytes,
      double taskP50Ms, double taskP95Ms, double taskMaxMs, double workerP50Ms, double workerP95Ms,
      long eventsReplayed, double sdkReplaySeconds, double workerCpuSeconds) {}

  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    Path dir = Files.createTempDirectory("runbook-wft-benchmark");
    try (DevEnvironment.CliServer server = new DevEnvironment.CliServer(RealTemporalServer.cli(), DevEnvironment.freePort(),
        DevEnvironment.freePort(), dir.resolve("temporal.db"), dir.resolve("temporal.log"))) {
      server.start();
      System.out.println("Temporal dev server " + server.version() + " at " + server.address() + "; " + steps + " steps");
      List<Figures> all = new ArrayList<>();
      all.add(measure(server.address(), true, steps, "warm-up"));
      all.clear();
      all.add(measure(server.address(), true, steps, "cache on (real servers)"));
      all.add(measure(server.address(), false, steps, "cache off (embedded test server)"));
      print(all);
      Path out = Path.of("starter", "target", "benchmark", "workflow-tasks.json");
      Files.createDirectories(out.getParent());
      new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), Map.of("steps", steps, "runs", all));
      System.out.println("wrote " + out);
    }
    System.exit(0); // the SDK's client threads would keep the JVM alive a while
  }

  private static Figures measure(String address, boolean cache, int steps, String mode) throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    Scope scope = new RootScopeBuilder().reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(com.uber.m3.util.Duration.ofMillis(100));
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget(address).setMetricsScope(scope).build());
    try {
      WorkflowClient client = WorkflowClient.newInstance(service);
      String queue = "benchmark-" + (cache ? "cached" : "uncached") + "-" + System.nanoTime();
      WorkerFactory factory = cache
          ? WorkerFactory.newInstance(client)
          : WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder().setWorkflowCacheSize(0).build());
      Worker worker = cache ? factory.newWorker(queue)
          : factory.newWorker(queue, WorkerOptions.newBuilder().setStickyQueueScheduleToStartTimeout(Duration.ZERO).build());
      worker.registerWorkflowImplementationTypes(LongRunWorkflowImpl.class);
      worker.registerActivitiesImplementations(new Touches(), new TestPlatforms());
      factory.start();
      String platform = "bench" + System.nanoTime();
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long cpuBefore = processCpuNanos();
      long started = System.nanoTime();
      RunbookLauncher.start(client, "long-run", "LongRunWorkflow", RunbookTesting.request(
          PlatformConfig.of(platform, Approvals.anyone(), Notifications.none()), null, "bench",
          Map.of("steps", String.valueOf(steps))), queue);
      String id = RunbookLauncher.workflowId(platform, "long-run");
      WorkflowStub.fromTyped(client.newWorkflowStub(LongRunWorkflow.class, id)).getResult(RunbookResult.class);
      double wall = (System.nanoTime() - started) / 1e9;
      double cpu = (processCpuNanos() - cpuBefore) / 1e9;
      factory.shutdown();
      factory.awaitTermination(30, TimeUnit.SECONDS);
      Thread.sleep(300); // the metrics scope reports every 100 ms
      History history = client.fetchHistory(id).getHistory();
      Figures figures = figures(mode, wall, history, registry, cpu);
      if (!threads.isThreadCpuTimeSupported()) {
        System.out.println("(thread CPU time is not supported here; CPU is the whole process's)");
      }
      return figures;
    } finally {
      service.shutdown();
      scope.close();
    }
  }

  static Figures figures(String mode, double wall, History history, MeterRegistry registry, double cpu) {
    Map<Long, HistoryEvent> scheduled = new LinkedHashMap<>();
    Map<Long, HistoryEvent> startedById = new LinkedHashMap<>();
    List<Double> task = new ArrayList<>();
    List<Double> workerPart = new ArrayList<>();
    long replayed = 0;
    for (HistoryEvent e : history.getEventsList()) {
      if (e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) {
        scheduled.put(e.getEventId(), e);
      } else if (e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
        startedById.put(e.getEventId(), e);
      } else if (e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
        HistoryEvent s = scheduled.get(e.getWorkflowTaskCompletedEventAttributes().getScheduledEventId());
        HistoryEvent st = startedById.get(e.getWorkflowTaskCompletedEventAttributes().getStartedEventId());
        task.add(millisBetween(s, e));
        workerPart.add(millisBetween(st, e));
      }
    }
    Timer replay = registry.find("temporal_workflow_task_replay_latency").timer();
    // With the cache off every task replays every event before it; with it on, a task starts where the last ended.
    boolean cacheOff = mode.startsWith("cache off");
    if (cacheOff) {
      for (HistoryEvent st : startedById.values()) {
        replayed += st.getEventId() - 1;
      }
    }
    return new Figures(mode, wall, task.size(), history.getEventsCount(), history.getSerializedSize(),
        percentile(task, 50), percentile(task, 95), percentile(task, 100), percentile(workerPart, 50),
        percentile(workerPart, 95), replayed, replay == null ? 0 : replay.totalTime(TimeUnit.MILLISECONDS) / 1000.0, cpu);
  }

  private static double millisBetween(HistoryEvent from, HistoryEvent to) {
    if (from == null) {
      return 0;
    }
    long a = from.getEventTime().getSeconds() * 1000 + from.getEventTime().getNanos() / 1_000_000;
    long b = to.getEventTime().getSeconds() * 1000 + to.getEventTime().getNanos() / 1_000_000;
    return b - a;
  }

  private static double percentile(List<Double> values, int p) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static void print(List<Figures> all) {
    System.out.printf("%n%-34s %8s %6s %7s %9s %22s %17s %15s %12s %9s%n", "", "wall", "tasks", "events", "history",
        "task ms p50/p95/max", "worker ms p50/p95", "events replayed", "SDK replay", "CPU");
    for (Figures f : all) {
      System.out.printf("%-34s %7.1fs %6d %7d %8.0fK %8.0f/%5.0f/%6.0f %9.0f/%6.0f %15d %11.2fs %8.1fs%n", f.mode(),
          f.wallSeconds(), f.workflowTasks(), f.events(), f.historyBytes() / 1024.0, f.taskP50Ms(), f.taskP95Ms(),
          f.taskMaxMs(), f.workerP50Ms(), f.workerP95Ms(), f.eventsReplayed(), f.sdkReplaySeconds(), f.workerCpuSeconds());
    }
  }
}
