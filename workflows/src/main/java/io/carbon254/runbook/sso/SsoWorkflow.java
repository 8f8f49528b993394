package io.carbon254.runbook.sso;

import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** sso: the three SSO phases as child runbooks — sso-access, sso-integration, sso-validation — so one run takes the platform from no SSO to validated SSO. */
@WorkflowInterface
public interface SsoWorkflow extends RunbookWorkflow {

  String RUNBOOK = "sso";

  @WorkflowMethod
  RunbookResult run(RunbookRequest request);
}
