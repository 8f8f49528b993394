package io.carbon254.runbook.hpa;

import static io.carbon254.runbook.engine.RunbookTesting.approve;
import static io.carbon254.runbook.engine.RunbookTesting.awaitGate;
import static io.carbon254.runbook.engine.RunbookTesting.awaitStatus;
import static io.carbon254.runbook.engine.RunbookTesting.failure;
import static io.carbon254.runbook.engine.RunbookTesting.reject;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.GateView;
import io.carbon254.runbook.engine.Mode;
import io.carbon254.runbook.engine.OperatorAction;
import io.carbon254.runbook.engine.RecordingNotifier;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.RunbookTesting;
import io.carbon254.runbook.engine.StepState;
import io.carbon254.runbook.engine.TestKeys;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * hpa-activation on metrics-server and HPAs in memory, as the platform is before it: metrics-server
 * without {@code --kubelet-insecure-tls} (so the metrics API is down), the older HPA manifests
 * applied (trino-worker-hpa 1–5 at 75%, superset-worker-hpa 1–4 at 75%). The plan needs two
 * platform admins other than the initiator (alice).
 */
class HpaActivationWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = RunbookTesting.extension(HpaActivationWorkflowImpl.class);

  private final AutoscalingWorld world = new AutoscalingWorld();
  private final PlatformConfig config = TestKeys.signedBy(ConfigLoader.loadDefault());
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RunbookTesting.Started started = RunbookTesting.startWorker(env, worker, client, world, new RecordingNotifier());
    this.client = started.client();
    this.taskQueue = started.taskQueue();
  }

  @Test
  void anApprovedPlanFixesMetricsServerThenTheHpasFromConfigReplaceTheOlderManifests() {
    HpaActivationWorkflow run = start(Mode.APPLY);

    GateView plan = awaitGate(run, "approve-plan");
    assertThat(plan.prompt()).contains(
        "UPDATE Deployment kube-system/metrics-server — container metrics-server args + --kubelet-insecure-tls"
            + " + --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname"
            + " (APIService v1beta1.metrics.k8s.io not Available (FailedDiscoveryCheck))",
        "UPDATE HorizontalPodAutoscaler data-platform/trino-worker-hpa — 1–5 at 75% CPU → 2–5 at 70% CPU",
        "CREATE HorizontalPodAutoscaler data-platform/superset-hpa — Deployment/superset 2–4 at 75% CPU",
        "DELETE HorizontalPodAutoscaler data-platform/superset-worker-hpa — also scales Deployment/superset, which the"
            + " configuration gives to superset-hpa");
    assertThat(world.writes).as("nothing changes before the approvals").hasValue(0);
    approve(run, "approve-plan", "bob", "carol");

    RunbookResult result = result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(world.metricsServerArgs).endsWith("--kubelet-insecure-tls",
        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname");
    assertThat(world.hpas).containsOnlyKeys("data-platform/trino-worker-hpa", "data-platform/superset-hpa");
    assertThat(world.hpas.get("data-platform/trino-worker-hpa").describe()).isEqualTo("2–5 at 70% CPU");
    assertThat(world.hpas.get("data-platform/superset-hpa").describe()).isEqualTo("2–4 at 75% CPU");
    assertThat(result.step("fix-metrics-server").change()).isEqualTo(Change.UPDATED);
    assertThat(result.step("ensure-autoscalers").change()).isEqualTo(Change.UPDATED);
    assertThat(result.outputs().get("metrics-api")).startsWith("APIService v1beta1.metrics.k8s.io Available (Passed)");
    assertThat(result.outputs().get("autoscalers")).contains(
        "data-platform/trino-worker-hpa: cpu 35% of 70%, 2 replicas, ScalingActive True",
        "data-platform/superset-hpa: cpu 35% of 75%, 2 replicas, ScalingActive True");
  }

  @Test
  void onAPlatformAlreadyActivatedNothingNeedsApprovalAndNothingIsWritten() {
    world.configured();
    HpaActivationWorkflow run = start(Mode.APPLY);

    RunbookResult result = result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.step("approve-plan").state()).isEqualTo(StepState.SKIPPED);
    assertThat(result.step("fix-metrics-server").change()).isEqualTo(Change.UNCHANGED);
    assertThat(result.step("fix-metrics-server").summary()).isEqualTo(
        "APIService v1beta1.metrics.k8s.io Available (Passed): nothing to fix");
    assertThat(result.step("ensure-autoscalers").change()).isEqualTo(Change.UNCHANGED);
    assertThat(world.writes).hasValue(0);
  }

  @Test
  void aPlanOnlyRunShowsTheChangesAndMakesNone() {
    RunbookResult result = result(start(Mode.PLAN));

    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.PLANNED);
    assertThat(result.plan().changes()).hasSize(4);
    assertThat(world.writes).hasValue(0);
    assertThat(world.metricsApiUp()).isFalse();
  }

  @Test
  void aRejectedPlanChangesNothing() {
    HpaActivationWorkflow run = start(Mode.APPLY);
    reject(run, "approve-plan", "bob", "HPAs wait for the Trino upgrade");

    RunbookResult result = result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.REJECTED);
    assertThat(world.writes).hasValue(0);
    assertThat(world.hpas).containsOnlyKeys("data-platform/trino-worker-hpa", "data-platform/superset-worker-hpa");
  }

  @Test
  void aMetricsApiThatStaysDownWaitsForAnOperatorAndAnAbortPutsTheArgumentsBack() {
    world.apiDownRegardless = true;
    HpaActivationWorkflow run = start(Mode.APPLY);
    approve(run, "approve-plan", "bob", "carol");

    RunbookStatus waiting = awaitStatus(run, "the metrics API wait to fail", s -> "wait-metrics-api".equals(s.awaitingOperator()));
    assertThat(waiting.lastError()).contains("APIService v1beta1.metrics.k8s.io not Available (FailedDiscoveryCheck)");
    assertThat(world.metricsServerArgs).contains("--kubelet-insecure-tls");
    RunbookTesting.operate(run, new OperatorAction("wait-metrics-api", OperatorAction.Action.ABORT, "erin",
        "kubelets unreachable from kube-system: network policy review first"));

    assertThat(failure(run).getType()).isEqualTo("RunbookAborted");
    assertThat(world.metricsServerArgs).as("metrics-server as it was").isEqualTo(AutoscalingWorld.SHIPPED_ARGS);
    assertThat(world.hpas).as("the HPAs were never touched")
        .containsOnlyKeys("data-platform/trino-worker-hpa", "data-platform/superset-worker-hpa");
  }

  @Test
  void hpasThatReportNoMetricsWaitForAnOperatorAndAnAbortPutsEveryHpaBack() throws Exception {
    world.podsWithoutCpuRequests = true;
    HpaActivationWorkflow run = start(Mode.APPLY);
    approve(run, "approve-plan", "bob", "carol");

    RunbookStatus waiting = awaitStatus(run, "the HPA verification to fail", s -> "verify-autoscalers".equals(s.awaitingOperator()));
    assertThat(waiting.lastError()).contains(
        "data-platform/trino-worker-hpa: ScalingActive False (FailedGetResourceMetric): missing request for cpu");
    assertThat(world.hpas).containsOnlyKeys("data-platform/trino-worker-hpa", "data-platform/superset-hpa");
    keepHistory("HpaActivationWorkflow-trusted-paused-at-operator-verify-autoscalers");
    RunbookTesting.operate(run, new OperatorAction("verify-autoscalers", OperatorAction.Action.ABORT, "erin",
        "Trino's pods need CPU requests first"));

    assertThat(failure(run).getType()).isEqualTo("RunbookAborted");
    assertThat(world.hpas).containsOnlyKeys("data-platform/trino-worker-hpa", "data-platform/superset-worker-hpa");
    assertThat(world.hpas.get("data-platform/trino-worker-hpa").describe()).isEqualTo("1–5 at 75% CPU");
    assertThat(world.hpas.get("data-platform/superset-worker-hpa").describe()).isEqualTo("1–4 at 75% CPU");
    assertThat(world.metricsServerArgs).isEqualTo(AutoscalingWorld.SHIPPED_ARGS);
  }

  @Test
  void aRunPausedAtThePlanGateIsKeptForReplay() throws Exception {
    HpaActivationWorkflow run = start(Mode.APPLY);
    awaitGate(run, "approve-plan");
    keepHistory("HpaActivationWorkflow-trusted-paused-at-approve-plan");
  }

  private HpaActivationWorkflow start(Mode mode) {
    RunbookTesting.start(client, HpaActivationWorkflow.RUNBOOK, "HpaActivationWorkflow",
        RunbookTesting.request(config, mode, "alice", Map.of()), taskQueue);
    return client.newWorkflowStub(HpaActivationWorkflow.class, "254carbon/hpa-activation");
  }

  private void keepHistory(String name) throws Exception {
    RunbookTesting.keepHistory(client, "254carbon/hpa-activation", HpaActivationWorkflowImpl.class, name);
  }
}
