package io.carbon254.runbook.engine;

import io.carbon254.runbook.engine.OperatorAction.Action;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import io.carbon254.runbook.trust.Identities;
import io.carbon254.runbook.trust.Principals;
import io.carbon254.runbook.trust.SignedMessages;

/**
 * The steps waiting for an operator's RETRY / SKIP / ABORT — several at once when parallel
 * branches fail — and the rules an answer must pass. Plain code, no Temporal.
 */
final class OperatorDesk {

  /** One failed step waiting for an answer. */
  static final class Wait {
    final String step;
    final String error;
    final Set<Action> allowed;
    /** Why SKIP is not offered, or null when it is. */
    final String noSkip;
    /** Who may answer (principals, groups expanded); empty means anyone. */
    final Set<String> operators;
    /** SHA-256 of the error shown: what a signed answer names. */
    final String shownHash;
    OperatorAction answer;
    /** Who answered, as a principal. */
    String answeredBy;

    Wait(String step, String error, Set<Action> allowed, String noSkip, Set<String> operators) {
      this.step = step;
      this.error = error;
      this.allowed = allowed;
      this.noSkip = noSkip;
      this.operators = operators;
      this.shownHash = SignedMessages.sha256(error);
    }

    OperatorWaitView view() {
      return new OperatorWaitView(step, error, allowed.stream().sorted().toList(), noSkip, shownHash);
    }
  }

  /** How an answer fared: refused with the reason, or applicable, given by {@code principal}. */
  record Check(String refusal, String principal) {
    static Check refused(String why) {
      return new Check(why, null);
    }
  }

  private final Map<String, Wait> waits = new LinkedHashMap<>();

  Wait open(String step, String error, Set<Action> allowed, String noSkip) {
    return open(step, error, allowed, noSkip, Set.of());
  }

  Wait open(String step, String error, Set<Action> allowed, String noSkip, Set<String> operators) {
    Wait wait = new Wait(step, error, Set.copyOf(allowed), noSkip, Set.copyOf(operators));
    waits.put(step, wait);
    return wait;
  }

  void close(Wait wait) {
    waits.remove(wait.step, wait);
  }

  boolean isEmpty() {
    return waits.isEmpty();
  }

  /** The first step waiting, or null. */
  String first() {
    return waits.isEmpty() ? null : waits.keySet().iterator().next();
  }

  List<OperatorWaitView> views() {
    List<OperatorWaitView> views = new ArrayList<>();
    waits.values().forEach(w -> views.add(w.view()));
    return views;
  }

  /** Gives the answer, by {@code principal}, to its step; call only after {@link #check} found none refused. */
  Wait answer(OperatorAction action, String principal) {
    Wait wait = waits.get(action.step());
    wait.answer = action;
    wait.answeredBy = principal;
    return wait;
  }

  /** Why {@code a} cannot apply now, with names taken as typed, or null if it can. */
  String refusal(OperatorAction a) {
    return check(a, wait -> a.actor() == null || a.actor().isBlank()
        ? Identities.Verified.refused("the action does not say who decides (CLI: --as NAME; signal: \"actor\")")
        : new Identities.Verified(Principals.normalize(a.actor()), null)).refusal();
  }

  /**
   * Whether {@code a} can apply now, and who gave it: {@code who} establishes the person for the
   * failed step (a verified signature, or a typed name where the platform takes those), and the
   * step's operator policy must allow that principal.
   */
  Check check(OperatorAction a, Function<Wait, Identities.Verified> who) {
    if (a == null || a.action() == null) {
      return Check.refused("say what to do: RETRY, SKIP or ABORT");
    }
    if (waits.isEmpty()) {
      return Check.refused("no step is waiting for an operator");
    }
    Wait wait = waits.get(a.step());
    if (wait == null) {
      return Check.refused("step '" + a.step() + "' is not waiting for an operator; "
          + (waits.size() == 1 ? "step " + first() + " is" : "steps " + String.join(", ", new TreeSet<>(waits.keySet())) + " are"));
    }
    if (wait.answer != null) {
      return Check.refused("step " + wait.step + " already has an answer (" + wait.answer.action() + " by "
          + wait.answeredBy + ")");
    }
    if (!wait.allowed.contains(a.action())) {
      return Check.refused(a.action() + " is not possible for step " + wait.step
          + (wait.noSkip == null ? "" : ": " + wait.noSkip) + "; answer " + String.join(" or ",
              wait.allowed.stream().sorted().map(Enum::name).toList()));
    }
    if (a.action() != Action.RETRY && (a.reason() == null || a.reason().isBlank())) {
      return Check.refused(a.action() + " needs a reason (CLI: --reason)");
    }
    Identities.Verified verified = who.apply(wait);
    if (!verified.ok()) {
      return Check.refused(verified.refusal());
    }
    if (!wait.operators.isEmpty() && !wait.operators.contains(verified.principal())) {
      return Check.refused(verified.principal() + " may not answer step " + wait.step + " (its operators: "
          + String.join(", ", new TreeSet<>(wait.operators)) + ")");
    }
    return new Check(null, verified.principal());
  }
}
