package io.carbon254.runbook.engine;

import java.util.List;

/**
 * Sent with the {@code manualTaskDone} signal when a person has done a manual task.
 *
 * @param task the manual step's id
 * @param actor who did it
 * @param notes free text
 * @param values what the task produced that the runbook needs (e.g. the new nodes' hostnames)
 * @param signature where the platform takes signed decisions: the SSH signature over {@code
 *     SignedMessages.taskDone(...)} of this task and values
 * @param expires until when the signature may be used (ISO-8601)
 */
public record ManualTaskReport(String task, String actor, String notes, List<String> values, String signature,
    String expires) {

  public ManualTaskReport {
    values = values == null ? List.of() : List.copyOf(values);
  }

  public ManualTaskReport(String task, String actor, String notes, List<String> values) {
    this(task, actor, notes, values, null, null);
  }

  /** This report with a signature. */
  public ManualTaskReport signed(Signature s) {
    return new ManualTaskReport(task, actor, notes, values, s.signature(), s.expires());
  }
}
