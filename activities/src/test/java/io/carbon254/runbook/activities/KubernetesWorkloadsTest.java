package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.mirror.MirroredImage;
import io.carbon254.runbook.mirror.WorkloadSwitch;
import io.carbon254.runbook.sandbox.KubernetesMode;
import io.carbon254.runbook.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Image discovery, switching and rollouts on the sandbox platform on the real API server: the
 * Deployment controller rolls the switched workload out (new ReplicaSet, pods started by the
 * kubelet simulator, old ones deleted).
 */
class KubernetesWorkloadsTest {

  private static final PlatformConfig CONFIG = ConfigLoader.loadDefault();
  private static Sandbox sandbox;
  private static KubernetesWorkloads workloads;

  @BeforeAll
  static void start() {
    sandbox = Sandbox.builder(CONFIG).kubernetes(KubernetesMode.REAL).start();
    workloads = new KubernetesWorkloads(sandbox.kubernetesClient(), Duration.ofMillis(100), Duration.ofSeconds(20));
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @Test
  void discoveryNormalisesAndDeduplicatesConfiguredAndRunningImages() {
    var found = workloads.discoverImages(CONFIG.images(), CONFIG.namespaces());

    assertThat(found.items()).contains("docker.io/grafana/grafana:10.2.0", "docker.io/library/busybox:latest",
        "registry.k8s.io/ingress-nginx/controller:v1.8.1");
    assertThat(found.items()).doesNotHaveDuplicates().noneMatch(i -> i.startsWith("grafana/"));
    assertThat(found.items().size()).isGreaterThan(CONFIG.images().size());
    assertThat(found.summary()).startsWith(found.items().size() + " images: 35 configured, ");
  }

  @Test
  void aSwitchedWorkloadRollsOutOnHarborAndRollsBack() {
    String supersetImage = sandbox.kubernetesClient().apps().deployments().inNamespace("data-platform").withName("superset").get()
        .getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    String pinned = "harbor.254carbon.local/254carbon/apache/superset@sha256:" + "a".repeat(64);
    MirroredImage mirrored = new MirroredImage(KubernetesWorkloads.normalise(supersetImage), "sha256:" + "a".repeat(64),
        pinned, List.of("linux/amd64"), 10, 1, 0, Change.CREATED);

    List<WorkloadSwitch> plan = workloads.planSwitch(CONFIG.harbor(), List.of(mirrored)).items();
    WorkloadSwitch superset = plan.stream().filter(w -> w.name().equals("superset")).findFirst().orElseThrow();
    assertThat(superset.containers()).singleElement().satisfies(c -> {
      assertThat(c.from()).isEqualTo(supersetImage);
      assertThat(c.to()).isEqualTo(pinned);
    });

    assertThat(workloads.switchWorkload(superset).change()).isEqualTo(Change.UPDATED);
    assertThat(workloads.switchWorkload(superset).change()).isEqualTo(Change.UNCHANGED);
    Deployment switched = deployment("superset");
    assertThat(switched.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(pinned);
    assertThat(switched.getSpec().getTemplate().getSpec().getImagePullSecrets()).extracting(s -> s.getName())
        .contains("harbor-credentials");
    assertThat(workloads.waitForRollout(superset).ok()).isTrue();
    assertThat(workloads.planSwitch(CONFIG.harbor(), List.of(mirrored)).items()).noneMatch(w -> w.name().equals("superset"));

    assertThat(workloads.rollBack(superset).change()).isEqualTo(Change.UPDATED);
    assertThat(deployment("superset").getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(supersetImage);
  }

  private static Deployment deployment(String name) {
    return sandbox.kubernetesClient().apps().deployments().inNamespace("data-platform").withName(name).get();
  }
}
