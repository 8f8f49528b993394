package io.carbon254.runbook.engine;

/**
 * A child runbook as its parent shows it. While the child runs, it tells its parent (the {@code
 * childProgress} signal) whenever its state, current step or what it waits for changes; {@code seq}
 * orders those reports.
 *
 * @param runbook the child's runbook id
 * @param workflowId the child's workflow id ({@code <platform>/<parent>/<child>})
 * @param step the parent's step that runs it
 * @param waiting what waits for a person in the child's tree ("gate approve-plan #1", "manual task
 *     provision-nodes", "step switch-trino failed"), or null
 * @param waitingIn the workflow id of the run where it waits (the child or one of its children)
 * @param outcome how the child ended, or null while it runs
 * @param summary the child's summary once it ended, or its last error while it waits for an operator
 */
public record ChildView(String runbook, String workflowId, String step, RunbookState state, String currentStep,
    String waiting, String waitingIn, RunbookResult.Outcome outcome, String summary, long seq) {

  ChildView withStep(String parentStep) {
    return new ChildView(runbook, workflowId, parentStep, state, currentStep, waiting, waitingIn, outcome, summary, seq);
  }

  ChildView ended(RunbookResult.Outcome how, RunbookState finalState, String endSummary) {
    return new ChildView(runbook, workflowId, step, finalState, null, null, null, how, endSummary, seq);
  }
}
