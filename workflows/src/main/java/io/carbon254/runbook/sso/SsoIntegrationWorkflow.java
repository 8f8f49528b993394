package io.carbon254.runbook.sso;

import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** sso-integration (SSO phase 3): the services' ingresses behind Access, their header auth configured to trust the header the ingress passes, rolled out; every object touched is snapshotted and put back on abort. */
@WorkflowInterface
public interface SsoIntegrationWorkflow extends RunbookWorkflow {

  String RUNBOOK = "sso-integration";

  @WorkflowMethod
  RunbookResult run(RunbookRequest request);
}
