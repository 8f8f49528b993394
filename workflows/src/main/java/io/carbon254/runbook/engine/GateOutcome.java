package io.carbon254.runbook.engine;

public enum GateOutcome {
  OPEN,
  APPROVED,
  REJECTED,
  TIMED_OUT
}
