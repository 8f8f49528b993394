package io.carbon254.runbook.activities.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * The copier alone in a JVM, for the small-heap test and the benchmark's memory figure:
 * {@code CopyImageMain SRC DST} or {@code CopyImageMain --list FILE PARALLELISM}. Credentials from
 * {@code -Dregistry.user/-Dregistry.password} for every registry. Prints one {@code RESULT} line per image and
 * {@code VMHWM_KB <n>} (peak resident set, from /proc/self/status) at the end; exits 1 if any copy failed.
 */
public final class CopyImageMain {

  public static void main(String[] args) throws Exception {
    String user = System.getProperty("registry.user");
    Credentials credentials = user == null ? Credentials.none()
        : r -> java.util.Optional.of(new Credentials.Login(user, System.getProperty("registry.password")));
    OkHttpClient http = new OkHttpClient.Builder().readTimeout(120, TimeUnit.SECONDS)
        .writeTimeout(120, TimeUnit.SECONDS).connectionPool(new ConnectionPool(32, 1, TimeUnit.MINUTES)).build();
    CopyOptions options = CopyOptions.defaults()
        .withBlobParallelism(Integer.getInteger("registry.blobParallelism", 8))
        .withChunkSize(Long.getLong("registry.chunkSize", 0L));
    List<ImagePair> pairs = new ArrayList<>();
    int parallelism = 1;
    if (args[0].equals("--list")) {
      for (String line : Files.readAllLines(Path.of(args[1]))) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length == 2) {
          pairs.add(ImagePair.parse(parts[0], parts[1]));
        }
      }
      parallelism = Integer.parseInt(args[2]);
    } else {
      pairs.add(ImagePair.parse(args[0], args[1]));
    }
    boolean ok = true;
    long jvmStartedMs = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
    System.out.println("STARTUP_MS " + (System.currentTimeMillis() - jvmStartedMs));
    long started = System.nanoTime();
    // More than one pass copies the list again in this JVM, as a long-running worker would on a re-run.
    int passes = Integer.getInteger("registry.passes", 1);
    try (RegistryCopier copier = new RegistryCopier(http, credentials, options)) {
      for (int pass = 1; pass <= passes; pass++) {
        long passStarted = System.nanoTime();
        for (CopyOutcome o : copier.copyAll(pairs, parallelism)) {
          if (o.ok()) {
            CopyResult r = o.result();
            System.out.println("RESULT " + r.source() + " " + r.digest() + " " + r.bytesCopied() + " " + r.blobsCopied()
                + " " + r.blobsSkipped() + " " + r.blobsMounted() + " " + r.unchanged() + " " + r.elapsed().toMillis() + "ms");
          } else {
            ok = false;
            System.out.println("FAILED " + o.pair().source() + " " + o.failure().getMessage());
          }
        }
        System.out.println("PASS_SECONDS " + pass + " " + (System.nanoTime() - passStarted) / 1e9);
      }
    }
    System.out.println("COPY_SECONDS " + (System.nanoTime() - started) / 1e9);
    System.out.println("VMHWM_KB " + vmHwmKb());
    System.exit(ok ? 0 : 1);
  }

  static long vmHwmKb() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return -1;
  }

  /** The command line that runs this class in a new JVM with the test classpath. */
  static List<String> command(String maxHeap, List<String> args) {
    return command(maxHeap, 1, args);
  }

  static List<String> command(String maxHeap, int passes, List<String> args) {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + maxHeap, "-XX:+UseSerialGC", "-Dregistry.passes=" + passes, "-cp", classpath));
    command.add(CopyImageMain.class.getName());
    command.addAll(args);
    return command;
  }

  private CopyImageMain() {}
}
