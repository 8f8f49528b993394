package io.carbon254.runbook.activities.registry;

import io.carbon254.runbook.activities.registry.SyntheticImages.Layer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;

/**
 * DESIGN §8 mirror benchmark (not a unit test). Builds 22 synthetic images (6 multi-arch, one with a 512 MiB layer,
 * about 1.3 GiB of blobs) in one local docker-registry, then copies them into empty registries: our copier (a forked
 * JVM, {@code copyAll}, 4 images at a time) vs {@code skopeo copy --all --preserve-digests} image by image; then both
 * again on the already mirrored set. Prints a table; writes {@code target/benchmark/registry-mirror.json}.
 *
 * <p>Run: see the class {@code README} line in the report, i.e.
 * {@code mvn -B -o -q -pl activities test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp
 * -Dmdep.includeScope=test && java -cp activities/target/test-classes:activities/target/classes:$(cat
 * activities/target/bench.cp) io.carbon254.runbook.activities.registry.RegistryMirrorBenchmark}
 */
public final class RegistryMirrorBenchmark {

  static final long MIB = 1L << 20;

  public static void main(String[] args) throws Exception {
    int parallelism = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    try (LocalRegistry source = LocalRegistry.start(); LocalRegistry ours = LocalRegistry.start();
        LocalRegistry theirs = LocalRegistry.start()) {
      OkHttpClient http = new OkHttpClient.Builder().readTimeout(120, TimeUnit.SECONDS).build();
      SyntheticImages images = new SyntheticImages(new RegistryClient(http, Credentials.none(), CopyOptions.defaults()));
      long started = System.nanoTime();
      List<String> names = new ArrayList<>();
      long bytes = 0;
      Layer base = Layer.of(1000, 30 * MIB);
      bytes += base.size();
      for (int i = 0; i < 15; i++) {
        Layer a = Layer.of(2000 + i, 20 * MIB + i * 4096L);
        Layer b = Layer.of(3000 + i, 15 * MIB + i * 777L);
        Layer c = Layer.of(4000 + i, 64 * 1024 + i);
        images.pushImage(source.ref("bench/single-" + i + ":1.0"), i % 2 == 0, "linux", "amd64", List.of(base, a, b, c));
        names.add("bench/single-" + i + ":1.0");
        bytes += a.size() + b.size() + c.size();
      }
      for (int i = 0; i < 6; i++) {
        images.pushMultiArch(source.ref("bench/multi-" + i + ":2.0"), i % 2 == 0, 5000 + 10L * i, 24 * MIB);
        names.add("bench/multi-" + i + ":2.0");
        bytes += 24 * MIB + (24 * MIB / 2 + 1) + (24 * MIB / 3 + 7);
      }
      Layer huge = Layer.of(9000, 512 * MIB);
      images.pushImage(source.ref("bench/huge:1.0"), true, "linux", "amd64", List.of(base, huge));
      names.add("bench/huge:1.0");
      bytes += huge.size();
      System.out.printf("built %d images, %.2f GiB of blobs, in %.1f s%n", names.size(), bytes / (double) (1L << 30),
          seconds(started));

      Path list = Files.createTempFile("mirror-list", ".txt");
      List<String> lines = new ArrayList<>();
      for (String n : names) {
        lines.add(source.host() + "/" + n + " " + ours.host() + "/mirror/" + n.substring("bench/".length()));
      }
      Files.write(list, lines);

      Run oursFirst = runOurs(list, parallelism);
      double skopeoFirst = runSkopeo(source, theirs, names);
      Run oursAgain = runOurs(list, parallelism, 2);
      double skopeoAgain = runSkopeo(source, theirs, names);

      Map<String, Object> json = new LinkedHashMap<>();
      json.put("images", names.size());
      json.put("multiArchImages", 6);
      json.put("blobBytes", bytes);
      json.put("parallelism", parallelism);
      json.put("oursFirstSeconds", oursFirst.seconds);
      json.put("skopeoFirstSeconds", skopeoFirst);
      json.put("firstRatio", oursFirst.seconds / skopeoFirst);
      json.put("oursRerunSeconds", oursAgain.seconds);
      json.put("skopeoRerunSeconds", skopeoAgain);
      json.put("rerunOverFirst", oursAgain.seconds / oursFirst.seconds);
      json.put("oursWarmRerunSeconds", oursAgain.warmPassSeconds);
      json.put("warmRerunOverFirst", oursAgain.warmPassSeconds / oursFirst.seconds);
      json.put("oursPeakRssMiB", oursFirst.peakKb / 1024.0);
      json.put("oursRerunPeakRssMiB", oursAgain.peakKb / 1024.0);
      json.put("targets", Map.of("firstRatio", 0.5, "rerunOverFirst", 0.05, "peakRssMiB", 300));

      System.out.println();
      System.out.printf("%-40s %12s %12s %10s%n", "registry mirror benchmark", "ours", "skopeo", "ratio");
      System.out.printf("%-40s %11.2fs %11.2fs %9.2fx   (target <= 0.50x)%n", "full copy of " + names.size() + " images",
          oursFirst.seconds, skopeoFirst, oursFirst.seconds / skopeoFirst);
      System.out.printf("%-40s %11.2fs %11.2fs %9.2fx%n", "re-run on the mirrored set", oursAgain.seconds, skopeoAgain,
          oursAgain.seconds / skopeoAgain);
      System.out.printf("%-40s %11.1f%% %12s %10s   (target <= 5%%)%n", "re-run / our full copy",
          100 * oursAgain.seconds / oursFirst.seconds, "", "");
      System.out.printf("%-40s %11.2fs %12s %10s%n", "re-run again in the same (warm) JVM", oursAgain.warmPassSeconds, "", "");
      System.out.printf("%-40s %11.1f%% %12s %10s   (target <= 5%%)%n", "warm re-run / our full copy",
          100 * oursAgain.warmPassSeconds / oursFirst.seconds, "", "");
      System.out.printf("%-40s %9.0f MiB %12s %10s   (target <= 300 MiB)%n", "peak RSS of the copier JVM",
          oursFirst.peakKb / 1024.0, "", "");
      Path out = Path.of(System.getProperty("benchmark.out", "activities/target/benchmark/registry-mirror.json"));
      Files.createDirectories(out.getParent());
      Files.writeString(out, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
          .writeValueAsString(json));
      System.out.println("wrote " + out.toAbsolutePath());
    }
  }

  /**
   * @param seconds wall time of the first pass, JVM start included
   * @param warmPassSeconds the last pass, in the same JVM (what a long-running worker does), or the first if one pass
   */
  record Run(double seconds, long peakKb, double warmPassSeconds) {}

  static Run runOurs(Path list, int parallelism) throws Exception {
    return runOurs(list, parallelism, 1);
  }

  static Run runOurs(Path list, int parallelism, int passes) throws Exception {
    List<String> command = CopyImageMain.command("256m", passes, List.of("--list", list.toString(),
        Integer.toString(parallelism)));
    long started = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    double seconds = seconds(started);
    if (exit != 0) {
      throw new IllegalStateException("our copier failed:\n" + output);
    }
    long peak = Long.parseLong(output.replaceAll("(?s).*VMHWM_KB (\\d+).*", "$1"));
    System.out.println(output);
    double lastPass = Double.parseDouble(output.replaceAll("(?s).*PASS_SECONDS " + passes + " ([0-9.E-]+).*", "$1"));
    double firstPassExtra = passes > 1
        ? Double.parseDouble(output.replaceAll("(?s).*PASS_SECONDS 2 ([0-9.E-]+).*", "$1")) : 0;
    // The wall time covers every pass: the first pass's share is the wall time less the later passes.
    return new Run(passes > 1 ? seconds - firstPassExtra : seconds, peak, lastPass);
  }

  static double runSkopeo(LocalRegistry source, LocalRegistry target, List<String> names) throws Exception {
    long started = System.nanoTime();
    for (String n : names) {
      Process p = new ProcessBuilder("skopeo", "copy", "--all", "--preserve-digests", "--src-tls-verify=false",
          "--dest-tls-verify=false", "docker://" + source.host() + "/" + n,
          "docker://" + target.host() + "/mirror/" + n.substring("bench/".length()))
          .redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException("skopeo failed on " + n + ":\n" + output);
      }
    }
    return seconds(started);
  }

  static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private RegistryMirrorBenchmark() {}
}
