package io.carbon254.runbook.engine;

/**
 * An operator's answer to a step that failed for good.
 *
 * @param step the failed step's id
 * @param action RETRY the step, SKIP it and go on, or ABORT the run (compensations run)
 * @param actor who decides
 * @param reason why; required for SKIP and ABORT
 */
public record OperatorAction(String step, Action action, String actor, String reason) {

  public enum Action {
    RETRY,
    SKIP,
    ABORT
  }
}
