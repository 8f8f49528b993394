package io.carbon254.runbook.engine;

import java.util.List;

/**
 * One gate instance as status and result show it.
 *
 * @param state OPEN, APPROVED, REJECTED or TIMED_OUT
 * @param approvals the distinct approvals so far
 * @param planHash the hash an approval must carry, for gates that show a plan
 * @param deadline ISO-8601 workflow time the gate times out, or null
 * @param shownHash SHA-256 of exactly what the gate shows (its prompt, with the plan): what a
 *     signed decision names
 * @param forbidden who may not approve this gate besides the initiator under four-eyes (the person
 *     who asked to skip a failed verification), or null
 */
public record GateView(
    String gate,
    int instance,
    GateOutcome state,
    String prompt,
    int requiredApprovals,
    List<String> allowedApprovers,
    boolean forbidInitiator,
    List<DecisionRecord> decisions,
    String planHash,
    String openedAt,
    String deadline,
    String closedAt,
    String shownHash,
    String forbidden) {

  public long approvals() {
    return decisions.stream().filter(d -> d.verdict() == Verdict.APPROVE).count();
  }
}
