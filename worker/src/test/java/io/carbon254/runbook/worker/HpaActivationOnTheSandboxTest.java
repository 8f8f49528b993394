package io.carbon254.runbook.worker;

import static io.carbon254.runbook.engine.RunbookTesting.approve;
import static io.carbon254.runbook.engine.RunbookTesting.awaitGate;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.GateView;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.hpa.HpaActivationWorkflow;
import io.carbon254.runbook.hpa.HpaActivationWorkflowImpl;
import io.carbon254.runbook.platformcheck.PlatformCheckWorkflowImpl;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.temporal.testing.TestWorkflowExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * hpa-activation end to end with the real adapters on the sandbox on the real API server, as the
 * worker's ServiceAccount ({@code deploy/rbac.yaml}): metrics-server gets its missing argument, the
 * API server finds the metrics API Available, kube-controller-manager's HPA controller reads the
 * configured HPAs' metrics — and platform-check's HPA line turns ✓.
 */
class HpaActivationOnTheSandboxTest extends OnTheSandbox {

  @RegisterExtension
  static final TestWorkflowExtension temporal = extension(HpaActivationWorkflowImpl.class, PlatformCheckWorkflowImpl.class);

  @Test
  void theMetricsApiComesUpAndTheConfiguredHpasReportMetrics() {
    assertThat(platformCheck().outputs().get("report")).contains("| HPA Configuration | ✗ |");

    HpaActivationWorkflow run = start();
    GateView plan = awaitGate(run, "approve-plan");
    assertThat(plan.prompt()).contains(
        "UPDATE Deployment kube-system/metrics-server — container metrics-server args + --kubelet-insecure-tls (APIService v1beta1.metrics.k8s.io not",
        "UPDATE HorizontalPodAutoscaler data-platform/trino-worker-hpa — 1–5 at 75% CPU → 2–5 at 70% CPU",
        "CREATE HorizontalPodAutoscaler data-platform/superset-hpa — Deployment/superset 2–4 at 75% CPU",
        "DELETE HorizontalPodAutoscaler data-platform/superset-worker-hpa");
    approve(run, "approve-plan", "bob", "carol");

    RunbookResult result = result(run);
    assertThat(result.outcome()).as(result.summary()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.gates()).extracting(g -> g.gate()).as("the gates its registration declares, for gate overrides")
        .containsExactlyElementsOf(io.carbon254.runbook.Runbooks.HPA_ACTIVATION.gates());
    assertThat(sandbox.kubernetesClient().apps().deployments().inNamespace("kube-system").withName("metrics-server").get()
        .getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).contains("--kubelet-insecure-tls");
    assertThat(result.outputs().get("metrics-api")).startsWith("APIService v1beta1.metrics.k8s.io Available (Passed); metrics of 1 node: ");
    assertThat(result.outputs().get("autoscalers")).contains("data-platform/trino-worker-hpa: cpu ", "ScalingActive True");
    HorizontalPodAutoscaler trino = hpa("trino-worker-hpa");
    assertThat(trino.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(trino.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization()).isEqualTo(70);
    assertThat(hpa("superset-hpa").getStatus().getCurrentMetrics()).isNotEmpty();
    assertThat(hpa("superset-worker-hpa")).isNull();

    RunbookResult again = result(start());
    assertThat(again.gates()).as("nothing to approve on an activated platform").isEmpty();
    assertThat(again.step("fix-metrics-server").change()).isEqualTo(Change.UNCHANGED);
    assertThat(again.step("ensure-autoscalers").change()).isEqualTo(Change.UNCHANGED);

    assertThat(platformCheck().outputs().get("report")).contains("| HPA Configuration | ✓ |");
  }

  private HorizontalPodAutoscaler hpa(String name) {
    return sandbox.kubernetesClient().autoscaling().v2().horizontalPodAutoscalers().inNamespace("data-platform")
        .withName(name).get();
  }

  private HpaActivationWorkflow start() {
    return start(HpaActivationWorkflow.RUNBOOK, "HpaActivationWorkflow", HpaActivationWorkflow.class);
  }
}
