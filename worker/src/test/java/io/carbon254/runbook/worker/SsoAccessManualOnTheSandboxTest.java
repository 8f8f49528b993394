package io.carbon254.runbook.worker;

import static io.carbon254.runbook.engine.RunbookTesting.awaitStatus;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.ManualTaskReport;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.RunbookTesting;
import io.carbon254.runbook.sso.SsoAccessWorkflow;
import io.carbon254.runbook.sso.SsoAccessWorkflowImpl;
import io.temporal.testing.TestWorkflowExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * sso-access with the configuration as shipped (no Cloudflare token: manual mode) on the sandbox,
 * as {@code runbook dev --sandbox} runs it: the task is done only once every host, requested by its
 * real name over TLS, redirects to the Access login — the applications made "in the dashboard"
 * (here: straight in the sandbox's Cloudflare account, as a person would click them).
 */
class SsoAccessManualOnTheSandboxTest extends OnTheSandbox {

  @RegisterExtension
  static final TestWorkflowExtension temporal = extension(SsoAccessWorkflowImpl.class);

  @Test
  void theChecklistIsDoneOnlyWhenEveryHostRedirectsToTheAccessLogin() {
    SsoAccessWorkflow run = start(SsoAccessWorkflow.RUNBOOK, "SsoAccessWorkflow", SsoAccessWorkflow.class);
    RunbookStatus open = awaitStatus(run, "the manual task", s -> s.openTask() != null);
    assertThat(open.openTask().task()).isEqualTo("configure-access");
    assertThat(open.openTask().checklist()).hasSize(12);

    List<Sso.AccessApp> apps = config.sso().apps();
    for (Sso.AccessApp app : apps.subList(0, apps.size() - 1)) {
      sandbox.cloudflare().seedApplication(app.name(), app.host(), app.sessionDuration());
    }
    RunbookTesting.taskDone(run, new ManualTaskReport("configure-access", "dave", "entered in the dashboard", List.of()));
    RunbookStatus notYet = awaitStatus(run, "the verification to fail",
        s -> s.openTask() != null && s.openTask().lastVerification() != null);
    assertThat(notYet.openTask().lastVerification()).startsWith("verification failed: 1 of 10 hosts do not redirect to"
        + " the Access login of qagi.cloudflareaccess.com: lakefs.254carbon.com: 200: the service answers without Access");

    Sso.AccessApp last = apps.get(apps.size() - 1);
    sandbox.cloudflare().seedApplication(last.name(), last.host(), last.sessionDuration());
    RunbookTesting.taskDone(run, new ManualTaskReport("configure-access", "dave", "LakeFS too", List.of()));

    RunbookResult result = result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.step("configure-access").summary()).startsWith("done by dave; verified: ");
    assertThat(sandbox.cloudflare().writes()).as("the runbook wrote nothing to Cloudflare in manual mode").isZero();
  }
}
