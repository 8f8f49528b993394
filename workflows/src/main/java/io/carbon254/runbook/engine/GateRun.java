package io.carbon254.runbook.engine;

import io.carbon254.runbook.config.GatePolicy;
import io.carbon254.runbook.trust.SignedMessages;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One opening (instance) of a gate and the decisions it received. Plain state: no Temporal, so the
 * gate rules that read it are unit-tested as plain code.
 */
final class GateRun {
  final String gateId;
  final int instance;
  final String prompt;
  final GatePolicy policy;
  /** The people the policy allows, groups expanded; empty means anyone. */
  final Set<String> allowedPeople;
  /** The plan the gate shows, or null. */
  final Plan plan;
  final long openedAt;
  final Long deadlineAt;
  /** SHA-256 of the prompt: what a signed decision names. */
  final String shownHash;
  /** A principal who may not approve (who asked for this gate), or null. */
  final String forbidden;
  final List<DecisionRecord> decisions = new ArrayList<>();
  GateOutcome outcome = GateOutcome.OPEN;
  Long closedAt;
  int reminders;

  GateRun(String gateId, int instance, String prompt, GatePolicy policy, Set<String> allowedPeople, Plan plan,
      long openedAt, Long deadlineAt, String forbidden) {
    this.gateId = gateId;
    this.instance = instance;
    this.prompt = prompt;
    this.policy = policy;
    this.allowedPeople = allowedPeople;
    this.plan = plan;
    this.openedAt = openedAt;
    this.deadlineAt = deadlineAt;
    this.shownHash = SignedMessages.sha256(prompt);
    this.forbidden = forbidden;
  }

  boolean isOpen() {
    return outcome == GateOutcome.OPEN;
  }

  /** The distinct people who approved so far, in order. */
  Set<String> approvers() {
    Set<String> approvers = new LinkedHashSet<>();
    decisions.stream().filter(d -> d.verdict() == Verdict.APPROVE).forEach(d -> approvers.add(d.actor()));
    return approvers;
  }

  /** Records a decision that passed the rules, and closes the gate if it is now decided. */
  void record(DecisionRecord decision, long now) {
    decisions.add(decision);
    if (decision.verdict() == Verdict.REJECT) {
      close(GateOutcome.REJECTED, now);
    } else if (approvers().size() >= policy.requiredApprovals()) {
      close(GateOutcome.APPROVED, now);
    }
  }

  void close(GateOutcome how, long at) {
    outcome = how;
    closedAt = at;
  }

  String label() {
    return gateId + " #" + instance;
  }

  GateView view() {
    return new GateView(gateId, instance, outcome, prompt, policy.requiredApprovals(),
        policy.approvers() == null ? List.of() : List.copyOf(policy.approvers()),
        Boolean.TRUE.equals(policy.forbidInitiator()), List.copyOf(decisions),
        plan == null ? null : plan.hash(), Times.iso(openedAt), deadlineAt == null ? null : Times.iso(deadlineAt),
        closedAt == null ? null : Times.iso(closedAt), shownHash, forbidden);
  }
}
