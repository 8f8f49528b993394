package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** A test-only runbook for the process tests: prepare → gate → slow work that heartbeats its progress. */
@WorkflowInterface
public interface CrashDrillWorkflow extends RunbookWorkflow {

  @WorkflowMethod
  RunbookResult run(RunbookRequest request);
}
