package io.carbon254.runbook.engine;

/** PLAN computes what would change and stops; APPLY plans, asks for approval, then changes the platform. */
public enum Mode {
  PLAN,
  APPLY
}
