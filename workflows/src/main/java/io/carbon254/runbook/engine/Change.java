package io.carbon254.runbook.engine;

/** What an idempotent {@code ensureX} activity did to the world. */
public enum Change {
  CREATED,
  UPDATED,
  DELETED,
  UNCHANGED
}
