package io.carbon254.runbook.activities.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.runbook.activities.registry.SyntheticImages.Layer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * DESIGN §8 mirror benchmark (not a unit test). Builds 22 synthetic images (6 multi-arch, one with a 512 MiB layer,
 * about 1.3 GiB of blobs) in one local docker-registry, then copies them into empty registries:
 * <ul>
 *   <li>our copier: a new JVM running {@code copyAll}, {@code [parallelism]} images at a time (4 by default);</li>
 *   <li>{@code skopeo copy --all --preserve-digests}, image by image;</li>
 *   <li>the floor of this machine: every distinct layer moved once by {@code curl GET | curl PUT} pipelines, 4 at a
 *       time, largest first, with no verification, no manifests and no JVM: no copier can do much better;</li>
 * </ul>
 * then ours and skopeo again on the already mirrored set (ours twice in one JVM: the second pass is warm, as in the
 * worker). For every run it reads the CPU time of the client and of both registries: on a small machine the
 * registries' own work bounds the wall time. Prints a table; writes {@code target/benchmark/registry-mirror.json}.
 *
 * <p>Run (Debian packages {@code docker-registry}, {@code skopeo}, {@code curl}): {@code mvn -B -q -pl activities -am
 * test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test && java -cp
 * activities/target/test-classes:activities/target/classes:$(cat activities/target/bench.cp)
 * io.carbon254.runbook.activities.registry.RegistryMirrorBenchmark [parallelism]}
 */
public final class RegistryMirrorBenchmark {

  static final long MIB = 1L << 20;
  private static final Pattern TIMES = Pattern.compile("(\\d+)m([0-9.]+)s\\s+(\\d+)m([0-9.]+)s\\s*$");

  /** One timed run: wall seconds, CPU seconds of the client and of each registry, peak RSS (ours only). */
  record Run(double seconds, double clientCpu, double sourceCpu, double targetCpu, long peakKb, double firstPassSeconds,
      double warmSeconds) {
    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("seconds", seconds);
      m.put("clientCpuSeconds", clientCpu);
      m.put("sourceRegistryCpuSeconds", sourceCpu);
      m.put("targetRegistryCpuSeconds", targetCpu);
      return m;
    }
  }

  public static void main(String[] args) throws Exception {
    int parallelism = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    try (LocalRegistry source = LocalRegistry.start(); LocalRegistry ours = LocalRegistry.start();
        LocalRegistry theirs = LocalRegistry.start(); LocalRegistry floor = LocalRegistry.start()) {
      OkHttpClient http = new OkHttpClient.Builder().readTimeout(120, TimeUnit.SECONDS).build();
      RegistryClient client = new RegistryClient(http, Credentials.none(), CopyOptions.defaults());
      SyntheticImages images = new SyntheticImages(client);
      long started = System.nanoTime();
      List<String> names = new ArrayList<>();
      Map<String, Layer> layers = new LinkedHashMap<>();
      Map<String, String> layerRepository = new LinkedHashMap<>();
      Layer base = Layer.of(1000, 30 * MIB);
      for (int i = 0; i < 15; i++) {
        List<Layer> ls = List.of(base, Layer.of(2000 + i, 20 * MIB + i * 4096L), Layer.of(3000 + i, 15 * MIB + i * 777L),
            Layer.of(4000 + i, 64 * 1024 + i));
        images.pushImage(source.ref("bench/single-" + i + ":1.0"), i % 2 == 0, "linux", "amd64", ls);
        names.add("bench/single-" + i + ":1.0");
        for (Layer l : ls) {
          layers.putIfAbsent(l.digest(), l);
          layerRepository.putIfAbsent(l.digest(), "bench/single-" + i);
        }
      }
      for (int i = 0; i < 6; i++) {
        images.pushMultiArch(source.ref("bench/multi-" + i + ":2.0"), i % 2 == 0, 5000 + 10L * i, 24 * MIB);
        names.add("bench/multi-" + i + ":2.0");
        for (Layer l : List.of(Layer.of(5000 + 10L * i, 24 * MIB), Layer.of(5001 + 10L * i, 24 * MIB / 2 + 1),
            Layer.of(5002 + 10L * i, 24 * MIB / 3 + 7))) {
          layers.putIfAbsent(l.digest(), l);
          layerRepository.putIfAbsent(l.digest(), "bench/multi-" + i);
        }
      }
      Layer huge = Layer.of(9000, 512 * MIB);
      images.pushImage(source.ref("bench/huge:1.0"), true, "linux", "amd64", List.of(base, huge));
      names.add("bench/huge:1.0");
      layers.put(huge.digest(), huge);
      layerRepository.put(huge.digest(), "bench/huge");
      long bytes = layers.values().stream().mapToLong(Layer::size).sum();
      System.out.printf("built %d images, %d distinct layers, %.2f GiB, in %.1f s; %d CPUs%n", names.size(),
          layers.size(), bytes / (double) (1L << 30), seconds(started), Runtime.getRuntime().availableProcessors());

      Path list = Files.createTempFile("mirror-list", ".txt");
      List<String> lines = new ArrayList<>();
      for (String n : names) {
        lines.add(source.host() + "/" + n + " " + ours.host() + "/mirror/" + n.substring("bench/".length()));
      }
      Files.write(list, lines);

      Run oursFirst = runOurs(source, ours, list, parallelism, 1);
      Run skopeoFirst = runSkopeo(source, theirs, names);
      Run floorRun = runFloor(source, floor, client, layers, layerRepository);
      Run oursAgain = runOurs(source, ours, list, parallelism, 2);
      Run skopeoAgain = runSkopeo(source, theirs, names);

      System.out.println();
      System.out.printf("registry mirror benchmark: %d images (6 multi-arch), %.2f GiB, %d CPUs, parallelism %d%n",
          names.size(), bytes / (double) (1L << 30), Runtime.getRuntime().availableProcessors(), parallelism);
      System.out.printf("%-46s %8s %8s   %s%n", "", "wall", "/skopeo", "CPU s: client  src-registry  dst-registry");
      row("ours, full copy (new JVM)", oursFirst, skopeoFirst, "target <= 0.50x");
      row("skopeo, full copy (one process per image)", skopeoFirst, skopeoFirst, "");
      row("floor: curl GET|PUT, no verification", floorRun, skopeoFirst, "");
      row("ours, re-run (new JVM)", oursAgain, skopeoAgain, "");
      System.out.printf("%-46s %7.2fs %8s   %s%n", "  of which copying (JVM start-up and exit not)",
          oursAgain.firstPassSeconds(), "", "");
      System.out.printf("%-46s %7.2fs %8s   %s%n", "ours, re-run again in the same (warm) JVM", oursAgain.warmSeconds(),
          "", "");
      row("skopeo, re-run", skopeoAgain, skopeoAgain, "");
      System.out.printf("%-46s %7.1f%%   target <= 5%% of our full copy (new JVM: %.1f%%, its copying: %.1f%%)%n",
          "warm re-run / full copy", 100 * oursAgain.warmSeconds() / oursFirst.seconds(),
          100 * oursAgain.seconds() / oursFirst.seconds(), 100 * oursAgain.firstPassSeconds() / oursFirst.seconds());
      System.out.printf("%-46s %5.0f MiB   target <= 300 MiB%n", "peak RSS of our copier JVM", oursFirst.peakKb() / 1024.0);
      double registries = oursFirst.sourceCpu() + oursFirst.targetCpu();
      System.out.printf("the two registries alone used %.1f CPU s of our full copy: %.2f s of wall time on %d CPUs even"
          + " with a client that costs nothing%n", registries, registries / Runtime.getRuntime().availableProcessors(),
          Runtime.getRuntime().availableProcessors());

      Map<String, Object> json = new LinkedHashMap<>();
      json.put("images", names.size());
      json.put("multiArchImages", 6);
      json.put("distinctLayerBytes", bytes);
      json.put("cpus", Runtime.getRuntime().availableProcessors());
      json.put("parallelism", parallelism);
      json.put("oursFirst", oursFirst.json());
      json.put("skopeoFirst", skopeoFirst.json());
      json.put("floorCurlPipelines", floorRun.json());
      json.put("oursRerun", oursAgain.json());
      json.put("oursRerunCopyingSeconds", oursAgain.firstPassSeconds());
      json.put("oursWarmRerunSeconds", oursAgain.warmSeconds());
      json.put("skopeoRerun", skopeoAgain.json());
      json.put("firstRatio", oursFirst.seconds() / skopeoFirst.seconds());
      json.put("floorRatio", floorRun.seconds() / skopeoFirst.seconds());
      json.put("rerunOverFirst", oursAgain.seconds() / oursFirst.seconds());
      json.put("warmRerunOverFirst", oursAgain.warmSeconds() / oursFirst.seconds());
      json.put("oursPeakRssMiB", oursFirst.peakKb() / 1024.0);
      json.put("targets", Map.of("firstRatio", 0.5, "rerunOverFirst", 0.05, "peakRssMiB", 300));
      Path out = Path.of(System.getProperty("benchmark.out", "activities/target/benchmark/registry-mirror.json"));
      Files.createDirectories(out.getParent());
      Files.writeString(out, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
      System.out.println("wrote " + out.toAbsolutePath());
    }
  }

  private static void row(String name, Run run, Run skopeo, String note) {
    System.out.printf("%-46s %7.2fs %7.2fx   %13.1f %13.1f %13.1f   %s%n", name, run.seconds(),
        run.seconds() / skopeo.seconds(), run.clientCpu(), run.sourceCpu(), run.targetCpu(), note);
  }

  /** Our copier in a new JVM; with 2 passes the second copies the list again in the same JVM. */
  static Run runOurs(LocalRegistry source, LocalRegistry target, Path list, int parallelism, int passes)
      throws Exception {
    List<String> command = CopyImageMain.command("256m", passes, List.of("--list", list.toString(),
        Integer.toString(parallelism)));
    Timed t = timed(source, target, List.of(command));
    long peak = Long.parseLong(t.output.replaceAll("(?s).*VMHWM_KB (\\d+).*", "$1"));
    double firstPass = Double.parseDouble(t.output.replaceAll("(?s).*PASS_SECONDS 1 ([0-9.E-]+).*", "$1"));
    double lastPass = Double.parseDouble(t.output.replaceAll("(?s).*PASS_SECONDS " + passes + " ([0-9.E-]+).*", "$1"));
    double laterPasses = passes > 1
        ? Double.parseDouble(t.output.replaceAll("(?s).*PASS_SECONDS 2 ([0-9.E-]+).*", "$1")) : 0;
    // The wall time covers every pass: the first pass's share is the wall time less the later passes.
    return new Run(t.seconds - laterPasses, t.clientCpu, t.sourceCpu, t.targetCpu, peak, firstPass, lastPass);
  }

  static Run runSkopeo(LocalRegistry source, LocalRegistry target, List<String> names) throws Exception {
    List<List<String>> commands = new ArrayList<>();
    for (String n : names) {
      commands.add(List.of("skopeo", "copy", "--all", "--preserve-digests", "--src-tls-verify=false",
          "--dest-tls-verify=false", "docker://" + source.host() + "/" + n,
          "docker://" + target.host() + "/mirror/" + n.substring("bench/".length())));
    }
    Timed t = timed(source, target, commands);
    return new Run(t.seconds, t.clientCpu, t.sourceCpu, t.targetCpu, 0, 0, 0);
  }

  /** Every distinct layer once, {@code curl | curl}, 4 at a time, largest first: what the machine allows. */
  static Run runFloor(LocalRegistry source, LocalRegistry target, RegistryClient client, Map<String, Layer> layers,
      Map<String, String> repositoryOf) throws Exception {
    ImageReference repo = target.ref("floor/all:1");
    List<Layer> order = new ArrayList<>(layers.values());
    order.sort(Comparator.comparingLong(Layer::size).reversed());
    List<List<String>> commands = new ArrayList<>();
    for (Layer l : order) {
      HttpUrl session = client.startUpload(repo, "floor upload session");
      String put = session.newBuilder().addQueryParameter("digest", l.digest()).build().toString();
      commands.add(List.of("bash", "-o", "pipefail", "-c", "curl -sSf http://" + source.host() + "/v2/"
          + repositoryOf.get(l.digest()) + "/blobs/" + l.digest() + " | curl -sSf -T - -H 'Transfer-Encoding:' -H 'Expect:'"
          + " -H 'Content-Length: " + l.size() + "' -H 'Content-Type: application/octet-stream' '" + put + "'"));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Timed t = timed(source, target, () -> {
        List<Future<Timed>> pipelines = new ArrayList<>();
        for (List<String> command : commands) {
          pipelines.add(pool.submit(() -> run(List.of(command))));
        }
        double cpu = 0;
        for (Future<Timed> f : pipelines) {
          cpu += f.get().clientCpu;
        }
        return new Timed(0, cpu, 0, 0, "");
      });
      return new Run(t.seconds, t.clientCpu, t.sourceCpu, t.targetCpu, 0, 0, 0);
    } finally {
      pool.shutdownNow();
    }
  }

  record Timed(double seconds, double clientCpu, double sourceCpu, double targetCpu, String output) {}

  /** Runs the commands one after the other; see {@link #timed(LocalRegistry, LocalRegistry, Callable)}. */
  static Timed timed(LocalRegistry source, LocalRegistry target, List<List<String>> commands) throws Exception {
    return timed(source, target, () -> run(commands));
  }

  /**
   * Times {@code client} (which reports its own CPU) and reads what both registries spent meanwhile, after writing
   * back the page cache so no run pays for the last one's.
   */
  static Timed timed(LocalRegistry source, LocalRegistry target, Callable<Timed> client) throws Exception {
    sync();
    double src0 = source.cpuSeconds();
    double dst0 = target.cpuSeconds();
    long started = System.nanoTime();
    Timed t = client.call();
    return new Timed(seconds(started), t.clientCpu, source.cpuSeconds() - src0, target.cpuSeconds() - dst0, t.output);
  }

  /** Runs the commands in one shell and reads the CPU time of its children from bash's {@code times}. */
  static Timed run(List<List<String>> commands) throws Exception {
    StringBuilder script = new StringBuilder("set -e\n");
    for (List<String> command : commands) {
      for (String word : command) {
        script.append('\'').append(word.replace("'", "'\\''")).append("' ");
      }
      script.append('\n');
    }
    script.append("times\n");
    long started = System.nanoTime();
    Process p = new ProcessBuilder("bash", "-c", script.toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("failed: " + commands.get(0) + (commands.size() > 1 ? " ..." : "") + "\n"
          + output);
    }
    Matcher m = TIMES.matcher(output.trim());
    if (!m.find()) {
      throw new IllegalStateException("no CPU times in the output:\n" + output);
    }
    double cpu = 60 * Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2))
        + 60 * Double.parseDouble(m.group(3)) + Double.parseDouble(m.group(4));
    return new Timed(seconds(started), cpu, 0, 0, output);
  }

  static void sync() throws Exception {
    new ProcessBuilder("sync").inheritIO().start().waitFor();
  }

  static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private RegistryMirrorBenchmark() {}
}
