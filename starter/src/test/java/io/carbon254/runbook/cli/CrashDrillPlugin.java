package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.RunbookDefinition;
import io.carbon254.runbook.Runbooks;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.worker.PlatformConnections;
import io.carbon254.runbook.worker.RunbookPlugin;
import io.temporal.activity.Activity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The crash drill as a plugin, found through {@code META-INF/services} on the test classpath: the
 * real worker and CLI processes of the process tests load it like any extra runbook. Its world is
 * a directory ({@code CRASH_DRILL_DIR}) so that it survives a killed worker.
 */
public final class CrashDrillPlugin implements RunbookPlugin {

  @Override
  public List<RunbookDefinition> runbooks() {
    return List.of(new RunbookDefinition("crash-drill", "CrashDrillWorkflow", CrashDrillWorkflowImpl.class,
        "test only: prepare, a gate, slow work that heartbeats", List.of("approve-work")));
  }

  @Override
  public List<Object> activities(PlatformConnections platform) {
    String dir = System.getenv().getOrDefault("CRASH_DRILL_DIR", System.getProperty("java.io.tmpdir") + "/crash-drill");
    return List.of(new World(Path.of(dir)));
  }

  static final class World implements CrashDrillActivities {
    private final Path dir;

    World(Path dir) {
      this.dir = dir;
    }

    @Override
    public Changed.Result prepare() {
      try {
        Files.createDirectories(dir);
        Path marker = dir.resolve("prepared");
        if (Files.exists(marker)) {
          return new Changed.Result(Change.UNCHANGED, "drill prepared");
        }
        Files.writeString(marker, "prepared\n");
        return new Changed.Result(Change.CREATED, "drill prepared");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public Changed.Result work(int chunks) {
      int from = Activity.getExecutionContext().getHeartbeatDetails(Integer.class).orElse(0);
      log("attempt " + Activity.getExecutionContext().getInfo().getAttempt() + " starts at chunk " + from);
      for (int chunk = from; chunk < chunks; chunk++) {
        try {
          Thread.sleep(250); // one chunk of "work"
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
        log("chunk " + chunk + " done");
        Activity.getExecutionContext().heartbeat(chunk + 1);
      }
      return new Changed.Result(Change.CREATED, chunks + " of " + chunks + " chunks done");
    }

    private void log(String line) {
      try {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("work.log"), line + "\n", StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
