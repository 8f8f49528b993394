package io.carbon254.runbook.platform;

import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * platform: every remaining task of the status report as a child runbook, in dependency order,
 * between two platform-checks, with the readiness score live as the children finish.
 */
@WorkflowInterface
public interface PlatformWorkflow extends RunbookWorkflow {

  String RUNBOOK = "platform";

  @WorkflowMethod
  RunbookResult run(RunbookRequest request);
}
