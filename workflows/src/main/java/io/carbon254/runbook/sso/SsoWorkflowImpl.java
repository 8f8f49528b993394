package io.carbon254.runbook.sso;

import io.carbon254.runbook.Runbooks;
import io.carbon254.runbook.engine.AbstractRunbookWorkflow;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.Step;

public class SsoWorkflowImpl extends AbstractRunbookWorkflow implements SsoWorkflow {

  public SsoWorkflowImpl() {
    super(RUNBOOK);
  }

  @Override
  public RunbookResult run(RunbookRequest request) {
    return runbook.run(request, rb -> {
      Step access = rb.declare(Runbooks.SSO_ACCESS.id(), "Phase 2: " + Runbooks.SSO_ACCESS.description());
      Step integration = rb.declare(Runbooks.SSO_INTEGRATION.id(), "Phase 3: " + Runbooks.SSO_INTEGRATION.description());
      Step validation = rb.declare(Runbooks.SSO_VALIDATION.id(), "Phase 4: " + Runbooks.SSO_VALIDATION.description());

      rb.child(access, Runbooks.SSO_ACCESS).ifDone(r -> copy(rb, r, "applications", "mode"));
      rb.child(integration, Runbooks.SSO_INTEGRATION);
      rb.child(validation, Runbooks.SSO_VALIDATION).ifDone(r -> copy(rb, r, "validation", "hosts"));
    });
  }

  private static void copy(io.carbon254.runbook.engine.Runbook rb, RunbookResult child, String... outputs) {
    for (String name : outputs) {
      String value = child.outputs().get(name);
      if (value != null) {
        rb.output(name, value);
      }
    }
  }
}
