package io.carbon254.runbook.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The real control plane alone: what starts, what it serves, and that closing it leaves nothing running. */
class ControlPlaneTest {

  @Test
  void etcd_api_server_and_controller_manager_serve_on_loopback_with_the_crds_and_stop_leaving_nothing() {
    ControlPlane plane = ControlPlane.start(KubernetesTools.require(), TestCertificateAuthority.generate(),
        ControlPlane.Options.defaults());
    List<Long> processes = plane.processIds();
    try (KubernetesClient admin = new KubernetesClientBuilder().withConfig(plane.adminConfig()).build();
        KubernetesClient anonymous = new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder(plane.adminConfig()).withOauthToken(null).build()).build()) {
      assertThat(plane.url()).startsWith("https://127.0.0.1:");
      assertThat(admin.getKubernetesVersion().getGitVersion()).startsWith("v1.36.");
      assertThat(processes).hasSize(3);
      for (String crd : List.of("backups.velero.io", "backupstoragelocations.velero.io", "schedules.velero.io",
          "deletebackuprequests.velero.io", "servicemonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com")) {
        assertThat(admin.apiextensions().v1().customResourceDefinitions().withName(crd).get()).as(crd).isNotNull();
      }
      assertThat(admin.serviceAccounts().inNamespace("default").withName("default").get()).as("made by the controller manager")
          .isNotNull();
      KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class,
          () -> anonymous.namespaces().list());
      assertThat(refused.getCode()).as("RBAC: anonymous may not list namespaces").isIn(401, 403);
    } finally {
      plane.close();
      plane.close();
    }
    for (long pid : processes) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("process " + pid).isNotEqualTo(Optional.of(true));
    }
  }
}
