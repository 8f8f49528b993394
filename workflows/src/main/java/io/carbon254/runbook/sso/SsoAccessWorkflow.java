package io.carbon254.runbook.sso;

import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** sso-access (SSO phase 2): Cloudflare Access — the one-time-PIN identity provider, the self-hosted applications and their allow policies, by the API (a token configured) or as a checklist for the Zero Trust dashboard, verified by the hosts' login redirects. */
@WorkflowInterface
public interface SsoAccessWorkflow extends RunbookWorkflow {

  String RUNBOOK = "sso-access";

  @WorkflowMethod
  RunbookResult run(RunbookRequest request);
}
