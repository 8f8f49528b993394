package io.carbon254.runbook.engine;

import java.util.List;

/**
 * Sent with the {@code manualTaskDone} signal when a person has done a manual task.
 *
 * @param task the manual step's id
 * @param actor who did it
 * @param notes free text
 * @param values what the task produced that the runbook needs (e.g. the new nodes' hostnames)
 */
public record ManualTaskReport(String task, String actor, String notes, List<String> values) {

  public ManualTaskReport {
    values = values == null ? List.of() : List.copyOf(values);
  }
}
