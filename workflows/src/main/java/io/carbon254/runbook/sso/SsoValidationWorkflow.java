package io.carbon254.runbook.sso;

import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** sso-validation (SSO phase 4): real HTTP checks of every protected host — the Access login redirect, http → https, the certificate, HSTS, the health path through a service token — as a per-host table. */
@WorkflowInterface
public interface SsoValidationWorkflow extends RunbookWorkflow {

  String RUNBOOK = "sso-validation";

  @WorkflowMethod
  RunbookResult run(RunbookRequest request);
}
