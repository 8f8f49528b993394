package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.Hpa;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.Verification;
import io.carbon254.runbook.hpa.HpaSnapshot;
import io.carbon254.runbook.hpa.MetricsApi;
import io.carbon254.runbook.sandbox.KubernetesMode;
import io.carbon254.runbook.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * hpa-activation's activities on the sandbox platform on the real API server: kube-apiserver's own
 * availability controller decides whether the metrics APIService is Available (the sandbox's
 * metrics-server answers through the pod network once it has {@code --kubelet-insecure-tls}), and
 * kube-controller-manager's HPA controller computes the HPAs' status from the metrics it serves.
 */
class KubernetesAutoscalingTest {

  private static final PlatformConfig CONFIG = ConfigLoader.loadDefault();
  private static final Hpa HPA = CONFIG.hpa();
  private static Sandbox sandbox;
  private static KubernetesAutoscaling autoscaling;

  @BeforeAll
  static void start() {
    sandbox = Sandbox.builder(CONFIG).kubernetes(KubernetesMode.REAL).start();
    autoscaling = new KubernetesAutoscaling(new KubernetesApi(sandbox.kubernetesClient()), Duration.ofMillis(200),
        Duration.ofMinutes(2));
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @Test
  void argumentsAreAddedOnlyWhereTheConfigurationAsksAndOnlyIfAbsent() {
    Hpa.MetricsServer both = new Hpa.MetricsServer("kube-system", "metrics-server", "v1beta1.metrics.k8s.io", true,
        List.of("InternalIP", "Hostname"));
    assertThat(KubernetesAutoscaling.missingArgs(both, List.of("--secure-port=4443"))).containsExactly(
        "--kubelet-insecure-tls", "--kubelet-preferred-address-types=InternalIP,Hostname");
    assertThat(KubernetesAutoscaling.missingArgs(both, List.of("--kubelet-insecure-tls=true",
        "--kubelet-preferred-address-types=ExternalIP"))).as("present in another form: left as it is").isEmpty();
    Hpa.MetricsServer neither = new Hpa.MetricsServer("kube-system", "metrics-server", "v1beta1.metrics.k8s.io", false, List.of());
    assertThat(KubernetesAutoscaling.missingArgs(neither, List.of())).isEmpty();
  }

  @Test
  void theMetricsApiComesUpOnceMetricsServerHasItsArgumentsThenTheConfiguredHpasReportMetricsAndAnAbortPutsAllBack() {
    MetricsApi found = autoscaling.inspectMetricsApi(HPA.metricsServer());
    assertThat(found.available()).isFalse();
    assertThat(found.deployment()).isEqualTo("kube-system/metrics-server");
    assertThat(found.missingArgs()).as("the shipped manifest already sets the address types")
        .containsExactly("--kubelet-insecure-tls");
    List<String> shippedArgs = found.args();
    Verification down = new KubernetesAutoscaling(new KubernetesApi(sandbox.kubernetesClient()), Duration.ofMillis(100),
        Duration.ofSeconds(1)).waitForMetricsApi(HPA.metricsServer());
    assertThat(down.ok()).isFalse();
    assertThat(down.evidence()).startsWith("APIService v1beta1.metrics.k8s.io not ")
        .contains("after 1s; see kubectl describe apiservice v1beta1.metrics.k8s.io and kubectl -n kube-system logs deploy/metrics-server");

    List<PlanItem> plan = autoscaling.planAutoscalers(HPA);
    assertThat(plan).extracting(PlanItem::line).containsExactly(
        "UPDATE HorizontalPodAutoscaler data-platform/trino-worker-hpa — 1–5 at 75% CPU → 2–5 at 70% CPU",
        "CREATE HorizontalPodAutoscaler data-platform/superset-hpa — Deployment/superset 2–4 at 75% CPU",
        "DELETE HorizontalPodAutoscaler data-platform/superset-worker-hpa — also scales Deployment/superset, which the"
            + " configuration gives to superset-hpa");
    HorizontalPodAutoscalerSpec trinoBefore = hpa("trino-worker-hpa").getSpec();
    HorizontalPodAutoscalerSpec supersetWorkerBefore = hpa("superset-worker-hpa").getSpec();

    assertThat(autoscaling.fixMetricsServer(HPA.metricsServer()).change()).isEqualTo(Change.UPDATED);
    assertThat(autoscaling.fixMetricsServer(HPA.metricsServer()).change()).isEqualTo(Change.UNCHANGED);
    Verification up = autoscaling.waitForMetricsApi(HPA.metricsServer());
    assertThat(up.ok()).as(up.evidence()).isTrue();
    assertThat(up.evidence()).startsWith("APIService v1beta1.metrics.k8s.io Available (Passed); metrics of 1 node: cp-1 cpu ");

    List<HpaSnapshot> snapshots = autoscaling.snapshotAutoscalers(HPA);
    assertThat(snapshots).extracting(HpaSnapshot::name, HpaSnapshot::existed).containsExactly(
        org.assertj.core.groups.Tuple.tuple("trino-worker-hpa", true), org.assertj.core.groups.Tuple.tuple("superset-hpa", false),
        org.assertj.core.groups.Tuple.tuple("superset-worker-hpa", true));
    assertThat(autoscaling.ensureAutoscalers(HPA).summary()).isEqualTo(
        "superset-worker-hpa deleted, trino-worker-hpa updated (1–5 at 75% CPU → 2–5 at 70% CPU), superset-hpa created");
    assertThat(autoscaling.ensureAutoscalers(HPA).change()).isEqualTo(Change.UNCHANGED);
    assertThat(autoscaling.planAutoscalers(HPA)).extracting(PlanItem::action).containsOnly(PlanItem.Action.KEEP);
    assertThat(hpa("superset-worker-hpa")).isNull();

    Verification reporting = autoscaling.waitForAutoscalers(HPA);
    assertThat(reporting.ok()).as(reporting.evidence()).isTrue();
    assertThat(reporting.evidence()).matches("data-platform/trino-worker-hpa: cpu \\d+% of 70%, \\d replicas \\(2–5\\),"
        + " ScalingActive True \\(ValidMetricFound\\); data-platform/superset-hpa: cpu \\d+% of 75%, \\d replicas \\(2–4\\),"
        + " ScalingActive True \\(ValidMetricFound\\)");

    assertThat(autoscaling.restoreAutoscalers(snapshots).change()).isEqualTo(Change.UPDATED);
    assertThat(hpa("trino-worker-hpa").getSpec()).isEqualTo(trinoBefore);
    assertThat(hpa("superset-worker-hpa").getSpec()).isEqualTo(supersetWorkerBefore);
    assertThat(hpa("superset-hpa")).isNull();
    assertThat(autoscaling.restoreAutoscalers(snapshots).change()).isEqualTo(Change.UNCHANGED);
    assertThat(autoscaling.restoreMetricsServer(HPA.metricsServer(), shippedArgs).change()).isEqualTo(Change.UPDATED);
    assertThat(autoscaling.inspectMetricsApi(HPA.metricsServer()).args()).isEqualTo(shippedArgs);
  }

  private static HorizontalPodAutoscaler hpa(String name) {
    return sandbox.kubernetesClient().autoscaling().v2().horizontalPodAutoscalers().inNamespace("data-platform")
        .withName(name).get();
  }
}
