package io.carbon254.runbook.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.config.PlatformService;
import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The default platform, as seeded on the real API server: what platform-check and the runbooks
 * will find before any change (the workloads rolled out by the real controllers, Endpoints from
 * ready pods, the Prometheus service proxy through the pod network).
 */
class SandboxTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static PlatformConfig config;
  private static Sandbox sandbox;
  private static KubernetesClient k8s;
  private static final OkHttpClient http = new OkHttpClient();

  @BeforeAll
  static void start() {
    config = ConfigLoader.loadDefault();
    sandbox = Sandbox.builder(config).kubernetes(KubernetesMode.REAL).start();
    k8s = sandbox.kubernetesClient();
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @Test
  void every_platform_namespace_exists() {
    for (String ns : config.namespaces()) {
      assertThat(k8s.namespaces().withName(ns).get()).as(ns).isNotNull();
    }
    assertThat(k8s.namespaces().withName("kube-public").get()).isNotNull();
  }

  @Test
  void the_api_is_the_real_server_built_by_the_project_and_the_platform_node_runs_its_own_kubelet() {
    assertThat(k8s.getKubernetesVersion().getGitVersion()).startsWith("v1.36.");
    assertThat(sandbox.describeKubernetes()).startsWith("real kube-apiserver (kubernetes v1.36.");
    assertThat(k8s.nodes().withName("cp-1").get().getStatus().getNodeInfo().getKubeletVersion()).isEqualTo(Sandbox.KUBERNETES_VERSION);
  }

  @Test
  void every_service_has_ready_workloads_a_backend_with_endpoints_and_an_ingress_without_sso() {
    for (PlatformService s : config.services()) {
      for (String ref : s.workloads()) {
        String name = ref.substring(ref.indexOf('/') + 1);
        if (ref.startsWith("deployment/")) {
          Deployment d = k8s.apps().deployments().inNamespace(s.namespace()).withName(name).get();
          assertThat(d).as(ref).isNotNull();
          assertThat(d.getStatus().getReadyReplicas()).as(ref).isEqualTo(d.getSpec().getReplicas()).isPositive();
          assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
        } else {
          StatefulSet st = k8s.apps().statefulSets().inNamespace(s.namespace()).withName(name).get();
          assertThat(st).as(ref).isNotNull();
          assertThat(st.getStatus().getReadyReplicas()).as(ref).isEqualTo(st.getSpec().getReplicas()).isPositive();
        }
      }
      String backend = s.backend().service();
      assertThat(k8s.services().inNamespace(s.namespace()).withName(backend).get()).as(backend).isNotNull();
      assertThat(k8s.endpoints().inNamespace(s.namespace()).withName(backend).get().getSubsets().get(0).getAddresses())
          .as(backend)
          .hasSize(1);
      Ingress ingress =
          k8s.network().v1().ingresses().inNamespace(s.namespace()).list().getItems().stream()
              .filter(i -> i.getSpec().getRules().stream().anyMatch(r -> s.host().equals(r.getHost())))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no ingress for " + s.host()));
      assertThat(ingress.getMetadata().getAnnotations())
          .doesNotContainKeys("nginx.ingress.kubernetes.io/auth-url", "nginx.ingress.kubernetes.io/auth-signin");
    }
    Ingress datahub = k8s.network().v1().ingresses().inNamespace("data-platform").withName("datahub-ingress").get();
    assertThat(datahub.getSpec().getRules().get(0).getHttp().getPaths())
        .anySatisfy(p -> {
          assertThat(p.getPath()).isEqualTo("/api");
          assertThat(p.getBackend().getService().getName()).isEqualTo("datahub-gms");
          assertThat(p.getBackend().getService().getPort().getNumber()).isEqualTo(8080);
        });
  }

  @Test
  void workloads_run_the_platform_images_for_discovery() {
    assertThat(image("monitoring", "grafana")).isEqualTo("grafana/grafana:10.2.0");
    assertThat(image("data-platform", "trino-coordinator")).isEqualTo("trinodb/trino:424");
    assertThat(image("data-platform", "superset")).isEqualTo("apache/superset:4.0.1");
    StatefulSet postgres = k8s.apps().statefulSets().inNamespace("data-platform").withName("postgres-shared").get();
    assertThat(postgres.getSpec().getReplicas()).isEqualTo(1);
    assertThat(postgres.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("postgres:15");
    StatefulSet minio = k8s.apps().statefulSets().inNamespace("data-platform").withName("minio").get();
    assertThat(minio.getSpec().getReplicas()).isEqualTo(1);
    assertThat(minio.getStatus().getReadyReplicas()).isEqualTo(1);
    for (String svc : new String[] {"minio-service", "minio-console", "minio-headless"}) {
      assertThat(k8s.services().inNamespace("data-platform").withName(svc).get()).as(svc).isNotNull();
    }
    for (String name : new String[] {"harbor-core", "harbor-registry", "harbor-portal", "harbor-jobservice"}) {
      Deployment d = k8s.apps().deployments().inNamespace(config.harbor().namespace()).withName(name).get();
      assertThat(d.getStatus().getReadyReplicas()).as(name).isEqualTo(1);
    }
  }

  @Test
  void monitoring_has_service_monitors_dashboards_and_the_prometheus_service() {
    String ns = config.monitoring().namespace();
    var monitors = k8s.genericKubernetesResources(SandboxResources.SERVICE_MONITOR).inNamespace(ns).list().getItems();
    assertThat(monitors).hasSizeGreaterThanOrEqualTo(16);
    assertThat(k8s.configMaps().inNamespace(ns).withLabel("grafana_dashboard", "1").list().getItems()).isNotEmpty();
    assertThat(k8s.services().inNamespace(ns).withName(config.monitoring().prometheusService()).get()).isNotNull();
  }

  @Test
  void velero_is_installed_but_its_storage_location_is_unavailable_and_there_are_no_schedules() {
    String ns = config.backup().veleroNamespace();
    assertThat(k8s.apps().deployments().inNamespace(ns).withName("velero").get().getStatus().getReadyReplicas()).isEqualTo(1);
    GenericKubernetesResource bsl =
        k8s.genericKubernetesResources(SandboxResources.BACKUP_STORAGE_LOCATION)
            .inNamespace(ns)
            .withName(config.backup().storageLocation().name())
            .get();
    Map<String, Object> status = bsl.get("status");
    assertThat(status.get("phase")).isEqualTo("Unavailable");
    assertThat((String) status.get("message")).contains("NoSuchBucket").contains("\"default\" is unavailable");
    Map<String, Object> spec = bsl.get("spec");
    assertThat(spec.get("provider")).isEqualTo("aws");
    assertThat(k8s.genericKubernetesResources(SandboxResources.SCHEDULE).inNamespace(ns).list().getItems()).isEmpty();
  }

  @Test
  void the_metrics_api_is_unavailable_and_metrics_server_lacks_insecure_tls_and_the_older_hpas_are_there() {
    // Not registered on the real server: an aggregated API that does not answer blocks namespace deletion.
    assertThat(k8s.resources(APIService.class).withName("v1beta1.metrics.k8s.io").get()).isNull();
    Deployment ms = k8s.apps().deployments().inNamespace("kube-system").withName("metrics-server").get();
    assertThat(ms.getStatus().getReadyReplicas()).isEqualTo(1);
    assertThat(ms.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname")
        .doesNotContain("--kubelet-insecure-tls");
    assertThat(k8s.autoscaling().v2().horizontalPodAutoscalers().inAnyNamespace().list().getItems())
        .extracting(h -> h.getMetadata().getNamespace() + "/" + h.getMetadata().getName() + " → "
            + h.getSpec().getScaleTargetRef().getName() + " " + h.getSpec().getMinReplicas() + "–" + h.getSpec().getMaxReplicas())
        .containsExactlyInAnyOrder("data-platform/trino-worker-hpa → trino-worker 1–5", "data-platform/superset-worker-hpa → superset 1–4");
    assertThat(k8s.apps().deployments().inNamespace("data-platform").withName("trino-worker").get()).isNotNull();
  }

  @Test
  void one_ready_control_plane_node_and_the_kubeadm_discovery_config_maps() throws Exception {
    var nodes = k8s.nodes().list().getItems();
    assertThat(nodes).hasSize(1);
    Node cp = nodes.get(0);
    assertThat(cp.getMetadata().getName()).isEqualTo("cp-1");
    assertThat(cp.getMetadata().getLabels()).containsKey("node-role.kubernetes.io/control-plane");
    assertThat(cp.getStatus().getNodeInfo().getKubeletVersion()).startsWith("v1.28.");
    assertThat(cp.getStatus().getConditions())
        .anySatisfy(c -> {
          assertThat(c.getType()).isEqualTo("Ready");
          assertThat(c.getStatus()).isEqualTo("True");
        });

    String kubeconfig = k8s.configMaps().inNamespace("kube-public").withName("cluster-info").get().getData().get("kubeconfig");
    assertThat(kubeconfig).contains("server: https://192.168.1.10:6443");
    String caData = kubeconfig.lines()
        .filter(l -> l.contains("certificate-authority-data:"))
        .findFirst().orElseThrow().split(":", 2)[1].trim();
    X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(caData)));
    assertThat(cert).isEqualTo(sandbox.certificateAuthority().certificate());
    assertThat(cert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(sandbox.certificateAuthority().publicKeyHash()).matches("sha256:[0-9a-f]{64}");

    String clusterConfiguration =
        k8s.configMaps().inNamespace("kube-system").withName("kubeadm-config").get().getData().get("ClusterConfiguration");
    assertThat(clusterConfiguration).contains("clusterName: 254carbon-cluster").contains("podSubnet: 10.244.0.0/16");
  }

  @Test
  void the_secrets_the_runbooks_read_hold_demo_values_in_data() {
    Secret minio = k8s.secrets().inNamespace("data-platform").withName("minio-secret").get();
    assertThat(decode(minio, "access-key")).isEqualTo(Sandbox.DEMO_MINIO_ACCESS_KEY);
    assertThat(decode(minio, "secret-key")).isEqualTo(Sandbox.DEMO_MINIO_SECRET_KEY);
    Secret harbor = k8s.secrets().inNamespace("registry").withName("harbor-admin-credentials").get();
    assertThat(decode(harbor, "username")).isEqualTo("admin");
    assertThat(decode(harbor, "password")).isEqualTo(Sandbox.DEMO_HARBOR_ADMIN_PASSWORD);
    Secret postgres = k8s.secrets().inNamespace("data-platform").withName("postgres-shared-secret").get();
    assertThat(decode(postgres, "postgres-password")).isEqualTo(Sandbox.DEMO_POSTGRES_PASSWORD);
  }

  @Test
  void the_prometheus_service_proxy_answers_18_active_targets_all_up_to_the_worker() throws Exception {
    // As the worker (its ServiceAccount may get services/proxy in monitoring), through the API
    // server's service proxy to the Prometheus pod's address on the pod network.
    try (KubernetesClient worker = new KubernetesClientBuilder().withConfig(sandbox.endpoints().kubernetesConfig()).build()) {
      // A named Service port must be named or numbered in the path (the mock was laxer).
      for (String svc :
          new String[] {"prometheus-operator-prometheus:9090", "http:prometheus-operated:9090", "prometheus-operator-prometheus:http-web"}) {
        JsonNode targets = JSON.readTree(worker.raw("/api/v1/namespaces/monitoring/services/" + svc
            + "/proxy/api/v1/targets?state=active"));
        assertThat(targets.path("status").asText()).isEqualTo("success");
        JsonNode active = targets.path("data").path("activeTargets");
        assertThat(active.size()).as(svc).isEqualTo(18);
        active.forEach(t -> assertThat(t.path("health").asText()).isEqualTo("up"));
      }
    }
  }

  @Test
  void the_http_fakes_answer_on_the_routes_of_the_real_urls() throws Exception {
    SandboxEndpoints e = sandbox.endpoints();
    URI harborHealth = e.resolve(URI.create(config.harbor().url() + "/api/v2.0/health")).orElseThrow();
    JsonNode health = getJson(harborHealth.toString());
    assertThat(health.path("status").asText()).isEqualTo("healthy");
    assertThat(health.path("components").size()).isGreaterThan(3);

    String minio = config.backup().objectStore().endpoint();
    for (String path : new String[] {"/minio/health/live", "/minio/health/ready"}) {
      try (Response r = http.newCall(new Request.Builder().url(e.resolve(URI.create(minio + path)).orElseThrow().toString()).build()).execute()) {
        assertThat(r.code()).as(path).isEqualTo(200);
      }
    }
    assertThat(e.routes()).containsKeys("https://harbor.254carbon.local", "https://harbor.254carbon.com",
        "http://minio-service.data-platform.svc.cluster.local:9000");
    assertThat(e.resolve(URI.create("https://harbor.254carbon.local:443/api/v2.0/ping"))).isPresent();
    assertThat(e.resolve(URI.create("https://grafana.254carbon.com/api/health"))).isEmpty();
  }

  private static JsonNode getJson(String url) throws Exception {
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      assertThat(r.code()).as(url).isEqualTo(200);
      return JSON.readTree(r.body().string());
    }
  }

  private static String image(String ns, String deployment) {
    return k8s.apps().deployments().inNamespace(ns).withName(deployment).get()
        .getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static String decode(Secret s, String key) {
    return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
  }
}
