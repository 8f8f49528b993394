package io.carbon254.runbook.engine;

/**
 * Implemented by activity results that report what they changed. The engine records the change
 * and the summary on the step, so the checklist and the result say {@code CREATED}, {@code
 * UPDATED} or {@code UNCHANGED} without further code in the runbook.
 */
public interface Changed extends Summarized {

  Change change();


  /** A result for steps whose activity returns nothing else. */
  record Result(Change change, String summary) implements Changed {}
}
