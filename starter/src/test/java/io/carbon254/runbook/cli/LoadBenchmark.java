package io.carbon254.runbook.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.Decision;
import io.carbon254.runbook.engine.GateView;
import io.carbon254.runbook.engine.Mode;
import io.carbon254.runbook.engine.RunbookLauncher;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.Verdict;
import io.carbon254.runbook.sandbox.KubernetesMode;
import io.carbon254.runbook.sandbox.Sandbox;
import io.carbon254.runbook.worker.TemporalConnection;
import io.carbon254.runbook.worker.codec.Keyring;
import io.carbon254.runbook.worker.codec.PayloadEncryption;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowStub;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The load benchmark (not a test): 100 runs of the {@link LoadDrill} — five runbooks on each of 20 platforms, all
 * started at once, signed by their initiator as {@code runbook start} signs them — on the real Temporal dev server
 * (the Temporal CLI) with two worker processes ({@code runbook worker}, separate JVMs, serving the 20 platforms from
 * their configuration directory). A scripted approver answers each gate as soon as visibility shows it waiting, with
 * a signed decision through the {@code decide} update, as {@code runbook approve} does. Ten warm-up runs on two more
 * platforms go first, not counted. When half the runs have finished (made their last effect), one worker is killed
 * with SIGKILL; the other must finish everything.
 *
 * <p>From the 100 histories: workflow-task latency (scheduled → started → completed), activity schedule-to-start
 * (first attempts), approval accepted → the next activity's start, the killed worker's tasks (retried activities,
 * timed-out workflow tasks) and how long until the other worker had them; runs per minute from the first start to the
 * last completion. That every run completed exactly once: one execution per workflow id, COMPLETED, outcome
 * SUCCEEDED, and each effect (prepare, work, finish) made exactly once — activities run at least once, and those that
 * ran again are listed. The worker JVMs' RSS, peak
 * RSS and CPU time from {@code /proc} — the killed one just before the kill — and the server's and this JVM's CPU.
 * Prints a table; writes {@code starter/target/benchmark/load.json}.
 *
 * <p>Run from the repository's root: {@code mvn -B -q -pl starter -am test-compile dependency:build-classpath
 * -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test && java -cp
 * starter/target/test-classes:starter/target/classes:$(cat starter/target/bench.cp)
 * io.carbon254.runbook.cli.LoadBenchmark [platforms] [runs-per-platform, at most 5] [chunks]}
 */
public final class LoadBenchmark {

  private static final String INITIATOR = "alice";
  private static final String APPROVER = "bob";

  public static void main(String[] args) {
    try {
      run(args);
    } catch (Exception | Error e) {
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0); // the SDK's client threads would keep the JVM alive a while
  }

  private static void run(String[] args) throws Exception {
    int platforms = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int perPlatform = args.length > 1 ? Integer.parseInt(args[1]) : LoadDrill.RUNBOOKS;
    int chunks = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    check(perPlatform >= 1 && perPlatform <= LoadDrill.RUNBOOKS, "runs per platform: 1 to " + LoadDrill.RUNBOOKS);
    Path dir = Files.createTempDirectory("runbook-load-benchmark");
    Path stateDir = Files.createDirectories(dir.resolve("state"));
    Path drillDir = Files.createDirectories(dir.resolve("drill"));
    PlatformConfig config = ConfigLoader.loadDefault();
    // The mock Kubernetes API: the drill never touches the cluster, and a real control plane would take CPU from the
    // two cores the server and the workers share.
    Sandbox sandbox = Sandbox.builder(config).kubernetes(KubernetesMode.MOCK).withoutRolloutSimulator()
        .withoutVeleroSimulator().withoutMetricsServerSimulator().start();
    DevEnvironment.CliServer server = new DevEnvironment.CliServer(RealTemporalServer.cli(), DevEnvironment.freePort(),
        DevEnvironment.freePort(), dir.resolve("temporal.db"), dir.resolve("temporal-server.log"));
    List<Worker> workers = new ArrayList<>();
    TemporalConnection connection = null;
    try {
      sandbox.endpoints().write(Sandbox.stateFile(stateDir));
      SandboxPeople people = SandboxPeople.generate(config, INITIATOR);
      people.write(stateDir);
      List<String> platformNames = platformConfigs(dir.resolve("platforms"), "bench", platforms);
      List<String> warmUpPlatforms = platformConfigs(dir.resolve("platforms"), "warm-up", 2);
      server.start();
      int total = platforms * perPlatform;
      System.out.printf("Temporal dev server %s at %s; %d runs (%d runbooks x %d platforms, %d chunks each); %d CPUs,"
          + " load average %s%n", server.version(), server.address(), total, perPlatform, platforms, chunks,
          Runtime.getRuntime().availableProcessors(), loadAverage());

      Path services = pluginServices(dir.resolve("plugin"));
      for (int i = 1; i <= 2; i++) {
        workers.add(Worker.start(i, dir, server.address(), stateDir, dir.resolve("platforms"), drillDir, services));
      }
      for (Worker worker : workers) {
        Jvm.awaitLog(worker.process, worker.log, "worker running");
      }
      connection = TemporalConnection.connect(server.address(), null, PayloadEncryption.off());
      WorkflowClient client = connection.client();
      Approver approver = new Approver(client, people);
      try {
        approver.start();
        // Workers run for weeks: warm both up (class loading, JIT) on runs of their own platforms, not measured.
        Map<String, CompletableFuture<RunbookResult>> warmUp = startRuns(client, people, approver,
            runIds(warmUpPlatforms, LoadDrill.RUNBOOKS), chunks, new ArrayList<>());
        CompletableFuture.allOf(warmUp.values().toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        System.out.println("warm-up: " + warmUp.size() + " runs completed");
        workers.forEach(Worker::markLoadStart);
        ProcFigures serverAtStart = ProcFigures.server(workers);
        ProcFigures selfAtStart = ProcFigures.read(ProcessHandle.current().pid());
        String loadBefore = loadAverage();

        // The midpoint, as the drill's world sees it: half the runs have made their last effect. (The starter's result
        // futures hear of completions late under this load: 50 of them done was 77 runs completed on the server.)
        List<String> ids = runIds(platformNames, perPlatform);
        Worker killed = workers.get(0);
        AtomicInteger finishedAtKill = new AtomicInteger();
        Thread midpoint = new Thread(() -> {
          int finished;
          while ((finished = finished(drillDir, ids)) < total / 2) {
            sleep(20);
          }
          finishedAtKill.set(finished);
          killed.kill9();
        }, "midpoint");
        midpoint.setDaemon(true);
        midpoint.start();
        List<Double> startMillis = Collections.synchronizedList(new ArrayList<>());
        long startedAt = System.nanoTime();
        Map<String, CompletableFuture<RunbookResult>> results = startRuns(client, people, approver, ids, chunks,
            startMillis);
        double startingSeconds = (System.nanoTime() - startedAt) / 1e9;
        System.out.printf("started %d runs in %.1f s%n", total, startingSeconds);
        CompletableFuture.allOf(results.values().toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        midpoint.join(TimeUnit.MINUTES.toMillis(1));
        check(killed.killedAtMillis != 0, "worker 1 was killed at the midpoint");
        System.out.printf("killed worker 1 (pid %d) with SIGKILL when %d of %d runs had finished%n", killed.pid(),
            finishedAtKill.get(), total);
        workers.get(1).markEnd();

        Histories histories = Histories.read(client, ids, workers, killed.killedAtMillis, approver.sentAt);
        ExactlyOnce once = ExactlyOnce.check(client, results, drillDir, chunks);
        ProcFigures serverLoad = ProcFigures.server(workers).minus(serverAtStart);
        ProcFigures selfLoad = ProcFigures.read(ProcessHandle.current().pid()).minus(selfAtStart);
        String loadAfter = loadAverage();
        print(ids, server.version(), total, platforms, perPlatform, chunks, startingSeconds, Stats.of(startMillis), finishedAtKill.get(), histories, once, workers,
            approver, serverLoad, selfLoad, loadBefore, loadAfter);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("date", LocalDate.now().toString());
        json.put("cpus", Runtime.getRuntime().availableProcessors());
        json.put("loadAverageBefore", loadBefore);
        json.put("loadAverageAfter", loadAfter);
        json.put("server", server.version());
        json.put("runs", total);
        json.put("platforms", platforms);
        json.put("runbooksPerPlatform", perPlatform);
        json.put("chunks", chunks);
        json.put("finishedAtKill", finishedAtKill.get());
        json.put("startingSeconds", startingSeconds);
        json.put("startCallMillis", Stats.of(startMillis));
        json.put("histories", histories);
        json.put("exactlyOnce", once);
        json.put("workers", workers.stream().map(Worker::figures).toList());
        json.put("approverReactionMillis", approver.reaction(results.keySet()));
        json.put("approverRetries", approver.retried.get());
        json.put("serverCpuSeconds", serverLoad.cpuSeconds());
        json.put("benchmarkJvmCpuSeconds", selfLoad.cpuSeconds());
        Path out = Path.of("starter", "target", "benchmark", "load.json");
        Files.createDirectories(out.getParent());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), json);
        System.out.println("wrote " + out.toAbsolutePath());
        check(once.ok(), "not every run completed exactly once: " + once);
      } finally {
        approver.close();
      }
    } finally {
      for (Worker worker : workers) {
        worker.process.destroyForcibly();
        worker.process.waitFor(30, TimeUnit.SECONDS);
      }
      if (connection != null) {
        connection.close();
      }
      server.close();
      sandbox.close();
      System.out.println("the server's database and the workers' logs: " + dir);
    }
  }

  /** {@code <prefix>-01} …: the default configuration under another name each, one file a platform, as workers read them. */
  private static List<String> platformConfigs(Path platformsDir, String prefix, int count) throws IOException {
    Files.createDirectories(platformsDir);
    Path defaults = Path.of("config", "254carbon.yaml");
    check(Files.exists(defaults), "no " + defaults.toAbsolutePath() + ": run the benchmark from the repository's root");
    String yaml = Files.readString(defaults);
    check(yaml.contains("\nname: 254carbon\n"), "config/254carbon.yaml names its platform on a line 'name: 254carbon'");
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String name = String.format("%s-%02d", prefix, i);
      Files.writeString(platformsDir.resolve(name + ".yaml"), yaml.replace("\nname: 254carbon\n", "\nname: " + name + "\n"));
      names.add(name);
    }
    return names;
  }

  /** A classpath entry that names the load drill's plugin, for the benchmark's workers only. */
  private static Path pluginServices(Path dir) throws IOException {
    Path file = dir.resolve("META-INF/services/" + io.carbon254.runbook.worker.RunbookPlugin.class.getName());
    Files.createDirectories(file.getParent());
    Files.writeString(file, LoadDrill.Plugin.class.getName() + "\n");
    return dir;
  }

  /** The workflow ids of runbooks {@code load-1} … {@code load-<perPlatform>} on every platform, round after round. */
  private static List<String> runIds(List<String> platforms, int perPlatform) {
    List<String> ids = new ArrayList<>();
    for (int n = 1; n <= perPlatform; n++) {
      for (String platform : platforms) {
        ids.add(RunbookLauncher.workflowId(platform, LoadDrill.runbookId(n)));
      }
    }
    return ids;
  }

  /**
   * Starts the runs {@code ids}, a starter per platform (as the operators of 20 platforms would), so that the load
   * arrives faster than one client could start it; each start call's time in {@code startMillis}. Their results.
   */
  private static Map<String, CompletableFuture<RunbookResult>> startRuns(WorkflowClient client, SandboxPeople people,
      Approver approver, List<String> ids, int chunks, List<Double> startMillis) throws Exception {
    ids.forEach(approver::expect);
    Map<String, List<String>> byPlatform = ids.stream().collect(Collectors.groupingBy(id -> id.substring(0,
        id.indexOf('/')), LinkedHashMap::new, Collectors.toList()));
    ExecutorService starters = Executors.newFixedThreadPool(byPlatform.size());
    try {
      List<java.util.concurrent.Future<?>> started = new ArrayList<>();
      for (List<String> platformIds : byPlatform.values()) {
        started.add(starters.submit(() -> {
          for (String id : platformIds) {
            long t0 = System.nanoTime();
            start(client, people, id, chunks);
            startMillis.add((System.nanoTime() - t0) / 1e6);
          }
        }));
      }
      for (java.util.concurrent.Future<?> platform : started) {
        platform.get(5, TimeUnit.MINUTES);
      }
    } finally {
      starters.shutdownNow();
    }
    Map<String, CompletableFuture<RunbookResult>> results = new LinkedHashMap<>();
    ids.forEach(id -> results.put(id, client.newUntypedWorkflowStub(id).getResultAsync(RunbookResult.class)));
    return results;
  }

  /** Starts the run {@code <platform>/load-N}, the start signed with the initiator's sandbox key, as the CLI does. */
  private static void start(WorkflowClient client, SandboxPeople people, String id, int chunks) {
    String platform = id.substring(0, id.indexOf('/'));
    String runbook = id.substring(id.indexOf('/') + 1);
    int n = Integer.parseInt(runbook.substring(runbook.lastIndexOf('-') + 1));
    RunbookRequest request = new RunbookRequest(platform, Mode.APPLY, INITIATOR, Map.of("chunks", String.valueOf(chunks)));
    String expires = Signer.expiresIn(Signer.START_VALIDITY);
    RunbookLauncher.startSigned(client, runbook, LoadDrill.workflowType(n), request, RunbookLauncher.TASK_QUEUE, expires,
        message -> people.sign(INITIATOR, platform, message, expires));
  }

  /** How many of these runs have made their last effect. */
  private static int finished(Path drillDir, java.util.Collection<String> ids) {
    return (int) ids.stream().filter(id -> Files.exists(drillDir.resolve("effects").resolve(id).resolve("finish"))).count();
  }

  /** {@code /proc/loadavg}'s 1, 5 and 15 minute averages: how busy the shared machine was. */
  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * Answers every gate of the benchmark's runs as soon as visibility shows the run waiting ({@code AwaitingApproval =
   * true}, polled every 200 ms): reads the open gate from the run's status, signs the approval with the approver's
   * sandbox key and sends it through the validated {@code decide} update — what {@code runbook approve --yes
   * --expect-hash H} does.
   */
  static final class Approver implements AutoCloseable {
    private final WorkflowClient client;
    private final SandboxPeople people;
    private final Set<String> expected = ConcurrentHashMap.newKeySet();
    private final Set<String> answered = ConcurrentHashMap.newKeySet();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** When the approval was sent, by workflow id (this machine's clock, as the server's). */
    final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    /** From the gate's opening (its status) to the approval sent, by workflow id: what the scripted approver adds. */
    final Map<String, Double> reaction = new ConcurrentHashMap<>();
    final AtomicInteger retried = new AtomicInteger();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService answering = Executors.newFixedThreadPool(16);

    Approver(WorkflowClient client, SandboxPeople people) {
      this.client = client;
      this.people = people;
    }

    void expect(String id) {
      expected.add(id);
    }

    /** The reaction times of these runs. */
    Stats reaction(Set<String> ids) {
      return Stats.of(reaction.entrySet().stream().filter(e -> ids.contains(e.getKey())).map(Map.Entry::getValue).toList());
    }

    void start() {
      poller.scheduleWithFixedDelay(this::poll, 0, 200, TimeUnit.MILLISECONDS);
    }

    private void poll() {
      try {
        client.listExecutions("AwaitingApproval = true").map(m -> m.getExecution().getWorkflowId())
            .filter(id -> expected.contains(id) && !answered.contains(id) && inFlight.add(id))
            .forEach(id -> answering.submit(() -> approve(id)));
      } catch (RuntimeException e) {
        retried.incrementAndGet(); // the next poll asks again
      }
    }

    private void approve(String id) {
      try {
        WorkflowStub run = client.newUntypedWorkflowStub(id);
        RunbookStatus status = run.query("status", RunbookStatus.class);
        GateView gate = status.openGate();
        if (gate == null) {
          return; // visibility is behind the run: it is not waiting any more (or not yet)
        }
        Decision decision = Signer.signed(status, Decision.approve(gate.gate(), gate.instance(), APPROVER, gate.planHash()),
            Verdict.APPROVE, (platform, message, expires) -> people.sign(APPROVER, platform, message, expires));
        long sent = System.currentTimeMillis();
        run.update("decide", GateView.class, decision);
        sentAt.put(id, sent);
        answered.add(id);
        try {
          reaction.put(id, (double) (sent - Instant.parse(gate.openedAt()).toEpochMilli()));
        } catch (RuntimeException unparsable) {
          // the reaction time is a courtesy
        }
      } catch (RuntimeException refusedOrUnanswered) {
        retried.incrementAndGet(); // while visibility shows the run waiting, the next poll asks again
      } finally {
        inFlight.remove(id);
      }
    }

    @Override
    public void close() {
      poller.shutdownNow();
      answering.shutdownNow();
    }
  }

  /** A {@code runbook worker} process, as the launcher and the worker image run it (no JVM options of our own). */
  static final class Worker {
    final int number;
    final Process process;
    final Path log;
    private ProcFigures atLoadStart;
    private ProcFigures atEnd;
    long killedAtMillis;
    int workflowTasks;
    int activities;

    private Worker(int number, Process process, Path log) {
      this.number = number;
      this.process = process;
      this.log = log;
    }

    static Worker start(int number, Path dir, String address, Path stateDir, Path platformsDir, Path drillDir,
        Path services) throws IOException {
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      String javaOpts = System.getenv("RUNBOOK_JAVA_OPTS");
      if (javaOpts != null && !javaOpts.isBlank()) {
        command.addAll(Arrays.asList(javaOpts.trim().split("\\s+")));
      }
      command.addAll(List.of("-cp", System.getProperty("java.class.path") + File.pathSeparator + services,
          RunbookCli.class.getName(), "worker", "--address", address, "--sandbox", "--sandbox-dir", stateDir.toString(),
          "--config-dir", platformsDir.toString(), "--metrics-port", "0"));
      Path log = dir.resolve("worker-" + number + ".log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().remove("TEMPORAL_ADDRESS");
      builder.environment().remove(Keyring.ENV);
      builder.environment().put(LoadDrill.DIR_ENV, drillDir.toString());
      builder.environment().put("RUNBOOK_STATE_DIR", stateDir.toString());
      return new Worker(number, builder.start(), log);
    }

    long pid() {
      return process.pid();
    }

    void markLoadStart() {
      atLoadStart = ProcFigures.read(pid());
    }

    void markEnd() {
      atEnd = ProcFigures.read(pid());
    }

    /** SIGKILL, its figures read just before. */
    void kill9() {
      atEnd = ProcFigures.read(pid());
      process.destroyForcibly();
      killedAtMillis = System.currentTimeMillis();
      try {
        check(process.waitFor(30, TimeUnit.SECONDS), "the killed worker is gone");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    Map<String, Object> figures() {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("worker", number);
      f.put("pid", pid());
      f.put("killedAtMidpoint", killedAtMillis != 0);
      f.put("rssMiB", atEnd.rssKb() / 1024.0);
      f.put("peakRssMiB", atEnd.hwmKb() / 1024.0);
      f.put("cpuSecondsTotal", atEnd.cpuSeconds());
      f.put("cpuSecondsStartUp", atLoadStart.cpuSeconds());
      f.put("cpuSecondsUnderLoad", atEnd.cpuSeconds() - atLoadStart.cpuSeconds());
      f.put("workflowTasks", workflowTasks);
      f.put("activities", activities);
      return f;
    }
  }

  /** A process's resident set, its peak, and its CPU time (user + system), from {@code /proc}. */
  record ProcFigures(long rssKb, long hwmKb, double cpuSeconds) {
    private static final double TICKS = clockTicks();

    static ProcFigures read(long pid) {
      try {
        long rss = 0;
        long hwm = 0;
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
          if (line.startsWith("VmRSS:")) {
            rss = kilobytes(line);
          } else if (line.startsWith("VmHWM:")) {
            hwm = kilobytes(line);
          }
        }
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        // After "pid (comm) ", field 3 (state) comes first: utime and stime are fields 14 and 15.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return new ProcFigures(rss, hwm, (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read /proc/" + pid + ": " + e.getMessage(), e);
      }
    }

    /** The processes this JVM started other than the workers: the Temporal dev server (one Go process). */
    static ProcFigures server(List<Worker> workers) {
      Set<Long> workerPids = workers.stream().map(Worker::pid).collect(Collectors.toSet());
      return ProcessHandle.current().children().filter(p -> !workerPids.contains(p.pid()) && p.isAlive())
          .map(p -> {
            try {
              return read(p.pid());
            } catch (IllegalStateException gone) {
              return new ProcFigures(0, 0, 0);
            }
          })
          .reduce(new ProcFigures(0, 0, 0), (a, b) -> new ProcFigures(a.rssKb + b.rssKb, a.hwmKb + b.hwmKb,
              a.cpuSeconds + b.cpuSeconds));
    }

    ProcFigures minus(ProcFigures before) {
      return new ProcFigures(rssKb, hwmKb, cpuSeconds - before.cpuSeconds);
    }

    private static long kilobytes(String line) {
      return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    private static double clockTicks() {
      try {
        Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
        String out = new String(getconf.getInputStream().readAllBytes()).trim();
        return getconf.waitFor() == 0 ? Double.parseDouble(out) : 100;
      } catch (IOException | InterruptedException | NumberFormatException e) {
        return 100; // USER_HZ on every Linux we run on
      }
    }
  }

  /** p50, p95, max and count of a list of milliseconds. */
  record Stats(double p50, double p95, double max, int n) {
    static Stats of(List<Double> values) {
      List<Double> sorted = new ArrayList<>(values);
      Collections.sort(sorted);
      if (sorted.isEmpty()) {
        return new Stats(Double.NaN, Double.NaN, Double.NaN, 0);
      }
      return new Stats(OperatorBenchmark.percentile(sorted, 50), OperatorBenchmark.percentile(sorted, 95),
          sorted.get(sorted.size() - 1), sorted.size());
    }
  }

  /** What the 100 histories say. */
  record Histories(double wallSeconds, double runsPerMinute, Stats taskScheduleToStart,
      Stats taskScheduleToStartScheduledBeforeTheKill, Stats taskScheduleToStartScheduledAfterTheKill,
      List<String> slowestTaskStarts, Stats taskStartToComplete,
      Stats taskScheduleToComplete, Stats activityScheduleToStart, Stats approvalAcceptedToNextActivity,
      Stats approvalSentToNextActivity, int retriedActivities, int retriedActivitiesOnTheKilledWorker,
      List<String> retriedActivityDetails,
      Map<String, Integer> workflowTaskTimeouts, int workflowTaskFailures, Stats killToRetriedActivityStart,
      Stats killToTimedOutTaskCompleted, double lastCompletionAfterKillSeconds, int completedBeforeTheKill) {

    static Histories read(WorkflowClient client, List<String> ids, List<Worker> workers, long killedAt,
        Map<String, Long> approvalSent) {
      List<Double> taskToStart = new ArrayList<>();
      List<Double> toStartBeforeKill = new ArrayList<>();
      List<Double> toStartAfterKill = new ArrayList<>();
      List<Object[]> slowest = new ArrayList<>();
      List<Double> taskToComplete = new ArrayList<>();
      List<Double> taskWhole = new ArrayList<>();
      List<Double> activityToStart = new ArrayList<>();
      List<Double> acceptedToNext = new ArrayList<>();
      List<Double> sentToNext = new ArrayList<>();
      List<Double> killToRetry = new ArrayList<>();
      List<Double> killToTaskDone = new ArrayList<>();
      Map<String, Integer> timeouts = new TreeMap<>();
      int retried = 0;
      int retriedOnKilled = 0;
      List<String> retriedDetails = new ArrayList<>();
      int failures = 0;
      double firstStart = Double.MAX_VALUE;
      double lastCompletion = 0;
      int completedBeforeKill = 0;
      for (String id : ids) {
        List<HistoryEvent> events = client.fetchHistory(id).getEvents();
        Map<Long, HistoryEvent> byId = new LinkedHashMap<>();
        long accepted = -1;
        boolean afterTimeout = false;
        for (HistoryEvent e : events) {
          byId.put(e.getEventId(), e);
          EventType type = e.getEventType();
          switch (type) {
            case EVENT_TYPE_WORKFLOW_EXECUTION_STARTED -> firstStart = Math.min(firstStart, millis(e));
            case EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED -> {
              lastCompletion = Math.max(lastCompletion, millis(e));
              completedBeforeKill += millis(e) < killedAt ? 1 : 0;
            }
            case EVENT_TYPE_WORKFLOW_TASK_STARTED -> count(workers, e.getWorkflowTaskStartedEventAttributes().getIdentity(),
                true);
            case EVENT_TYPE_WORKFLOW_TASK_COMPLETED -> {
              HistoryEvent scheduled = byId.get(e.getWorkflowTaskCompletedEventAttributes().getScheduledEventId());
              HistoryEvent started = byId.get(e.getWorkflowTaskCompletedEventAttributes().getStartedEventId());
              taskToStart.add(millis(started) - millis(scheduled));
              (millis(scheduled) < killedAt ? toStartBeforeKill : toStartAfterKill).add(millis(started) - millis(scheduled));
              HistoryEvent before = byId.get(scheduled.getEventId() - 1);
              slowest.add(new Object[] {millis(started) - millis(scheduled), String.format("%s event %d after %s,"
                  + " scheduled %+.1f s from the kill, started on %s", id, scheduled.getEventId(), before == null ? "-"
                  : before.getEventType().name().replace("EVENT_TYPE_", ""), (millis(scheduled) - killedAt) / 1000,
                  started.getWorkflowTaskStartedEventAttributes().getIdentity().replaceAll("@.*", ""))});
              taskToComplete.add(millis(e) - millis(started));
              taskWhole.add(millis(e) - millis(scheduled));
              if (afterTimeout) {
                killToTaskDone.add(millis(e) - killedAt);
                afterTimeout = false;
              }
            }
            case EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT -> {
              // Before the kill, a timeout is a live worker too slow for the sticky queue's 5 s or the task's 10 s.
              boolean afterTheKill = millis(e) >= killedAt;
              timeouts.merge(e.getWorkflowTaskTimedOutEventAttributes().getTimeoutType().name()
                  .replace("TIMEOUT_TYPE_", "").toLowerCase(java.util.Locale.ROOT)
                  + (afterTheKill ? " after the kill" : " before the kill"), 1, Integer::sum);
              afterTimeout = afterTheKill;
            }
            case EVENT_TYPE_WORKFLOW_TASK_FAILED -> failures++;
            case EVENT_TYPE_ACTIVITY_TASK_STARTED -> {
              var started = e.getActivityTaskStartedEventAttributes();
              count(workers, started.getIdentity(), false);
              HistoryEvent scheduled = byId.get(started.getScheduledEventId());
              if (started.getAttempt() == 1) {
                activityToStart.add(millis(e) - millis(scheduled));
              } else {
                retried++;
                retriedDetails.add(String.format("%s %s attempt %d started %+.0f ms from the kill (%s)", id,
                    scheduled.getActivityTaskScheduledEventAttributes().getActivityType().getName(), started.getAttempt(),
                    millis(e) - killedAt, started.getLastFailure().getMessage()));
                if (millis(e) >= killedAt) {
                  retriedOnKilled++;
                  killToRetry.add(millis(e) - killedAt);
                }
              }
            }
            case EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED -> accepted = e.getEventId();
            default -> {
            }
          }
        }
        long acceptedEventId = accepted;
        // The approval's effect: the first activity scheduled after the update was accepted, when it started.
        if (acceptedEventId > 0) {
          long nextScheduled = events.stream().filter(e -> e.getEventId() > acceptedEventId
              && e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).mapToLong(HistoryEvent::getEventId)
              .findFirst().orElse(-1);
          events.stream().filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
                  && e.getActivityTaskStartedEventAttributes().getScheduledEventId() == nextScheduled
                  && e.getActivityTaskStartedEventAttributes().getAttempt() == 1) // a retry measures the kill, not this
              .findFirst().ifPresent(next -> {
                acceptedToNext.add(millis(next) - millis(byId.get(acceptedEventId)));
                Long sent = approvalSent.get(id);
                if (sent != null) {
                  sentToNext.add(millis(next) - sent);
                }
              });
        }
      }
      double wall = (lastCompletion - firstStart) / 1000;
      slowest.sort((a, b) -> Double.compare((Double) b[0], (Double) a[0]));
      List<String> slowestTasks = slowest.stream().limit(10).map(t -> String.format("%.0f ms: %s", t[0], t[1])).toList();
      return new Histories(wall, ids.size() / (wall / 60), Stats.of(taskToStart), Stats.of(toStartBeforeKill),
          Stats.of(toStartAfterKill), slowestTasks, Stats.of(taskToComplete),
          Stats.of(taskWhole), Stats.of(activityToStart), Stats.of(acceptedToNext), Stats.of(sentToNext), retried,
          retriedOnKilled, retriedDetails, timeouts, failures, Stats.of(killToRetry), Stats.of(killToTaskDone),
          (lastCompletion - killedAt) / 1000, completedBeforeKill);
    }

    private static void count(List<Worker> workers, String identity, boolean workflowTask) {
      for (Worker worker : workers) {
        if (identity.startsWith(worker.pid() + "@")) {
          if (workflowTask) {
            worker.workflowTasks++;
          } else {
            worker.activities++;
          }
        }
      }
    }

    private static double millis(HistoryEvent e) {
      return e.getEventTime().getSeconds() * 1000.0 + e.getEventTime().getNanos() / 1e6;
    }
  }

  /**
   * Every run completed exactly once: visibility holds one execution per workflow id and it COMPLETED; every result
   * is SUCCEEDED; each run made each of its effects (prepare, work, finish) exactly once. Activities themselves run at
   * least once: one that its killed worker ran to its end, but could not report, runs again on the other worker and
   * finds its effect made — counted as a re-execution; chunks of work done again after the kill (the retry resumes
   * from the last heartbeat the server had) are counted too.
   */
  record ExactlyOnce(int runs, int executionsListed, int completedExecutions, int idsWithMoreThanOneExecution,
      int succeeded, int effectsExpected, int effectsMade, List<String> effectsMissingOrTwice,
      List<String> activitiesRunAgain, int chunksRedone) {

    boolean ok() {
      return executionsListed == runs && completedExecutions == runs && idsWithMoreThanOneExecution == 0
          && succeeded == runs && effectsMade == effectsExpected && effectsMissingOrTwice.isEmpty();
    }

    static ExactlyOnce check(WorkflowClient client, Map<String, CompletableFuture<RunbookResult>> results, Path drillDir,
        int chunks) throws IOException {
      Set<String> ids = results.keySet();
      Map<String, List<WorkflowExecutionStatus>> executions = Map.of();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) { // visibility is eventually consistent
        executions = client.listExecutions("").filter(m -> ids.contains(m.getExecution().getWorkflowId()))
            .collect(Collectors.groupingBy(m -> m.getExecution().getWorkflowId(),
                Collectors.mapping(WorkflowExecutionMetadata::getStatus, Collectors.toList())));
        if (completed(executions) >= ids.size()) {
          break;
        }
        sleep(200);
      }
      int listed = executions.values().stream().mapToInt(List::size).sum();
      int twice = (int) executions.values().stream().filter(l -> l.size() > 1).count();
      int succeeded = (int) results.values().stream().map(CompletableFuture::join)
          .filter(r -> r.outcome() == RunbookResult.Outcome.SUCCEEDED).count();

      // <workflow id> <step> attempt <n> created|unchanged|done
      Map<String, Integer> made = new TreeMap<>();
      Map<String, Integer> executed = new TreeMap<>();
      int chunkLines = 0;
      try (var journals = Files.list(drillDir)) {
        for (Path journal : journals.filter(f -> f.getFileName().toString().startsWith("executions-")).toList()) {
          for (String line : Files.readAllLines(journal)) {
            String[] parts = line.split(" ");
            if (!ids.contains(parts[0])) {
              continue; // a warm-up run
            }
            if (parts[1].startsWith("chunk-")) {
              chunkLines++;
              continue;
            }
            String key = parts[0] + " " + parts[1];
            executed.merge(key, 1, Integer::sum);
            if (parts[4].equals("created")) {
              made.merge(key, 1, Integer::sum);
            }
          }
        }
      }
      List<String> wrong = new ArrayList<>();
      for (String id : ids) {
        for (String effect : List.of("prepare", "work", "finish")) {
          int n = made.getOrDefault(id + " " + effect, 0);
          if (n != 1 || !Files.exists(drillDir.resolve("effects").resolve(id).resolve(effect))) {
            wrong.add(id + " " + effect + " made " + n + " times");
          }
        }
      }
      List<String> again = executed.entrySet().stream().filter(e -> e.getValue() > 1)
          .map(e -> e.getKey() + " x" + e.getValue()).toList();
      return new ExactlyOnce(ids.size(), listed, completed(executions), twice, succeeded, ids.size() * 3,
          made.values().stream().mapToInt(Integer::intValue).sum(), wrong, again, chunkLines - ids.size() * chunks);
    }

    private static int completed(Map<String, List<WorkflowExecutionStatus>> executions) {
      return (int) executions.values().stream().flatMap(List::stream)
          .filter(s -> s == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED).count();
    }
  }

  private static void print(List<String> ids, String serverVersion, int total, int platforms, int perPlatform, int chunks,
      double startingSeconds, Stats startCalls,
      int finishedAtKill, Histories h, ExactlyOnce once, List<Worker> workers, Approver approver, ProcFigures server,
      ProcFigures self, String loadBefore, String loadAfter) {
    System.out.printf("%nload benchmark: %d runs (%d runbooks x %d platforms, gate + %d chunks each), %s, 2 worker"
        + " processes, %d CPUs (load average before %s, after %s)%n", total, perPlatform, platforms, chunks, serverVersion,
        Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter);
    System.out.printf("%-58s %8s %8s %8s %6s%n", "", "p50", "p95", "max", "n");
    row(String.format("start (signed), a call; all %d in %.1f s", total, startingSeconds), startCalls);
    row("workflow task: scheduled -> started", h.taskScheduleToStart());
    row("  of the tasks scheduled before the kill", h.taskScheduleToStartScheduledBeforeTheKill());
    row("  of the tasks scheduled after the kill", h.taskScheduleToStartScheduledAfterTheKill());
    row("workflow task: started -> completed (the worker)", h.taskStartToComplete());
    row("workflow task: scheduled -> completed", h.taskScheduleToComplete());
    row("activity, first attempt: scheduled -> started", h.activityScheduleToStart());
    row("approval accepted (history) -> next activity started", h.approvalAcceptedToNextActivity());
    row("approval sent (approver) -> next activity started", h.approvalSentToNextActivity());
    row("approver: gate opened -> approval sent", approver.reaction(Set.copyOf(ids)));
    System.out.printf("%-58s %7.1fs  = %.0f runs/minute%n", "first start -> last completion", h.wallSeconds(),
        h.runsPerMinute());
    System.out.printf("%-58s %s%n", "completed exactly once", once.ok()
        ? String.format("%d of %d: one execution per id, COMPLETED, SUCCEEDED; effects %d of %d, none twice",
            once.succeeded(), once.runs(), once.effectsMade(), once.effectsExpected())
        : once.toString());
    System.out.printf("%-58s %s%n", "  activities run again (effect found made)", once.activitiesRunAgain());
    System.out.printf("%-58s %d of %d runs had finished, %d completed; the other worker completed the rest in %.1f s%n",
        "worker 1 killed (SIGKILL)", finishedAtKill, total, h.completedBeforeTheKill(), h.lastCompletionAfterKillSeconds());
    System.out.printf("%-58s %d retried after the kill: kill -> retry started p50 %.0f ms, max %.0f ms%n",
        "  its activities", h.retriedActivitiesOnTheKilledWorker(), h.killToRetriedActivityStart().p50(),
        h.killToRetriedActivityStart().max());
    System.out.printf("%-58s %d (a live worker's heartbeat or report was late)%n", "  activities retried before the kill",
        h.retriedActivities() - h.retriedActivitiesOnTheKilledWorker());
    h.retriedActivityDetails().forEach(line -> System.out.printf("%-58s %s%n", "", line));
    System.out.printf("%-58s timed out %s, %d failed; kill -> done elsewhere p50 %.0f ms, max %.0f ms%n",
        "  workflow tasks", h.workflowTaskTimeouts(), h.workflowTaskFailures(), h.killToTimedOutTaskCompleted().p50(),
        h.killToTimedOutTaskCompleted().max());
    System.out.printf("%-58s %d chunks done again after the kill%n", "  heartbeat resume", once.chunksRedone());
    System.out.println("slowest workflow tasks, scheduled -> started:");
    h.slowestTaskStarts().forEach(line -> System.out.println("  " + line));
    System.out.printf("%n%-40s %9s %9s %10s %10s %8s %10s%n", "process", "RSS", "peak RSS", "CPU load", "CPU total",
        "wf tasks", "activities");
    for (Worker w : workers) {
      System.out.printf("%-40s %6.0fMiB %6.0fMiB %9.1fs %9.1fs %8d %10d%n",
          "worker " + w.number + (w.killedAtMillis != 0 ? " (at the kill)" : " (at the end)"), w.atEnd.rssKb() / 1024.0,
          w.atEnd.hwmKb() / 1024.0, w.atEnd.cpuSeconds() - w.atLoadStart.cpuSeconds(), w.atEnd.cpuSeconds(),
          w.workflowTasks, w.activities);
    }
    System.out.printf("%-40s %6.0fMiB %6.0fMiB %9.1fs%n", "Temporal dev server", server.rssKb() / 1024.0,
        server.hwmKb() / 1024.0, server.cpuSeconds());
    System.out.printf("%-40s %6.0fMiB %6.0fMiB %9.1fs%n", "this JVM (starter, approver, mock sandbox)",
        self.rssKb() / 1024.0, self.hwmKb() / 1024.0, self.cpuSeconds());
  }

  private static void row(String name, Stats s) {
    System.out.printf("%-58s %6.0fms %6.0fms %6.0fms %6d%n", name, s.p50(), s.p95(), s.max(), s.n());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("failed: " + what);
    }
  }

  private LoadBenchmark() {}
}
