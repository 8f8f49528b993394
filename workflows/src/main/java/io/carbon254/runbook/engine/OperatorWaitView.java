package io.carbon254.runbook.engine;

import java.util.List;

/**
 * A failed step waiting for an operator, as status and the CLI show it.
 *
 * @param error what failed: the activity, what it said
 * @param actions the answers this step accepts (a step whose value the runbook needs cannot be skipped)
 * @param whyNoSkip why SKIP is not among them, or null
 * @param shownHash SHA-256 of the error shown: what a signed answer names
 */
public record OperatorWaitView(String step, String error, List<OperatorAction.Action> actions, String whyNoSkip,
    String shownHash) {

  public OperatorWaitView {
    actions = actions == null ? List.of() : List.copyOf(actions);
  }
}
