package io.carbon254.runbook.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.runbook.config.ConfigLoader;
import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sandbox on fabric8's mock API, as the demo runs when the real API server is not installed:
 * the seeder writes what controllers would have written, the dispatcher answers version and
 * service proxy, no credentials.
 */
class SandboxOnTheMockTest {

  private static Sandbox sandbox;
  private static KubernetesClient k8s;

  @BeforeAll
  static void start() {
    sandbox = Sandbox.builder(ConfigLoader.loadDefault()).kubernetes(KubernetesMode.MOCK).start();
    k8s = sandbox.kubernetesClient();
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @Test
  void the_mock_reports_the_platforms_version_and_says_it_is_the_mock() {
    assertThat(k8s.getKubernetesVersion().getGitVersion()).isEqualTo(Sandbox.KUBERNETES_VERSION);
    assertThat(sandbox.controlPlane()).isEmpty();
    assertThat(sandbox.describeKubernetes()).startsWith("fabric8's mock Kubernetes API at http://127.0.0.1:")
        .contains(KubernetesTools.INSTALL_COMMAND);
    assertThat(sandbox.endpoints().kubernetesToken()).isNull();
  }

  @Test
  void seeded_workloads_carry_the_status_a_controller_would_have_written() {
    Deployment grafana = k8s.apps().deployments().inNamespace("monitoring").withName("grafana").get();
    assertThat(WorkloadStatus.isReady(grafana)).isTrue();
    assertThat(k8s.endpoints().inNamespace("monitoring").withName("grafana").get().getSubsets()).isNotEmpty();
  }

  @Test
  void the_metrics_api_service_is_there_and_unavailable() {
    APIService api = k8s.resources(APIService.class).withName("v1beta1.metrics.k8s.io").get();
    assertThat(api.getStatus().getConditions()).singleElement().satisfies(c -> {
      assertThat(c.getType()).isEqualTo("Available");
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isEqualTo("FailedDiscoveryCheck");
    });
  }

  @Test
  void velero_acts_on_the_mock_too_the_storage_location_becomes_available_once_its_bucket_exists() throws Exception {
    var location = k8s.genericKubernetesResources(SandboxResources.BACKUP_STORAGE_LOCATION).inNamespace("velero").withName("default");
    assertThat(location.get().<String>get("status", "phase")).isEqualTo("Unavailable");

    sandbox.objectStore().createBucket(sandbox.config().backup().bucket());

    Eventually.until(Duration.ofSeconds(30), () -> "Available".equals(location.get().<String>get("status", "phase")));
  }

  @Test
  void the_service_proxy_answers_from_the_fakes() throws Exception {
    try (KubernetesClient other = new KubernetesClientBuilder().withConfig(sandbox.endpoints().kubernetesConfig()).build()) {
      String raw = other.raw("/api/v1/namespaces/monitoring/services/prometheus-operator-prometheus:9090/proxy/api/v1/targets");
      assertThat(new ObjectMapper().readTree(raw).path("data").path("activeTargets").size()).isEqualTo(18);
    }
  }
}
