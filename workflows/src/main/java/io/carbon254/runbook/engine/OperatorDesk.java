package io.carbon254.runbook.engine;

import io.carbon254.runbook.engine.OperatorAction.Action;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    OperatorAction answer;

    Wait(String step, String error, Set<Action> allowed, String noSkip) {
      this.step = step;
      this.error = error;
      this.allowed = allowed;
      this.noSkip = noSkip;
    }

    OperatorWaitView view() {
      return new OperatorWaitView(step, error, allowed.stream().sorted().toList(), noSkip);
    }
  }

  private final Map<String, Wait> waits = new LinkedHashMap<>();

  Wait open(String step, String error, Set<Action> allowed, String noSkip) {
    Wait wait = new Wait(step, error, Set.copyOf(allowed), noSkip);
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

  /** Gives the answer to its step; call only after {@link #refusal} said null. */
  Wait answer(OperatorAction action) {
    Wait wait = waits.get(action.step());
    wait.answer = action;
    return wait;
  }

  /** Why {@code a} cannot apply now, or null if it can. */
  String refusal(OperatorAction a) {
    if (a == null || a.action() == null) {
      return "say what to do: RETRY, SKIP or ABORT";
    }
    if (a.actor() == null || a.actor().isBlank()) {
      return "the action does not say who decides (CLI: --as NAME; signal: \"actor\")";
    }
    if (waits.isEmpty()) {
      return "no step is waiting for an operator";
    }
    Wait wait = waits.get(a.step());
    if (wait == null) {
      return "step '" + a.step() + "' is not waiting for an operator; "
          + (waits.size() == 1 ? "step " + first() + " is" : "steps " + String.join(", ", waits.keySet()) + " are");
    }
    if (wait.answer != null) {
      return "step " + wait.step + " already has an answer (" + wait.answer.action() + " by " + wait.answer.actor() + ")";
    }
    if (!wait.allowed.contains(a.action())) {
      return a.action() + " is not possible for step " + wait.step
          + (wait.noSkip == null ? "" : ": " + wait.noSkip) + "; answer " + String.join(" or ",
              wait.allowed.stream().sorted().map(Enum::name).toList());
    }
    if (a.action() != Action.RETRY && (a.reason() == null || a.reason().isBlank())) {
      return a.action() + " needs a reason (CLI: --reason)";
    }
    return null;
  }
}
