package io.carbon254.runbook.mirror;

import io.carbon254.runbook.engine.Summarized;

/** Harbor answers and the admin credentials the runbook needs can be read and are accepted. */
public record HarborPreflight(boolean healthy, boolean credentialsReady, String evidence) implements Summarized {

  @Override
  public String summary() {
    return evidence;
  }
}
