package io.carbon254.runbook.engine;

/**
 * A human's answer to one gate <em>instance</em>. Naming the instance (the gate id and its
 * sequence number in this run) means a stale or early decision can never open a later gate.
 *
 * <p>The {@code approve} and {@code reject} signals take it with the verdict implied by the
 * signal; the {@code decide} update needs the verdict.
 *
 * @param gate gate id, e.g. {@code approve-plan}
 * @param instance the gate's sequence number in this run (1 for its first opening)
 * @param verdict APPROVE or REJECT (set by the signal when omitted)
 * @param actor who decides
 * @param comment free text; required for a rejection (the reason)
 * @param planHash for gates that show a plan: the hash of the plan the approver reviewed
 * @param signature where the platform takes signed decisions: the decider's SSH signature (SSHSIG)
 *     over {@code SignedMessages.decision(...)} of this gate instance, verdict and shown prompt
 * @param expires until when the signature may be used (ISO-8601)
 */
public record Decision(String gate, int instance, Verdict verdict, String actor, String comment, String planHash,
    String signature, String expires) {

  public Decision(String gate, int instance, Verdict verdict, String actor, String comment, String planHash) {
    this(gate, instance, verdict, actor, comment, planHash, null, null);
  }

  public static Decision approve(String gate, int instance, String actor, String planHash) {
    return new Decision(gate, instance, Verdict.APPROVE, actor, null, planHash);
  }

  public static Decision reject(String gate, int instance, String actor, String reason) {
    return new Decision(gate, instance, Verdict.REJECT, actor, reason, null);
  }

  /** This decision with a signature. */
  public Decision signed(Signature s) {
    return new Decision(gate, instance, verdict, actor, comment, planHash, s.signature(), s.expires());
  }

  Decision withVerdict(Verdict v) {
    return new Decision(gate, instance, v, actor, comment, planHash, signature, expires);
  }
}
