package io.carbon254.runbook.engine;

import io.carbon254.runbook.config.GatePolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import io.carbon254.runbook.trust.Identities;
import io.carbon254.runbook.trust.Principals;

/**
 * The gates of one run: every instance opened so far, the one open now, and decisions that arrived
 * before their gate opened. It also holds the rules a decision must pass, so the update validator,
 * the signals and the queued early decisions all refuse for the same reasons. Plain code, no
 * Temporal: unit-tested on its own.
 */
final class GateBook {

  /** Early decisions kept at most; more are refused, so a flood of signals cannot grow the state. */
  static final int MAX_EARLY_DECISIONS = 20;

  private final List<GateRun> gates = new ArrayList<>();
  private final Map<String, Integer> openings = new HashMap<>();
  private final List<Decision> early = new ArrayList<>();
  private GateRun open;

  /** Opens the next instance of {@code gateId}. */
  GateRun open(String gateId, String prompt, GatePolicy policy, Set<String> allowedPeople, Plan plan, long now,
      Long deadlineAt) {
    return open(gateId, prompt, policy, allowedPeople, plan, now, deadlineAt, null);
  }

  /** As above; {@code forbidden} may not approve it (the person who asked for the gate). */
  GateRun open(String gateId, String prompt, GatePolicy policy, Set<String> allowedPeople, Plan plan, long now,
      Long deadlineAt, String forbidden) {
    int instance = openings.merge(gateId, 1, Integer::sum);
    GateRun gate = new GateRun(gateId, instance, prompt, policy, allowedPeople, plan, now, deadlineAt, forbidden);
    gates.add(gate);
    open = gate;
    return gate;
  }

  /** The gate waiting for decisions now, or null. */
  GateRun openGate() {
    return open != null && open.isOpen() ? open : null;
  }

  /** The gate has been answered and its runbook moved on. */
  void leave(GateRun gate) {
    if (open == gate) {
      open = null;
    }
  }

  /** A decision for an instance that has not opened yet (kept until it does), not for the open one. */
  boolean isEarly(Decision d) {
    boolean forOpenInstance = open != null && open.gateId.equals(d.gate()) && open.instance == d.instance();
    return !forOpenInstance && d.instance() > openings.getOrDefault(d.gate(), 0);
  }

  /** Keeps an early decision; false when too many are kept already. */
  boolean keepEarly(Decision d) {
    if (early.size() >= MAX_EARLY_DECISIONS) {
      return false;
    }
    early.add(d);
    return true;
  }

  /** The early decisions for exactly this instance, removed from the queue. */
  List<Decision> takeEarly(String gateId, int instance) {
    List<Decision> due = early.stream().filter(d -> d.gate().equals(gateId) && d.instance() == instance).toList();
    early.removeAll(due);
    return due;
  }

  List<GateView> views() {
    return gates.stream().map(GateRun::view).toList();
  }

  /** How a decision fared: refused with the reason, or applicable, decided by {@code principal}. */
  record Check(String refusal, String principal) {
    static Check refused(String why) {
      return new Check(why, null);
    }
  }

  /** Why {@code d} cannot apply, with names taken as typed: for tests and the engine's own use. */
  String refusal(Decision d, String initiator, long now) {
    return check(d, gate -> d.actor() == null || d.actor().isBlank()
        ? Identities.Verified.refused("the decision does not say who decides (CLI: --as NAME; signal: \"actor\")")
        : new Identities.Verified(Principals.normalize(d.actor()), null), initiator, now).refusal();
  }

  /**
   * Whether {@code d} can apply to the open gate now, and who decided it: {@code who} establishes the
   * decider for the gate instance (a verified signature, or a typed name where the platform takes
   * those); every rule below counts that principal, never the typed name.
   *
   * @param initiator who started the run, as a principal (four-eyes gates refuse their approval)
   * @param now workflow time
   */
  Check check(Decision d, Function<GateRun, Identities.Verified> who, String initiator, long now) {
    if (d == null) {
      return Check.refused("no decision was given");
    }
    if (d.verdict() == null) {
      return Check.refused("the decision has no verdict (APPROVE or REJECT)");
    }
    GateRun gate = openGate();
    String openNow = gate == null ? "no gate is open now" : "the open gate is " + gate.label();
    if (isBlank(d.gate())) {
      return Check.refused("the decision names no gate; " + openNow);
    }
    if (!openings.containsKey(d.gate())) {
      return Check.refused("gate '" + d.gate() + "' has not opened in this run; " + openNow);
    }
    if (gate == null || !gate.gateId.equals(d.gate())) {
      return Check.refused("gate '" + d.gate() + "' is closed; " + openNow);
    }
    if (d.instance() != gate.instance) {
      return Check.refused(d.instance() < gate.instance
          ? "gate " + d.gate() + " #" + d.instance() + " is closed; " + openNow
          : "gate " + d.gate() + " #" + d.instance() + " has not opened; " + openNow);
    }
    if (gate.deadlineAt != null && now >= gate.deadlineAt) {
      return Check.refused("the deadline of gate " + gate.label() + " has passed");
    }
    if (d.verdict() == Verdict.REJECT && isBlank(d.comment())) {
      return Check.refused("a rejection needs a reason (CLI: --reason; signal: \"comment\")");
    }
    Identities.Verified verified = who.apply(gate);
    if (!verified.ok()) {
      return Check.refused(verified.refusal());
    }
    String principal = verified.principal();
    if (!gate.allowedPeople.isEmpty() && !gate.allowedPeople.contains(principal)) {
      return Check.refused(principal + " is not an allowed approver of gate " + gate.label() + " (allowed: "
          + String.join(", ", gate.policy.approvers()) + ")");
    }
    if (d.verdict() == Verdict.APPROVE && Boolean.TRUE.equals(gate.policy.forbidInitiator())
        && principal.equals(Principals.normalize(initiator))) {
      return Check.refused(principal + " started this run and may not approve it: gate " + gate.label() + " needs four eyes");
    }
    if (d.verdict() == Verdict.APPROVE && principal.equals(gate.forbidden)) {
      return Check.refused(principal + " asked for gate " + gate.label() + " and may not approve it: it needs another person");
    }
    if (d.verdict() == Verdict.APPROVE && gate.plan != null && !gate.plan.hash().equals(d.planHash())) {
      return Check.refused("plan hash " + (isBlank(d.planHash()) ? "(none)" : d.planHash()) + " is not the plan shown at gate "
          + gate.label() + " (" + gate.plan.hash() + "); review the current plan with 'runbook status' and approve that");
    }
    if (d.verdict() == Verdict.APPROVE && gate.approvers().contains(principal)) {
      return Check.refused(principal + " has already approved gate " + gate.label() + " (" + gate.approvers().size() + " of "
          + gate.policy.requiredApprovals() + " approvals)");
    }
    return new Check(null, principal);
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
