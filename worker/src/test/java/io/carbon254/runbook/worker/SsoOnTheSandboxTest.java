package io.carbon254.runbook.worker;

import static io.carbon254.runbook.engine.RunbookTesting.approve;
import static io.carbon254.runbook.engine.RunbookTesting.awaitGate;
import static io.carbon254.runbook.engine.RunbookTesting.awaitStatus;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.GateView;
import io.carbon254.runbook.engine.HistoryScan;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookWorkflow;
import io.carbon254.runbook.engine.StepView;
import io.carbon254.runbook.platformcheck.PlatformCheckWorkflowImpl;
import io.carbon254.runbook.sandbox.AccessEdge;
import io.carbon254.runbook.sandbox.CloudflareAccessFake;
import io.carbon254.runbook.sandbox.Sandbox;
import io.carbon254.runbook.sso.SsoAccessWorkflow;
import io.carbon254.runbook.sso.SsoAccessWorkflowImpl;
import io.carbon254.runbook.sso.SsoIntegrationWorkflow;
import io.carbon254.runbook.sso.SsoIntegrationWorkflowImpl;
import io.carbon254.runbook.sso.SsoValidationWorkflowImpl;
import io.carbon254.runbook.sso.SsoWorkflow;
import io.carbon254.runbook.sso.SsoWorkflowImpl;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.temporal.testing.TestWorkflowExtension;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * sso end to end with the real adapters: Cloudflare Access (API mode, the sandbox's stateful
 * account), the sandbox's real API server as the worker's ServiceAccount, and the platform's public
 * hosts on loopback by their real names (the sandbox's Access edge, TLS from the sandbox CA). Phase 4
 * proves what phases 2 and 3 did, platform-check's SSO line turns ✓, a re-run changes nothing, and
 * neither the API token nor the service token's secret is in any history or log line.
 */
class SsoOnTheSandboxTest extends OnTheSandboxWithCloudflareApi {

  @RegisterExtension
  static final TestWorkflowExtension temporal = extension(API_MODE_AUTHORIZATION, SsoWorkflowImpl.class,
      SsoAccessWorkflowImpl.class, SsoIntegrationWorkflowImpl.class, SsoValidationWorkflowImpl.class,
      PlatformCheckWorkflowImpl.class);

  @Test
  void fromNoSsoToValidatedHostsInOneRun() throws Exception {
    assertThat(platformCheck().outputs().get("report")).contains("| SSO Infrastructure | ✗ |");

    SsoWorkflow sso = start(SsoWorkflow.RUNBOOK, "SsoWorkflow", SsoWorkflow.class);
    SsoAccessWorkflow access = child(sso, "sso-access", SsoAccessWorkflow.class);
    GateView accessPlan = awaitGate(access, "approve-plan");
    assertThat(accessPlan.prompt()).contains("CREATE AccessApplication grafana.254carbon.com");
    assertThat(sandbox.cloudflare().writes()).as("nothing written before the approvals").isZero();
    approve(access, "approve-plan", "bob", "carol");

    SsoIntegrationWorkflow integration = child(sso, "sso-integration", SsoIntegrationWorkflow.class);
    GateView integrationPlan = awaitGate(integration, "approve-plan");
    assertThat(integrationPlan.prompt()).contains("grafana-config", "CF_Access-User", "X-WEBAUTH-USER");
    approve(integration, "approve-plan", "bob", "carol");

    RunbookResult result = result(sso);
    assertThat(result.outcome()).as(result.summary()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.outputs().get("hosts")).isEqualTo("10 of 10 host(s) passed");
    CloudflareAccessFake cloudflare = sandbox.cloudflare();
    assertThat(cloudflare.applications()).hasSize(10);
    assertThat(cloudflare.identityProviders()).hasSize(1);
    assertThat(result.outputs().get("applications")).contains(
        "| Grafana.254Carbon | grafana.254carbon.com | ", cloudflare.audFor("grafana.254carbon.com").orElseThrow());
    assertThat(result.outputs().get("validation")).contains(
        "| grafana.254carbon.com | 302 → https://qagi.cloudflareaccess.com/cdn-cgi/access/login/grafana.254carbon.com");
    Ingress grafana = sandbox.kubernetesClient().network().v1().ingresses().inNamespace("monitoring")
        .withName("grafana-ingress").get();
    assertThat(grafana.getMetadata().getAnnotations()).containsEntry("nginx.ingress.kubernetes.io/auth-url",
        "https://qagi.cloudflareaccess.com/cdn-cgi/access/authorize");
    assertThat(sandbox.kubernetesClient().configMaps().inNamespace("monitoring").withName("grafana-config").get()
        .getData().get("grafana.ini")).contains("header_name = X-WEBAUTH-USER");
    assertThat(platformCheck().outputs().get("report")).contains("| SSO Infrastructure | ✓ |");

    for (String id : List.of("254carbon/sso", "254carbon/sso/sso-access", "254carbon/sso/sso-integration",
        "254carbon/sso/sso-validation")) {
      assertThat(HistoryScan.readable(client.fetchHistory(id))).as(id)
          .doesNotContain(CloudflareAccessFake.DEMO_TOKEN).doesNotContain(AccessEdge.DEMO_CLIENT_SECRET);
    }
    assertThat(logs.lines()).isNotEmpty().noneMatch(line -> line.contains(CloudflareAccessFake.DEMO_TOKEN)
        || line.contains(AccessEdge.DEMO_CLIENT_SECRET));

    int writes = cloudflare.writes();
    RunbookResult again = result(start(SsoWorkflow.RUNBOOK, "SsoWorkflow", SsoWorkflow.class));
    assertThat(again.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(again.steps()).extracting(StepView::change).as("every phase changed nothing")
        .containsOnly(Change.UNCHANGED);
    assertThat(cloudflare.writes()).isEqualTo(writes);
  }

  /** The child runbook {@code runbook} of {@code parent}, once the parent has started it. */
  private <W extends RunbookWorkflow> W child(RunbookWorkflow parent, String runbook, Class<W> type) {
    awaitStatus(parent, runbook + " to start", s -> s.children().stream().anyMatch(c -> c.runbook().equals(runbook)));
    return client.newWorkflowStub(type, "254carbon/sso/" + runbook);
  }

}
