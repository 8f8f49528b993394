package io.carbon254.runbook.engine;

/** The state of one step of a runbook. */
public enum StepState {
  PENDING("○"),
  RUNNING("…"),
  WAITING("⏸"),
  SUCCEEDED("✓"),
  SKIPPED("↷"),
  FAILED("✗"),
  COMPENSATED("↺");

  private final String mark;

  StepState(String mark) {
    this.mark = mark;
  }

  /** The symbol of this state in the checklist. */
  public String mark() {
    return mark;
  }
}
