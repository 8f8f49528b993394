package io.carbon254.runbook.engine;

import io.temporal.workflow.Functions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What undoes the run's steps, newest first (a saga). A step's compensation is registered before
 * the step runs, once, however often it is retried.
 */
final class Compensations {

  record Entry(StepRun step, Functions.Proc undo) {}

  private final Deque<Entry> pending = new ArrayDeque<>();
  private final List<String> done = new ArrayList<>();
  private final List<String> failed = new ArrayList<>();

  void register(StepRun step, Functions.Proc undo) {
    if (undo != null && pending.stream().noneMatch(c -> c.step() == step)) {
      pending.push(new Entry(step, undo));
    }
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  Entry next() {
    return pending.pop();
  }

  void succeeded(Entry entry) {
    done.add(entry.step().id);
  }

  void failed(Entry entry) {
    failed.add(entry.step().id);
  }

  /** ". Compensated, in this order: a, b" and what failed, for the run's ending. */
  String summary() {
    return (done.isEmpty() ? "" : ". Compensated, in this order: " + String.join(", ", done))
        + (failed.isEmpty() ? "" : ". Compensation FAILED for: " + String.join(", ", failed) + " (undo by hand)");
  }
}
