package io.carbon254.runbook.config;

/**
 * What happens when a gate's deadline passes without a decision. A timeout is always recorded as
 * a timeout, never as a decision.
 */
public enum TimeoutOutcome {
  /** The gate fails like a step: the run waits for an operator (RETRY re-opens the gate, SKIP, ABORT). */
  FAIL,
  /** The gated work is skipped and the run goes on. */
  SKIP_STEP,
  /** Compensations run and the run fails. */
  ABORT
}
