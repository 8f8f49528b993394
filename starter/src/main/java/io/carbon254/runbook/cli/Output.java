package io.carbon254.runbook.cli;

/** {@code --output}: a table for humans, JSON for machines. */
public enum Output {
  table,
  json
}
