package io.carbon254.runbook.cli;

import io.carbon254.runbook.worker.codec.Keyring;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/** The CLI as an operator runs it: a separate JVM, on the test's classpath (or without the test classes). */
final class Jvm {

  record Result(int exitCode, String out, String err) {}

  private Jvm() {}

  /** Runs {@code runbook ARGS} to the end (at most two minutes), with the test plugins on its classpath. */
  static Result run(Map<String, String> env, String... args) {
    return run(env, true, args);
  }

  /** Runs {@code runbook ARGS} to the end (at most two minutes); without test classes, as a user runs it. */
  static Result run(Map<String, String> env, boolean withTestClasses, String... args) {
    return run(RunbookCli.class, env, withTestClasses, args);
  }

  /** Runs {@code main}'s class with ARGS to the end (at most two minutes), e.g. the worker image's entry point. */
  static Result run(Class<?> main, Map<String, String> env, boolean withTestClasses, String... args) {
    try {
      Path out = Files.createTempFile("runbook-out", ".log");
      Path err = Files.createTempFile("runbook-err", ".log");
      Process process = builder(main, env, withTestClasses, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("runbook " + String.join(" ", args) + " did not end within 2 minutes");
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new AssertionError("cannot run the CLI: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Starts {@code runbook ARGS} in the background, its output in {@code log}. */
  static Process start(Map<String, String> env, Path log, boolean withTestClasses, String... args) {
    try {
      return builder(RunbookCli.class, env, withTestClasses, args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new AssertionError("cannot start the CLI: " + e, e);
    }
  }

  /** Waits until {@code log} contains {@code text} (bounded), failing with the log if the process dies first. */
  static void awaitLog(Process process, Path log, String text) {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      String content = read(log);
      if (content.contains(text)) {
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError("the process ended (exit " + process.exitValue() + ") before printing '" + text + "':\n" + content);
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    throw new AssertionError("no '" + text + "' within 90 s:\n" + read(log));
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static ProcessBuilder builder(Class<?> main, Map<String, String> env, boolean withTestClasses, String... args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-cp", classpath(withTestClasses), main.getName()));
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove(Keyring.ENV); // a keyring only where a test gives one
    builder.environment().putAll(env);
    builder.environment().remove("TEMPORAL_ADDRESS");
    return builder;
  }

  private static String classpath(boolean withTestClasses) {
    String classpath = System.getProperty("java.class.path");
    if (withTestClasses) {
      return classpath;
    }
    return Arrays.stream(classpath.split(File.pathSeparator))
        .filter(entry -> !entry.endsWith("test-classes") && !entry.endsWith("-tests.jar"))
        .collect(Collectors.joining(File.pathSeparator));
  }
}
