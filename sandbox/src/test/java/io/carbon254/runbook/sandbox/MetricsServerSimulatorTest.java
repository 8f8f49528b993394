package io.carbon254.runbook.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;

/**
 * On the real control plane: kube-apiserver's aggregator finds metrics-server's API at its pod (the
 * simulator's TLS fake behind the cluster network), its availability controller turns the
 * APIService Available, and kube-controller-manager's own HPA controller reads the metrics.
 */
class MetricsServerSimulatorTest extends MetricsServerStory {

  @Override
  KubernetesMode mode() {
    return KubernetesMode.REAL;
  }

  @Override
  void the_metrics_api_is_not_available_yet(APIService apiService) {
    assertThat(apiService).as("no APIService while metrics-server cannot answer: it would block namespace deletion").isNull();
  }

  @Override
  void and_once_it_answers() throws Exception {
    // The aggregator's discovery includes the group (read from the fake's legacy discovery) ...
    assertThat(k8s.getApiGroup("metrics.k8s.io")).as("metrics.k8s.io in the API server's discovery").isNotNull();
    assertThat(k8s.getApiResources("metrics.k8s.io/v1beta1").getResources())
        .extracting(r -> r.getName() + (r.getNamespaced() ? " (namespaced)" : ""))
        .containsExactlyInAnyOrder("nodes", "pods (namespaced)");

    // ... and a namespace is still deleted (the namespace controller's discovery of every group succeeds).
    k8s.resource(new NamespaceBuilder().withNewMetadata().withName("scratch-metrics").endMetadata().build()).create();
    k8s.resource(new ConfigMapBuilder().withNewMetadata().withName("leftover").withNamespace("scratch-metrics").endMetadata()
        .addToData("k", "v").build()).create();
    k8s.namespaces().withName("scratch-metrics").delete();
    Eventually.until(PATIENCE, () -> k8s.namespaces().withName("scratch-metrics").get() == null);
  }
}
