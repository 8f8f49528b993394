package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.AbstractRunbookWorkflow;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.RunbookDefinition;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookWorkflow;
import io.carbon254.runbook.engine.Step;
import io.carbon254.runbook.worker.PlatformConnections;
import io.carbon254.runbook.worker.RunbookPlugin;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The load benchmark's runbook ({@link LoadBenchmark}): prepare → a gate → work in chunks that heartbeats → finish,
 * the crash drill's shape with an effect journal and short timeouts. Registered five times, as {@code load-1} …
 * {@code load-5}, because a run's workflow id is {@code <platform>/<runbook>} and the launcher allows one run of a
 * runbook per platform at a time: five runbooks on each of 20 platforms are 100 distinct runs that can all be in
 * flight at once, each started and approved the way the CLI does it.
 *
 * <p>Only the benchmark's worker processes load it: its {@link Plugin} is named by a services file the benchmark
 * writes, not by the test classpath's, so the process tests' workers and catalogue do not see it.
 *
 * <p>Its effects are idempotent, as the runbooks' are, and every execution of an activity is journalled (see
 * {@link Journal}): the benchmark counts both, so an activity that ran twice shows, and so would an effect made twice.
 */
public final class LoadDrill {

  static final String DIR_ENV = "LOAD_DRILL_DIR";
  static final int RUNBOOKS = 5;

  /** A killed worker's quick activity is retried after 5 s (it sends no heartbeat to miss). */
  static final ActivityOptions QUICK = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofSeconds(5))
      .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofMillis(200)).setMaximumAttempts(10).build())
      .build();
  /**
   * The chunked work: a killed worker is noticed by its missing heartbeat within 3 s, and the retry resumes. (2 s, on
   * 2 cores that other builds kept at a load average of 14, timed out live workers' heartbeats; 3 s is the crash drill's.)
   */
  static final ActivityOptions WORK = ActivityOptions.newBuilder(QUICK)
      .setStartToCloseTimeout(Duration.ofSeconds(60))
      .setHeartbeatTimeout(Duration.ofSeconds(3))
      .build();

  private LoadDrill() {}

  static String runbookId(int n) {
    return "load-" + n;
  }

  static String workflowType(int n) {
    return "LoadDrill" + n;
  }

  @ActivityInterface
  public interface LoadDrillActivities {
    // Activity types are named after their methods, and the crash drill's worker registers Prepare and Work already.
    Changed.Result prepareLoad();

    /** {@code chunks} chunks of work, heartbeating after each; a retry resumes after the last heartbeat. */
    Changed.Result workInChunks(int chunks);

    Changed.Result finishLoad();
  }

  /** The runbook, the same under each of its five ids. */
  public abstract static class Body extends AbstractRunbookWorkflow {
    private final LoadDrillActivities drill = runbook.activities(LoadDrillActivities.class, QUICK, Map.of("workInChunks", WORK));

    protected Body(String runbookId) {
      super(runbookId);
    }

    public RunbookResult run(RunbookRequest request) {
      int chunks = Integer.parseInt(request.option("chunks", "8"));
      return runbook.run(request, rb -> {
        Step prepare = rb.declare("prepare", "Prepare the work");
        Step approveWork = rb.declare("approve-work", "Gate: do the work");
        Step work = rb.declare("work", "Do " + chunks + " chunks of work");
        Step finish = rb.declare("finish", "Finish");
        prepare.run(drill::prepareLoad);
        if (rb.gate(approveWork, "Do " + chunks + " chunks of work?").approved()) {
          work.run(() -> drill.workInChunks(chunks));
          finish.run(drill::finishLoad);
        }
      });
    }
  }

  // One workflow type per runbook id: Temporal names a type after its interface, and the engine signs starts by runbook id.

  @WorkflowInterface
  public interface LoadDrill1 extends RunbookWorkflow {
    @WorkflowMethod
    RunbookResult run(RunbookRequest request);
  }

  @WorkflowInterface
  public interface LoadDrill2 extends RunbookWorkflow {
    @WorkflowMethod
    RunbookResult run(RunbookRequest request);
  }

  @WorkflowInterface
  public interface LoadDrill3 extends RunbookWorkflow {
    @WorkflowMethod
    RunbookResult run(RunbookRequest request);
  }

  @WorkflowInterface
  public interface LoadDrill4 extends RunbookWorkflow {
    @WorkflowMethod
    RunbookResult run(RunbookRequest request);
  }

  @WorkflowInterface
  public interface LoadDrill5 extends RunbookWorkflow {
    @WorkflowMethod
    RunbookResult run(RunbookRequest request);
  }

  public static final class LoadDrill1Impl extends Body implements LoadDrill1 {
    public LoadDrill1Impl() {
      super(runbookId(1));
    }
  }

  public static final class LoadDrill2Impl extends Body implements LoadDrill2 {
    public LoadDrill2Impl() {
      super(runbookId(2));
    }
  }

  public static final class LoadDrill3Impl extends Body implements LoadDrill3 {
    public LoadDrill3Impl() {
      super(runbookId(3));
    }
  }

  public static final class LoadDrill4Impl extends Body implements LoadDrill4 {
    public LoadDrill4Impl() {
      super(runbookId(4));
    }
  }

  public static final class LoadDrill5Impl extends Body implements LoadDrill5 {
    public LoadDrill5Impl() {
      super(runbookId(5));
    }
  }

  /** The five runbooks and their world, for the benchmark's workers. */
  public static final class Plugin implements RunbookPlugin {
    private static final List<Class<?>> IMPLEMENTATIONS = List.of(LoadDrill1Impl.class, LoadDrill2Impl.class,
        LoadDrill3Impl.class, LoadDrill4Impl.class, LoadDrill5Impl.class);

    @Override
    public List<RunbookDefinition> runbooks() {
      return java.util.stream.IntStream.rangeClosed(1, RUNBOOKS).mapToObj(n -> new RunbookDefinition(runbookId(n),
          workflowType(n), IMPLEMENTATIONS.get(n - 1), "load benchmark only: prepare, a gate, chunked work, finish",
          List.of("approve-work"))).toList();
    }

    @Override
    public List<Object> activities(PlatformConnections platform) {
      String dir = System.getenv().getOrDefault(DIR_ENV, System.getProperty("java.io.tmpdir") + "/load-drill");
      return List.of(new Journal(Path.of(dir)));
    }
  }

  /**
   * The drill's world. An effect is a file per run and step ({@code effects/<workflow id>/<step>}), made only if it is
   * not there — idempotent, as the runbooks' {@code ensureX} activities are: an activity may run again (its worker was
   * killed after the effect and before it reported), the effect happens once. Every execution is also a line in this
   * process's journal, {@code <workflow id> <step> attempt <n> created|unchanged}, so the benchmark sees both.
   */
  static final class Journal implements LoadDrillActivities {
    private final Path effects;
    private final Path journal;

    Journal(Path dir) {
      try {
        this.effects = Files.createDirectories(dir.resolve("effects"));
        this.journal = dir.resolve("executions-" + ProcessHandle.current().pid() + ".log");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public Changed.Result prepareLoad() {
      return new Changed.Result(effect("prepare"), "prepared");
    }

    @Override
    public Changed.Result workInChunks(int chunks) {
      ActivityExecutionContext context = Activity.getExecutionContext();
      int from = context.getHeartbeatDetails(Integer.class).orElse(0);
      for (int chunk = from; chunk < chunks; chunk++) {
        try {
          Thread.sleep(250); // one chunk of "work"
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
        record("chunk-" + chunk, "done");
        context.heartbeat(chunk + 1);
      }
      return new Changed.Result(effect("work"), chunks + " of " + chunks + " chunks done");
    }

    @Override
    public Changed.Result finishLoad() {
      return new Changed.Result(effect("finish"), "finished");
    }

    private Change effect(String step) {
      String workflowId = Activity.getExecutionContext().getInfo().getWorkflowId();
      Change change;
      try {
        Path file = Files.createDirectories(effects.resolve(workflowId)).resolve(step);
        Files.writeString(file, step + "\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        change = Change.CREATED;
      } catch (FileAlreadyExistsException done) {
        change = Change.UNCHANGED;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      record(step, change == Change.CREATED ? "created" : "unchanged");
      return change;
    }

    /** One write of a short line, so that the journal holds whole lines. */
    private void record(String step, String what) {
      ActivityInfo info = Activity.getExecutionContext().getInfo();
      String line = info.getWorkflowId() + " " + step + " attempt " + info.getAttempt() + " " + what + "\n";
      try {
        Files.writeString(journal, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
