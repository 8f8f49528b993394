package io.carbon254.runbook.platformcheck;

import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * platform-check: a read-only readiness report of the platform, one line per component of the
 * status report with ✓/✗ and evidence, and the readiness score (outputs {@code report},
 * {@code score}). Changes nothing, so it has no plan and no gate.
 */
@WorkflowInterface
public interface PlatformCheckWorkflow extends RunbookWorkflow {

  String RUNBOOK = "platform-check";

  @WorkflowMethod
  RunbookResult run(RunbookRequest request);
}
