package io.carbon254.runbook.engine;

import java.time.Instant;

/** Workflow time as the status and the result show it. */
final class Times {

  private Times() {}

  static String iso(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).toString();
  }
}
