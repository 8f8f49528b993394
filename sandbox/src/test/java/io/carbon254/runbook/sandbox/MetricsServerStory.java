package io.carbon254.runbook.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.Hpa;
import io.carbon254.runbook.config.PlatformConfig;
import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.APIServiceCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * hpa-activation's world, as the runbook will meet it: metrics-server lacks
 * {@code --kubelet-insecure-tls}, the metrics API is unavailable, the older HPAs report nothing;
 * once the arg is added the metrics API answers, and the HPAs the config wants report metrics.
 * Told once, on each Kubernetes API ({@link #mode()}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MetricsServerStory {

  /** Generous: two cores shared with other builds. */
  static final Duration PATIENCE = Duration.ofSeconds(90);

  PlatformConfig config;
  Hpa.MetricsServer ms;
  Sandbox sandbox;
  KubernetesClient k8s;

  abstract KubernetesMode mode();

  /** The seeded APIService: on the real server none (it would block namespace deletion), on the mock Available False. */
  abstract void the_metrics_api_is_not_available_yet(APIService apiService);

  /** What else this API proves once the metrics API answers. */
  void and_once_it_answers() throws Exception {}

  @BeforeAll
  void start() {
    config = ConfigLoader.loadDefault();
    ms = config.hpa().metricsServer();
    sandbox = Sandbox.builder(config).kubernetes(mode()).start();
    k8s = sandbox.kubernetesClient();
  }

  @AfterAll
  void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void adding_insecure_tls_to_metrics_server_makes_the_metrics_api_available_and_the_hpas_report_metrics() throws Exception {
    // Given the seeded platform: no metrics, and the older HPAs not scaling on them.
    the_metrics_api_is_not_available_yet(k8s.apiServices().withName(ms.apiService()).get());
    KubernetesClientException noMetrics;
    // Without retries: fabric8 backs off and retries a 503 for ~20 s.
    try (KubernetesClient once = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(k8s.getConfiguration()).withRequestRetryBackoffLimit(0).build()).build()) {
      noMetrics = catchThrowableOfType(KubernetesClientException.class, () -> once.top().nodes().metrics());
    }
    assertThat(noMetrics).as("node metrics before metrics-server is fixed").isNotNull();
    assertThat(noMetrics.getCode()).isIn(404, 503);
    assertThat(hpa("trino-worker-hpa").getSpec().getMinReplicas()).isEqualTo(1);
    assertThat(hpa("trino-worker-hpa").getSpec().getMaxReplicas()).isEqualTo(5);
    assertThat(hpa("superset-worker-hpa").getSpec().getScaleTargetRef().getName()).isEqualTo("superset");
    Eventually.untilAsserted(PATIENCE, () -> {
      for (String name : List.of("trino-worker-hpa", "superset-worker-hpa")) {
        HorizontalPodAutoscaler older = hpa(name);
        assertThat(older.getStatus()).as(name + " has a status").isNotNull();
        assertThat(condition(older, "ScalingActive")).as(name).hasValueSatisfying(c -> {
          assertThat(c.getStatus()).isEqualTo("False");
          assertThat(c.getReason()).isEqualTo("FailedGetResourceMetric");
          assertThat(c.getMessage()).contains("unable to get metrics for resource cpu");
        });
        // As kube-controller-manager writes it when it cannot measure: one empty entry per metric, no value.
        assertThat(older.getStatus().getCurrentMetrics()).as(name + " current metrics")
            .allSatisfy(m -> assertThat(m.getResource()).as("measured resource").isNull());
      }
    });

    // When the runbook adds --kubelet-insecure-tls (only if absent) to metrics-server's args.
    k8s.apps().deployments().inNamespace(ms.namespace()).withName(ms.deployment()).edit(d -> {
      List<String> args = new ArrayList<>(d.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs());
      if (!args.contains(MetricsServerSimulator.INSECURE_TLS)) {
        args.add(MetricsServerSimulator.INSECURE_TLS);
      }
      d.getSpec().getTemplate().getSpec().getContainers().get(0).setArgs(args);
      return d;
    });

    // Then the APIService turns Available and the node metrics answer.
    Eventually.untilAsserted(PATIENCE, () -> assertThat(available(k8s.apiServices().withName(ms.apiService()).get()))
        .hasValueSatisfying(c -> {
          assertThat(c.getStatus()).isEqualTo("True");
          assertThat(c.getReason()).isEqualTo("Passed");
        }));
    Eventually.untilAsserted(PATIENCE, () -> {
      List<NodeMetrics> nodes = k8s.top().nodes().metrics().getItems();
      assertThat(nodes).extracting(n -> n.getMetadata().getName()).containsExactly(PlatformSeeder.CONTROL_PLANE_NODE);
      assertThat(nodes.get(0).getUsage()).containsKeys("cpu", "memory");
      assertThat(Quantity.getAmountInBytes(nodes.get(0).getUsage().get("cpu"))).isPositive();
    });
    assertThat(k8s.top().nodes().metrics(PlatformSeeder.CONTROL_PLANE_NODE).getWindow()).isNotNull();
    and_once_it_answers();

    // When the runbook ensures the HPAs of the config and deletes the older one on the same target.
    for (Hpa.Autoscaler a : config.hpa().autoscalers()) {
      ensure(a);
    }
    k8s.autoscaling().v2().horizontalPodAutoscalers().inNamespace("data-platform").withName("superset-worker-hpa").delete();

    // Then each reports its CPU utilization, below target, and scales on it within its bounds.
    for (Hpa.Autoscaler a : config.hpa().autoscalers()) {
      Eventually.untilAsserted(PATIENCE, () -> {
        HorizontalPodAutoscaler h = k8s.autoscaling().v2().horizontalPodAutoscalers().inNamespace(a.namespace())
            .withName(a.name()).get();
        assertThat(h.getStatus()).as(a.name()).isNotNull();
        assertThat(h.getStatus().getCurrentMetrics()).as(a.name() + " current metrics").singleElement().satisfies(m -> {
          assertThat(m.getType()).isEqualTo("Resource");
          assertThat(m.getResource().getName()).isEqualTo("cpu");
          assertThat(m.getResource().getCurrent().getAverageUtilization()).isPositive().isLessThan(a.cpuUtilization());
        });
        assertThat(condition(h, "ScalingActive")).as(a.name()).hasValueSatisfying(c -> {
          assertThat(c.getStatus()).isEqualTo("True");
          assertThat(c.getReason()).isEqualTo("ValidMetricFound");
        });
        assertThat(h.getStatus().getCurrentReplicas()).as(a.name() + " replicas").isBetween(a.minReplicas(), a.maxReplicas());
      });
      Deployment target = k8s.apps().deployments().inNamespace(a.namespace()).withName(a.targetName()).get();
      assertThat(target.getSpec().getReplicas()).as(a.targetName() + " scaled to the HPA's minimum").isEqualTo(a.minReplicas());
    }

    // And the pods' metrics name the pods' own containers (kubectl top pods).
    Eventually.untilAsserted(PATIENCE, () -> {
      List<PodMetrics> pods = k8s.top().pods().withLabels(Map.of("app", "trino-worker")).metrics("data-platform").getItems();
      assertThat(pods).isNotEmpty().allSatisfy(p -> {
        assertThat(p.getMetadata().getName()).startsWith("trino-worker-");
        assertThat(p.getContainers()).extracting(c -> c.getName()).containsExactly("trino-worker");
        assertThat(p.getContainers().get(0).getUsage()).containsKeys("cpu", "memory");
      });
    });
  }

  private void ensure(Hpa.Autoscaler a) {
    HorizontalPodAutoscaler wanted = new HorizontalPodAutoscalerBuilder()
        .withNewMetadata().withName(a.name()).withNamespace(a.namespace()).endMetadata()
        .withNewSpec()
        .withNewScaleTargetRef().withApiVersion("apps/v1").withKind(a.targetKind()).withName(a.targetName()).endScaleTargetRef()
        .withMinReplicas(a.minReplicas())
        .withMaxReplicas(a.maxReplicas())
        .addNewMetric().withType("Resource").withNewResource().withName("cpu").withNewTarget().withType("Utilization")
        .withAverageUtilization(a.cpuUtilization()).endTarget().endResource().endMetric()
        .endSpec()
        .build();
    var resource = k8s.autoscaling().v2().horizontalPodAutoscalers().inNamespace(a.namespace()).withName(a.name());
    if (resource.get() == null) {
      k8s.resource(wanted).create();
    } else {
      resource.edit(h -> {
        h.setSpec(wanted.getSpec());
        return h;
      });
    }
  }

  HorizontalPodAutoscaler hpa(String name) {
    HorizontalPodAutoscaler h = k8s.autoscaling().v2().horizontalPodAutoscalers().inNamespace("data-platform").withName(name).get();
    assertThat(h).as("HPA data-platform/" + name).isNotNull();
    return h;
  }

  static Optional<HorizontalPodAutoscalerCondition> condition(HorizontalPodAutoscaler h, String type) {
    return h.getStatus() == null || h.getStatus().getConditions() == null ? Optional.empty()
        : h.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  static Optional<APIServiceCondition> available(APIService apiService) {
    return apiService == null || apiService.getStatus() == null || apiService.getStatus().getConditions() == null ? Optional.empty()
        : apiService.getStatus().getConditions().stream().filter(c -> "Available".equals(c.getType())).findFirst();
  }
}
