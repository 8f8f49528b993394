package io.carbon254.runbook.engine;

import io.temporal.workflow.Functions;

/**
 * A declared step of a runbook: the handle its body runs it through. Declared once, with its
 * title, by {@link Runbook#declare}; the checklist shows every declared step from the start.
 *
 * <ul>
 *   <li>{@link #require} — the rest of the runbook needs the step's value: if it fails for good, the
 *       operator may RETRY or ABORT, never SKIP (the {@code operate} update refuses it, saying why);
 *   <li>{@link #run} — the step may be skipped: the body gets an {@link StepOutcome} and must say what
 *       a skip means;
 *   <li>{@link #compensateWith} — registers what undoes the step, before it runs;
 *   <li>{@link #alreadyDone} — the platform is already as the step would make it;
 *   <li>{@link #notRun} — the step does not apply to this run, and why.
 * </ul>
 */
public final class Step {

  private final Runbook runbook;
  final StepRun state;
  Functions.Proc compensation;

  Step(Runbook runbook, StepRun state) {
    this.runbook = runbook;
    this.state = state;
  }

  public String id() {
    return state.id;
  }

  public String title() {
    return state.title;
  }

  /**
   * What undoes this step if the run is aborted or cancelled; registered when the step starts, so
   * a step that fails halfway is undone too. Compensations run in reverse order.
   */
  public Step compensateWith(Functions.Proc undo) {
    this.compensation = undo;
    return this;
  }

  /** Runs the step for a value the rest of the runbook needs; a failure waits for RETRY or ABORT. */
  public <T> T require(Functions.Func<T> action) {
    return runbook.require(this, action);
  }

  /** Runs the step; a failure waits for RETRY, SKIP or ABORT, and a skip comes back as {@link StepOutcome.Skipped}. */
  public <T> StepOutcome<T> run(Functions.Func<T> action) {
    return runbook.runSkippable(this, action);
  }

  /** Runs a step whose action returns nothing; see {@link #run(Functions.Func)}. */
  public StepOutcome<Void> run(Functions.Proc action) {
    return run(() -> {
      action.apply();
      return null;
    });
  }

  /**
   * Records the step as done without running it: the platform is already as the step would make it
   * (e.g. a restore rehearsal passed in an earlier run). It shows as UNCHANGED with the evidence.
   */
  public void alreadyDone(String evidence) {
    runbook.alreadyDone(this, evidence);
  }

  /**
   * Records the step as SKIPPED without running it, with the reason: the runbook decided it does not
   * apply to this run (e.g. a child runbook this build does not have).
   */
  public void notRun(String why) {
    runbook.notRun(this, why);
  }

  @Override
  public String toString() {
    return "step " + state.id;
  }
}
