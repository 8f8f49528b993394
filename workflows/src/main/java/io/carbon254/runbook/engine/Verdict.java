package io.carbon254.runbook.engine;

public enum Verdict {
  APPROVE,
  REJECT
}
