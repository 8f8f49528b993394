package io.carbon254.runbook.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.carbon254.runbook.config.ConfigLoader;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

class SandboxLifecycleTest {

  /** Generous: two cores shared with other builds. */
  private static final Duration ROLLOUT = Duration.ofSeconds(60);

  @TempDir Path stateDir;

  @Test
  void another_process_finds_the_sandbox_from_the_endpoints_file_alone() throws IOException {
    try (Sandbox sandbox = Sandbox.builder(ConfigLoader.loadDefault()).kubernetes(KubernetesMode.REAL).start()) {
      Path file = sandbox.publish(stateDir);
      assertThat(file).isEqualTo(Sandbox.stateFile(stateDir)).exists();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as("it holds the worker's token")
          .isEqualTo("rw-------");

      SandboxEndpoints read = SandboxEndpoints.read(file);
      assertThat(read).isEqualTo(sandbox.endpoints());
      assertThat(read.kubernetesUrl()).startsWith("https://127.0.0.1:");
      assertThat(read.kubernetesToken()).isNotBlank();
      assertThat(read.toString()).doesNotContain(read.kubernetesToken());

      try (KubernetesClient other = new KubernetesClientBuilder().withConfig(read.kubernetesConfig()).build()) {
        assertThat(other.apps().deployments().inNamespace("monitoring").withName("grafana").get()).isNotNull();
        assertThat(other.nodes().list().getItems()).extracting(n -> n.getMetadata().getName()).containsExactly("cp-1");
        // Discovery-based access to Velero custom resources works: their CRDs are installed.
        GenericKubernetesResource backup =
            new GenericKubernetesResourceBuilder()
                .withApiVersion("velero.io/v1")
                .withKind("Backup")
                .withMetadata(new ObjectMetaBuilder().withName("canary").withNamespace("velero").build())
                .addToAdditionalProperties("spec", Map.of("includedNamespaces", List.of("backup-canary")))
                .build();
        other.genericKubernetesResources("velero.io/v1", "Backup").inNamespace("velero").resource(backup).create();
        other.resource(new ConfigMapBuilder().withNewMetadata().withName("written-by-other").withNamespace("default")
            .endMetadata().addToData("k", "v").build()).create();
      }
      KubernetesClient mine = sandbox.kubernetesClient();
      assertThat(mine.genericKubernetesResources(SandboxResources.BACKUP).inNamespace("velero").withName("canary").get()).isNotNull();
      assertThat(mine.configMaps().inNamespace("default").withName("written-by-other").get().getData()).containsEntry("k", "v");
    }
    assertThat(Sandbox.stateFile(stateDir)).doesNotExist();
  }

  /** On the real server the controllers roll out (pods started by the kubelet simulator); on the mock, the rollout simulator. */
  @ParameterizedTest
  @EnumSource(value = KubernetesMode.class, names = {"REAL", "MOCK"})
  void a_restarted_or_re_imaged_workload_rolls_out_and_becomes_ready_again(KubernetesMode mode) throws Exception {
    try (Sandbox sandbox = Sandbox.builder(ConfigLoader.loadDefault()).kubernetes(mode).rolloutDelay(Duration.ofMillis(200)).start()) {
      KubernetesClient k8s = sandbox.kubernetesClient();
      var grafana = k8s.apps().deployments().inNamespace("monitoring").withName("grafana");
      long before = grafana.get().getMetadata().getGeneration();

      grafana.rolling().restart();
      Deployment restarted = grafana.get();
      assertThat(restarted.getMetadata().getGeneration()).isGreaterThan(before);
      assertThat(WorkloadStatus.isReady(restarted)).as("in progress right after the restart").isFalse();

      Eventually.until(ROLLOUT, () -> WorkloadStatus.isReady(grafana.get()));
      Deployment done = grafana.get();
      assertThat(done.getStatus().getObservedGeneration()).isEqualTo(done.getMetadata().getGeneration());
      assertThat(done.getStatus().getReadyReplicas()).isEqualTo(1);

      grafana.edit(d -> {
        d.getSpec().setReplicas(3);
        d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("harbor.254carbon.local/254carbon/grafana@sha256:" + "a".repeat(64));
        return d;
      });
      Eventually.until(ROLLOUT, () -> WorkloadStatus.isReady(grafana.get()));
      assertThat(grafana.get().getStatus().getReadyReplicas()).isEqualTo(3);

      var postgres = k8s.apps().statefulSets().inNamespace("data-platform").withName("postgres-shared");
      postgres.edit(s -> {
        s.getSpec().setReplicas(2);
        return s;
      });
      Eventually.until(ROLLOUT, () -> WorkloadStatus.isReady(postgres.get()));
      StatefulSet pg = postgres.get();
      assertThat(pg.getStatus().getReadyReplicas()).isEqualTo(2);
      assertThat(pg.getStatus().getObservedGeneration()).isEqualTo(pg.getMetadata().getGeneration());
    }
  }

  @ParameterizedTest
  @EnumSource(value = KubernetesMode.class, names = {"REAL", "MOCK"})
  void close_frees_every_port_stops_every_process_and_is_idempotent(KubernetesMode mode) throws Exception {
    Sandbox sandbox = Sandbox.builder(ConfigLoader.loadDefault()).kubernetes(mode).start();
    List<Long> processes = sandbox.controlPlane().map(ControlPlane::processIds).orElse(List.of());
    assertThat(processes).hasSize(mode == KubernetesMode.REAL ? 3 : 0);
    List<Integer> ports = new ArrayList<>();
    ports.add(URI.create(sandbox.endpoints().kubernetesUrl()).getPort());
    sandbox.endpoints().routes().values().stream().distinct().forEach(u -> ports.add(URI.create(u).getPort()));
    assertThat(ports).hasSizeGreaterThanOrEqualTo(3);

    sandbox.close();
    sandbox.close();

    for (long pid : processes) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("process " + pid).isNotEqualTo(java.util.Optional.of(true));
    }

    for (int port : ports) {
      Eventually.untilAsserted(Duration.ofSeconds(5), () -> assertThatCode(() -> bind(port)).as("port " + port).doesNotThrowAnyException());
    }
  }

  @Test
  void the_default_state_directory_follows_the_environment() {
    assertThat(Sandbox.defaultStateDir(Map.of("RUNBOOK_STATE_DIR", "/x/state", "XDG_STATE_HOME", "/y")))
        .isEqualTo(Path.of("/x/state"));
    assertThat(Sandbox.defaultStateDir(Map.of("XDG_STATE_HOME", "/y"))).isEqualTo(Path.of("/y/runbook"));
    assertThat(Sandbox.defaultStateDir(Map.of()))
        .isEqualTo(Path.of(System.getProperty("user.home"), ".local", "state", "runbook"));
  }

  @Test
  void endpoints_round_trip_as_json() throws IOException {
    SandboxEndpoints e = new SandboxEndpoints("https://127.0.0.1:1234", Map.of("https://harbor.254carbon.local", "http://127.0.0.1:5678"),
        "a-token", "-----BEGIN CERTIFICATE-----\n...");
    Path file = stateDir.resolve("nested").resolve("sandbox.json");
    e.write(file);
    assertThat(Files.readString(file)).contains("kubernetesUrl").contains("routes");
    assertThat(SandboxEndpoints.read(file)).isEqualTo(e);
    assertThat(e.resolve(URI.create("https://harbor.254carbon.local/api/v2.0/projects?page=2")))
        .contains(URI.create("http://127.0.0.1:5678/api/v2.0/projects?page=2"));
  }

  @Test
  void connect_to_routes_round_trip_and_a_file_written_before_them_still_reads() throws IOException {
    SandboxEndpoints e = new SandboxEndpoints("http://127.0.0.1:1234", Map.of())
        .withConnectTo(Map.of("grafana.254carbon.com:443", "127.0.0.1:41234"), "-----BEGIN CERTIFICATE-----\n...");
    Path file = stateDir.resolve("sandbox.json");
    e.write(file);
    assertThat(SandboxEndpoints.read(file)).isEqualTo(e);
    assertThat(e.toString()).contains("grafana.254carbon.com:443");

    Path old = stateDir.resolve("old.json");
    Files.writeString(old, "{\"kubernetesUrl\":\"http://127.0.0.1:1234\",\"routes\":{\"https://harbor.254carbon.local\":\"http://127.0.0.1:5678\"}}");
    SandboxEndpoints read = SandboxEndpoints.read(old);
    assertThat(read.connectTo()).isEmpty();
    assertThat(read.connectToCa()).isNull();
    assertThat(read.routes()).containsEntry("https://harbor.254carbon.local", "http://127.0.0.1:5678");
  }

  private static void bind(int port) throws IOException {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(s.getLocalPort()).isEqualTo(port);
    }
  }
}
