package io.carbon254.runbook.platform;

import io.carbon254.runbook.Runbooks;
import io.carbon254.runbook.engine.AbstractRunbookWorkflow;
import io.carbon254.runbook.engine.Runbook;
import io.carbon254.runbook.engine.RunbookDefinition;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.Step;
import io.carbon254.runbook.engine.StepOutcome;
import io.carbon254.runbook.platformcheck.ReadinessReport;
import io.temporal.workflow.Workflow;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

public class PlatformWorkflowImpl extends AbstractRunbookWorkflow implements PlatformWorkflow {

  /**
   * A remaining task of the status report: its runbook, the component of the report's table it
   * completes, and the runbook that must have finished before it (ha-join moves the databases, so
   * it needs a backup first).
   */
  record Task(String runbook, String component, String after) {}

  static final List<Task> TASKS = List.of(
      new Task("sso", "SSO Infrastructure", null),
      new Task("image-mirror", "Image Mirroring", null),
      new Task("backup-activation", "Backup Strategy", null),
      new Task("ha-join", "Multi-Node HA", "backup-activation"),
      new Task("hpa-activation", "HPA Configuration", null));

  public PlatformWorkflowImpl() {
    super(RUNBOOK);
  }

  @Override
  public RunbookResult run(RunbookRequest request) {
    return runbook.run(request, rb -> {
      // Which runbooks this build has is recorded in the run's history once: a later build that
      // has more replays this run as it was decided, and runs them in the next run.
      Set<String> lacking = new HashSet<>(Arrays.asList(Workflow.sideEffect(String.class, () -> String.join(",",
          TASKS.stream().map(Task::runbook).filter(id -> Runbooks.find(id).isEmpty()).toList())).split(",")));
      lacking.remove("");

      Step checkBefore = rb.declare("check-before", "platform-check: the readiness before");
      Map<Task, Step> steps = new LinkedHashMap<>();
      for (Task task : TASKS) {
        steps.put(task, rb.declare(task.runbook(), lacking.contains(task.runbook())
            ? task.component() + ": not in this build"
            : task.component() + ": " + Runbooks.find(task.runbook()).orElseThrow().description()));
      }
      Step checkAfter = rb.declare("check-after", "platform-check: the readiness after");
      if (!lacking.isEmpty()) {
        rb.output("lacking", "this build has no runbook " + String.join(", ", TASKS.stream().map(Task::runbook)
            .filter(lacking::contains).toList()) + ": what they complete stays ✗");
      }

      StepOutcome<RunbookResult> before = rb.child(checkBefore, Runbooks.PLATFORM_CHECK, "platform-check-before");
      Set<String> ready = before.map(r -> components(r.outputs().get("ready"))).orElse(Set.of());
      int[] score = {before.map(r -> percent(r.outputs().get("score"))).orElse(0)};
      before.ifDone(r -> rb.output("report-before", r.outputs().get("report")));
      rb.output("score-before", score[0] + "%");
      rb.output("score", score[0] + "%");

      Set<String> finished = new HashSet<>();
      for (Task task : TASKS) {
        Step step = steps.get(task);
        if (ready.contains(task.component())) {
          step.alreadyDone("platform-check found " + task.component() + " ✓ already: " + task.runbook() + " not run");
          finished.add(task.runbook());
        } else if (lacking.contains(task.runbook())) {
          step.notRun("this build has no runbook " + task.runbook() + ": " + task.component() + " stays ✗");
        } else if (task.after() != null && !finished.contains(task.after())) {
          step.notRun("needs " + task.after() + " to have finished first, and it did not");
        } else if (run(rb, step, Runbooks.find(task.runbook()).orElseThrow())) {
          finished.add(task.runbook());
          score[0] += ReadinessReport.weightOf(task.component());
          rb.output("score", score[0] + "%");
        }
      }

      StepOutcome<RunbookResult> after = rb.child(checkAfter, Runbooks.PLATFORM_CHECK, "platform-check-after");
      after.ifDone(r -> {
        rb.output("score", r.outputs().get("score"));
        rb.output("report", r.outputs().get("report"));
      });
    });
  }

  /** Runs a task's runbook as a child; true when it succeeded (a plan-only child plans, and changes nothing). */
  private static boolean run(Runbook rb, Step step, RunbookDefinition child) {
    StepOutcome<RunbookResult> outcome = rb.child(step, child);
    return outcome.map(r -> r.outcome() == RunbookResult.Outcome.SUCCEEDED).orElse(false);
  }

  private static Set<String> components(String ready) {
    Set<String> names = new HashSet<>();
    for (String name : (ready == null ? "" : ready).split(", ")) {
      if (!name.isBlank()) {
        names.add(name);
      }
    }
    return names;
  }

  private static int percent(String score) {
    try {
      return score == null ? 0 : Integer.parseInt(score.replace("%", "").strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
