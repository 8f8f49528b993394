package io.carbon254.runbook.engine;

/**
 * An operator's answer to a step that failed for good.
 *
 * @param step the failed step's id
 * @param action RETRY the step, SKIP it and go on, or ABORT the run (compensations run)
 * @param actor who decides
 * @param reason why; required for SKIP and ABORT
 * @param signature where the platform takes signed decisions: the SSH signature over {@code
 *     SignedMessages.operatorAction(...)} of this step, action and the error shown
 * @param expires until when the signature may be used (ISO-8601)
 */
public record OperatorAction(String step, Action action, String actor, String reason, String signature, String expires) {

  public OperatorAction(String step, Action action, String actor, String reason) {
    this(step, action, actor, reason, null, null);
  }

  /** This action with a signature. */
  public OperatorAction signed(Signature s) {
    return new OperatorAction(step, action, actor, reason, s.signature(), s.expires());
  }

  public enum Action {
    RETRY,
    SKIP,
    ABORT
  }
}
