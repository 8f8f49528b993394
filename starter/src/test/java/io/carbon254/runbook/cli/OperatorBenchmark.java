package io.carbon254.runbook.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DESIGN §8 operator benchmarks (not a unit test), on the embedded Temporal service and the sandbox platform:
 * <ul>
 *   <li>worker start-up: {@code ./runbook worker}, from launch to polling ("worker running");</li>
 *   <li>approval latency: from an operator's {@code ./runbook approve} to the start of the activity behind the gate,
 *       read from the run's history; and the same with the command run in this JVM, which leaves what the service
 *       and the worker add;</li>
 *   <li>demo: wall time of {@code ./runbook demo --yes}.</li>
 * </ul>
 * Everything an operator launches goes through the {@code ./runbook} launcher, as in the README (it builds the CLI
 * and its class-data archive first when they are stale: a warm-up call does that before anything is timed). The
 * gate is the test plugin's crash drill (prepare, a gate, then work), served by a worker on the test classpath.
 * Prints a table; writes {@code starter/target/benchmark/operator.json}. Run it from the repository's root.
 *
 * <p>Run: {@code mvn -B -q -pl starter -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp
 * -Dmdep.includeScope=test && java -cp starter/target/test-classes:starter/target/classes:$(cat
 * starter/target/bench.cp) io.carbon254.runbook.cli.OperatorBenchmark [rounds]}
 */
public final class OperatorBenchmark {

  private static final String RUN = "254carbon/crash-drill";
  private static final Pattern DEMO_SECONDS = Pattern.compile("demo finished in ([0-9.]+) s");

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    Path stateDir = Files.createTempDirectory("runbook-benchmark");
    Path drillDir = Files.createTempDirectory("runbook-benchmark-drill");
    Map<String, String> env = Map.of("CRASH_DRILL_DIR", drillDir.toString(), "RUNBOOK_STATE_DIR", stateDir.toString());
    Map<String, Object> json = new LinkedHashMap<>();
    try (DevEnvironment dev = DevEnvironment.start(DevEnvironment.freePort(), ConfigLoader.loadDefault(), true, false,
        stateDir)) {
      Path warmUp = Files.createTempFile("runbook-benchmark-launcher", ".log");
      Process launcher = launch(Map.of(), warmUp, "runbooks");
      check(launcher.waitFor(5, TimeUnit.MINUTES) && launcher.exitValue() == 0, "./runbook runbooks: "
          + Files.readString(warmUp));
      List<Double> startups = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Path log = Files.createTempFile("runbook-benchmark-worker", ".log");
        long started = System.nanoTime();
        Process timed = launch(env, log, "worker", "--address", dev.address, "--sandbox", "--sandbox-dir",
            stateDir.toString(), "--metrics-port", "0");
        awaitLog(timed, log, "worker running");
        startups.add(millisSince(started));
        stop(timed);
      }
      Path drillWorkerLog = Files.createTempFile("runbook-benchmark-drill-worker", ".log");
      Process worker = start(env, drillWorkerLog, "worker", "--address", dev.address, "--sandbox", "--sandbox-dir",
          stateDir.toString(), "--metrics-port", "0");
      awaitLog(worker, drillWorkerLog, "worker running");
      java.io.PrintStream console = System.out;
      try {
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream())); // the in-process CLI's output
        WorkflowClient client = dev.temporal.client();
        round(dev, client, env, false); // warm-up: the first run of a new worker loads its classes
        List<Double> inProcess = new ArrayList<>();
        List<Double> inProcessCli = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
          double[] r = round(dev, client, env, false);
          inProcessCli.add(r[0]);
          inProcess.add(r[1]);
        }
        List<Double> newJvm = new ArrayList<>();
        List<Double> newJvmCli = new ArrayList<>();
        for (int i = 0; i < Math.max(3, rounds / 4); i++) {
          double[] r = round(dev, client, env, true);
          newJvmCli.add(r[0]);
          newJvm.add(r[1]);
        }

        long demoStarted = System.nanoTime();
        Path demoLog = Files.createTempFile("runbook-benchmark-demo", ".log");
        Process demo = launch(Map.of(), demoLog, "demo", "--yes");
        if (!demo.waitFor(5, TimeUnit.MINUTES) || demo.exitValue() != 0) {
          throw new IllegalStateException("runbook demo --yes failed:\n" + Files.readString(demoLog));
        }
        double demoWall = millisSince(demoStarted) / 1000;
        Matcher m = DEMO_SECONDS.matcher(Files.readString(demoLog));
        double demoItself = m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        System.setOut(console);

        System.out.println();
        System.out.printf("operator benchmark: embedded Temporal service, sandbox platform, %d CPUs%n",
            Runtime.getRuntime().availableProcessors());
        System.out.printf("%-62s %8s %8s %8s %5s%n", "", "p50", "p95", "max", "n");
        row("./runbook worker: launch to polling", startups, "ms");
        row("./runbook approve -> the activity behind the gate starts", newJvm, "ms");
        row("  the approve command, launch to exit", newJvmCli, "ms");
        row("approve in this JVM -> the activity behind the gate starts", inProcess, "ms");
        row("  the approve command in this JVM", inProcessCli, "ms");
        System.out.printf("%-62s %7.1fs   (the demo's own clock: %.1f s)%n", "./runbook demo --yes, wall time",
            demoWall, demoItself);

        json.put("cpus", Runtime.getRuntime().availableProcessors());
        json.put("workerStartupMillis", startups);
        json.put("approveNewJvmToActivityStartMillis", newJvm);
        json.put("approveNewJvmCommandMillis", newJvmCli);
        json.put("approveInProcessToActivityStartMillis", inProcess);
        json.put("approveInProcessCommandMillis", inProcessCli);
        json.put("demoWallSeconds", demoWall);
        json.put("demoReportedSeconds", demoItself);
      } finally {
        System.setOut(console);
        stop(worker);
      }
    }
    Path out = Path.of(System.getProperty("benchmark.out", "starter/target/benchmark/operator.json"));
    Files.createDirectories(out.getParent());
    Files.writeString(out, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
    System.out.println("wrote " + out.toAbsolutePath());
  }

  /**
   * One crash drill with no work: start, wait for its gate, approve, wait for the end. Returns the approve
   * command's own duration and the time from the approve to the start of the activity behind the gate.
   */
  private static double[] round(DevEnvironment dev, WorkflowClient client, Map<String, String> env, boolean newJvm)
      throws Exception {
    check(RunbookCli.execute("start", "crash-drill", "--option", "chunks=0", "--as", "alice", "--address",
        dev.address) == 0, "start");
    WorkflowStub run = client.newUntypedWorkflowStub(RUN);
    awaitGate(run);
    String hash = run.query("status", io.carbon254.runbook.engine.RunbookStatus.class).openGate().shownHash();
    long approvedAt = System.currentTimeMillis();
    long started = System.nanoTime();
    if (newJvm) {
      Path log = Files.createTempFile("runbook-benchmark-approve", ".log");
      Process approve = launch(env, log, "approve", "crash-drill", "--as", "bob", "--yes", "--expect-hash", hash,
          "--address", dev.address);
      check(approve.waitFor(2, TimeUnit.MINUTES) && approve.exitValue() == 0, "approve: " + Files.readString(log));
    } else {
      check(RunbookCli.execute("approve", "crash-drill", "--as", "bob", "--yes", "--expect-hash", hash, "--address",
          dev.address) == 0, "approve");
    }
    double command = millisSince(started);
    run.getResult(2, TimeUnit.MINUTES, RunbookResult.class);
    long workStarted = -1;
    for (HistoryEvent event : client.fetchHistory(RUN).getEvents()) {
      if (event.hasActivityTaskStartedEventAttributes()) {
        workStarted = event.getEventTime().getSeconds() * 1000 + event.getEventTime().getNanos() / 1_000_000;
      }
    }
    check(workStarted > 0, "the run has no started activity");
    return new double[] {command, workStarted - approvedAt};
  }

  private static void awaitGate(WorkflowStub run) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (run.query("status", RunbookStatus.class).openGate() != null) {
          return;
        }
      } catch (RuntimeException notYet) {
        // the run is starting
      }
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
    throw new IllegalStateException("the crash drill's gate did not open within 60 s");
  }

  private static void row(String name, List<Double> values, String unit) {
    List<Double> sorted = values.stream().sorted().toList();
    System.out.printf("%-62s %6.0f%s %6.0f%s %6.0f%s %5d%n", name, percentile(sorted, 50), unit,
        percentile(sorted, 95), unit, sorted.get(sorted.size() - 1), unit, sorted.size());
  }

  static double percentile(List<Double> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  /** {@code ./runbook ARGS}, the launcher an operator uses, output in {@code log}. */
  private static Process launch(Map<String, String> env, Path log, String... args) throws Exception {
    Path launcher = Path.of("runbook").toAbsolutePath();
    check(Files.isExecutable(launcher), "no ./runbook launcher in " + launcher.getParent()
        + ": run the benchmark from the repository's root");
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(Arrays.asList(args));
    return start(new ProcessBuilder(command), env, log);
  }

  /** {@code runbook ARGS} in a new JVM on this JVM's classpath (with the crash drill plugin), output in {@code log}. */
  private static Process start(Map<String, String> env, Path log, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), RunbookCli.class.getName()));
    command.addAll(Arrays.asList(args));
    return start(new ProcessBuilder(command), env, log);
  }

  private static Process start(ProcessBuilder builder, Map<String, String> env, Path log) throws Exception {
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    builder.environment().remove("TEMPORAL_ADDRESS");
    return builder.start();
  }

  private static void awaitLog(Process process, Path log, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
        return;
      }
      check(process.isAlive(), "the worker ended before '" + text + "':\n" + Files.readString(log));
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
    throw new IllegalStateException("no '" + text + "' within 90 s:\n" + Files.readString(log));
  }

  private static void stop(Process process) throws InterruptedException {
    if (process != null) {
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("failed: " + what);
    }
  }

  private static double millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e6;
  }

  private OperatorBenchmark() {}
}
