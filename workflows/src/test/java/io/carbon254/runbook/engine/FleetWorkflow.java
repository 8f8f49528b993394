package io.carbon254.runbook.engine;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A test-only runbook of the engine's composition: enrolls hosts as parallel steps (a bounded pool,
 * with compensations), then runs the drill as a child runbook.
 */
@WorkflowInterface
public interface FleetWorkflow extends RunbookWorkflow {

  @WorkflowMethod
  RunbookResult run(RunbookRequest request);
}
