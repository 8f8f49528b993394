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
 */
public record Decision(String gate, int instance, Verdict verdict, String actor, String comment, String planHash) {

  public static Decision approve(String gate, int instance, String actor, String planHash) {
    return new Decision(gate, instance, Verdict.APPROVE, actor, null, planHash);
  }

  public static Decision reject(String gate, int instance, String actor, String reason) {
    return new Decision(gate, instance, Verdict.REJECT, actor, reason, null);
  }

  Decision withVerdict(Verdict v) {
    return new Decision(gate, instance, v, actor, comment, planHash);
  }
}
