package io.carbon254.runbook.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps of a run in checklist order. A step is declared once, with its title; declaring an id
 * twice is a mistake in the runbook, and so is running an id never declared.
 */
final class StepTracker {

  private final Map<String, StepRun> steps = new LinkedHashMap<>();

  StepRun declare(String id, String title) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("a step needs an id");
    }
    if (steps.containsKey(id)) {
      throw new IllegalStateException("step '" + id + "' is declared twice; declare it once and keep its handle");
    }
    StepRun step = new StepRun(id, title == null || title.isBlank() ? id : title);
    steps.put(id, step);
    return step;
  }

  /** Declares {@code first} steps ahead of every step declared so far (planning comes first). */
  void declareFirst(List<StepRun> first) {
    Map<String, StepRun> declared = new LinkedHashMap<>(steps);
    steps.clear();
    first.forEach(s -> steps.put(s.id, s));
    declared.forEach(steps::putIfAbsent);
  }

  StepRun get(String id) {
    return steps.get(id);
  }

  boolean has(String id) {
    return steps.containsKey(id);
  }

  List<StepView> views() {
    return steps.values().stream().map(StepRun::view).toList();
  }

  /** Steps the run never reached (a rejected gate, a plan-only run) are shown as skipped. */
  void markNotRun() {
    for (StepRun step : steps.values()) {
      if (step.state == StepState.PENDING) {
        step.state = StepState.SKIPPED;
        step.summary = "not run";
      }
    }
  }

  String successSummary(String runbookId) {
    long changed = steps.values().stream().filter(s -> s.change != null && s.change != Change.UNCHANGED).count();
    long unchanged = steps.values().stream().filter(s -> s.change == Change.UNCHANGED).count();
    long skipped = steps.values().stream().filter(s -> s.state == StepState.SKIPPED).count();
    return runbookId + " completed: " + changed + " step(s) changed, " + unchanged + " unchanged, " + skipped + " skipped";
  }
}
