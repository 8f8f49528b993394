package io.carbon254.runbook.engine;

import java.util.List;

/**
 * A failed step waiting for an operator, as status and the CLI show it.
 *
 * @param error what failed: the activity, what it said
 * @param actions the answers this step accepts (a step whose value the runbook needs cannot be skipped)
 * @param whyNoSkip why SKIP is not among them, or null
 */
public record OperatorWaitView(String step, String error, List<OperatorAction.Action> actions, String whyNoSkip) {

  public OperatorWaitView {
    actions = actions == null ? List.of() : List.copyOf(actions);
  }
}
