package io.carbon254.runbook.engine;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A test-only runbook, a fire drill of everything the engine does: plan → approve → two steps that
 * create things (with compensations) → a go-live gate → go live → optionally a manual task.
 */
@WorkflowInterface
public interface DrillWorkflow extends RunbookWorkflow {

  @WorkflowMethod
  RunbookResult run(RunbookRequest request);
}
