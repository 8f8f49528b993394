package io.carbon254.runbook.backup;

import io.carbon254.runbook.engine.Summarized;

/**
 * How a Velero Backup or Restore ended.
 *
 * @param kind {@code Backup} or {@code Restore}
 * @param phase Velero's terminal phase (Completed here; other endings are failures)
 */
public record BackupRun(String kind, String name, String phase, int errors, int warnings, String failureReason,
    int itemsBackedUp) implements Summarized {

  @Override
  public String summary() {
    return kind + " " + name + " " + phase + (itemsBackedUp > 0 ? ", " + itemsBackedUp + " items" : "")
        + (warnings > 0 ? ", " + warnings + " warning(s)" : "");
  }
}
