package io.carbon254.runbook.sso;

import static io.carbon254.runbook.engine.RunbookTesting.approve;
import static io.carbon254.runbook.engine.RunbookTesting.awaitGate;
import static io.carbon254.runbook.engine.RunbookTesting.awaitStatus;
import static io.carbon254.runbook.engine.RunbookTesting.failure;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.GateView;
import io.carbon254.runbook.engine.Mode;
import io.carbon254.runbook.engine.OperatorAction;
import io.carbon254.runbook.engine.RecordingNotifier;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.RunbookTesting;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * sso-integration on the platform as the old phase 3 script left it: Grafana trusting {@code
 * CF_Access-User} while its ingress would pass {@code X-WEBAUTH-USER}, ingress-nginx dropping
 * headers with underscores, no ingress behind Access.
 */
class SsoIntegrationWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = RunbookTesting.extension(SsoIntegrationWorkflowImpl.class);

  private final SsoWorld world = new SsoWorld();
  private final PlatformConfig config = SsoConfigs.manualMode();
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RunbookTesting.Started started = RunbookTesting.startWorker(env, worker, client, world, new RecordingNotifier());
    this.client = started.client();
    this.taskQueue = started.taskQueue();
  }

  @Test
  void thePlanNamesTheHeaderMismatchAndTheFixThenTheServicesTrustWhatTheirIngressPasses() {
    SsoIntegrationWorkflow run = start(Mode.APPLY);

    GateView plan = awaitGate(run, "approve-plan");
    assertThat(plan.prompt()).contains(
        "UPDATE ConfigMap monitoring/grafana-config — MISMATCH: Grafana trusts CF_Access-User but its ingress passes"
            + " X-WEBAUTH-USER, X-WEBAUTH-EMAIL, X-WEBAUTH-GROUPS; fix from serviceAuth.userHeader: header_name = X-WEBAUTH-USER",
        "UPDATE ConfigMap ingress-nginx/ingress-nginx-controller — enable-underscores-in-headers: \"true\"",
        "UPDATE Ingress monitoring/grafana-ingress");
    assertThat(world.kubernetesWrites).as("nothing changes before the approvals").hasValue(0);
    approve(run, "approve-plan", "bob", "carol");

    RunbookResult result = result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(world.objects.get(SsoWorld.GRAFANA_CONFIG)).isEqualTo("auth.proxy header_name=X-WEBAUTH-USER");
    assertThat(world.objects.get(SsoWorld.NGINX_CONFIG)).isEqualTo("enable-underscores-in-headers=true");
    assertThat(world.objects.get("Ingress data-platform/superset-ingress"))
        .endsWith("headers=CF_Access-User,CF_Access-Groups");
    assertThat(world.objects).as("the portal is protected at the edge only")
        .doesNotContainKey("Ingress data-platform/portal-ingress");
    assertThat(world.restarts).containsExactly("grafana", "superset");
    assertThat(result.steps()).filteredOn(s -> s.id().startsWith("ingress/")).hasSize(9)
        .allSatisfy(s -> assertThat(s.change()).isEqualTo(Change.UPDATED));
    assertThat(result.outputs().get("rollout grafana")).isEqualTo("grafana rolled out, 2/2 ready");
  }

  @Test
  void aRolloutThatNeverBecomesReadyWaitsForAnOperatorAndAnAbortPutsEveryObjectBackExactly() throws Exception {
    Map<String, String> before = new LinkedHashMap<>(world.objects);
    world.neverReady.add("superset");
    SsoIntegrationWorkflow run = start(Mode.APPLY);
    approve(run, "approve-plan", "bob", "carol");

    RunbookStatus waiting = awaitStatus(run, "superset's rollout to fail",
        s -> "rollout/superset".equals(s.awaitingOperator()));
    assertThat(waiting.lastError()).contains(
        "Deployment data-platform/superset: 1 of 2 updated replicas ready after the wait (ImagePullBackOff)");
    keepHistory("SsoIntegrationWorkflow-trusted-paused-at-operator-rollout-superset");
    RunbookTesting.operate(run, new OperatorAction("rollout/superset", OperatorAction.Action.ABORT, "erin",
        "superset image pull fails; roll back and fix the registry first"));

    assertThat(failure(run).getType()).isEqualTo("RunbookAborted");
    assertThat(world.objects).as("every object as the snapshot recorded it").isEqualTo(before);
  }

  @Test
  void aRunPausedAtThePlanGateIsKeptForReplay() throws Exception {
    SsoIntegrationWorkflow run = start(Mode.APPLY);
    awaitGate(run, "approve-plan");
    keepHistory("SsoIntegrationWorkflow-trusted-paused-at-approve-plan");
  }

  private SsoIntegrationWorkflow start(Mode mode) {
    RunbookTesting.start(client, SsoIntegrationWorkflow.RUNBOOK, "SsoIntegrationWorkflow",
        RunbookTesting.request(config, mode, "alice", Map.of()), taskQueue);
    return client.newWorkflowStub(SsoIntegrationWorkflow.class, "254carbon/sso-integration");
  }

  private void keepHistory(String name) throws Exception {
    RunbookTesting.keepHistory(client, "254carbon/sso-integration", SsoIntegrationWorkflowImpl.class, name);
  }
}
