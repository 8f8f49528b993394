package io.carbon254.runbook.engine;

/** The state of a whole run, as shown by the {@code RunbookState} search attribute. */
public enum RunbookState {
  PLANNING,
  AWAITING_APPROVAL,
  RUNNING,
  AWAITING_OPERATOR,
  COMPENSATING,
  COMPLETED,
  FAILED
}
