package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.config.Ha;
import io.carbon254.runbook.config.Harbor;
import io.carbon254.runbook.config.Hpa;
import io.carbon254.runbook.config.Monitoring;
import io.carbon254.runbook.config.PlatformService;
import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.platformcheck.CheckResult;
import io.fabric8.kubernetes.api.model.APIServiceBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.temporal.failure.ApplicationFailure;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The platform checks against a CRUD-mode Kubernetes mock (objects created with the status a
 * controller would have written) and MockWebServer fakes of Prometheus, Harbor and MinIO.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesPlatformCheckTest {

  static KubernetesClient client;
  static KubernetesMockServer server;

  @StartStop
  final MockWebServer web = new MockWebServer();

  KubernetesPlatformCheck check;

  @BeforeEach
  void freshCluster() throws Exception {
    server.reset();
    server.setVersionInfo(new VersionInfo.Builder().withMajor("1").withMinor("28").withGitVersion("v1.28.2").build());
    check = new KubernetesPlatformCheck(client, new OkHttpClient());
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void reachableWithAReadyNodeIsOk() {
    node("cp-1", true, true);
    node("worker-node-1", false, false);

    CheckResult result = check.checkCluster();

    assertThat(result.check()).isEqualTo("cluster");
    assertThat(result.ok()).isTrue();
    assertThat(result.evidence()).isEqualTo("Kubernetes v1.28.2; 1 of 2 nodes Ready");
    assertThat(result.details()).contains("node cp-1: Ready (control-plane)", "node worker-node-1: NotReady");
  }

  @Test
  void noReadyNodeIsNotOk() {
    node("cp-1", true, false);

    CheckResult result = check.checkCluster();

    assertThat(result.ok()).isFalse();
    assertThat(result.evidence()).isEqualTo("Kubernetes v1.28.2; 0 of 1 nodes Ready");
  }

  @Test
  void anUnreachableApiThrowsARetryableFailureNamingTheApiAndWhatToCheck() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:" + closedPort)
        .withRequestRetryBackoffLimit(0).withConnectionTimeout(2_000).build();
    try (KubernetesClient unreachable = new KubernetesClientBuilder().withConfig(config).build()) {
      KubernetesPlatformCheck offline = new KubernetesPlatformCheck(unreachable, new OkHttpClient());

      assertThatThrownBy(offline::checkCluster)
          .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
            assertThat(f.isNonRetryable()).isFalse();
            assertThat(f.getType()).isEqualTo("KubernetesUnreachable");
          })
          .hasMessageContaining("Kubernetes API at https://127.0.0.1:" + closedPort)
          .hasMessageContaining("unreachable while reading the server version")
          .hasMessageContaining("Check the worker's kubeconfig (server, context) and the network route");
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void namespacesAllPresent() {
    List.of("data-platform", "monitoring", "velero").forEach(KubernetesPlatformCheckTest::namespace);

    CheckResult result = check.checkNamespaces(List.of("data-platform", "monitoring", "velero"));

    assertThat(result.ok()).isTrue();
    assertThat(result.evidence()).isEqualTo("3 of 3 namespaces exist");
    assertThat(result.details()).containsExactly("namespace data-platform: Active", "namespace monitoring: Active",
        "namespace velero: Active");
  }

  @Test
  void namespacesMissingOnesAreNamed() {
    namespace("data-platform");

    CheckResult result = check.checkNamespaces(List.of("data-platform", "velero", "vault-prod"));

    assertThat(result.ok()).isFalse();
    assertThat(result.evidence()).isEqualTo("1 of 3 namespaces exist; missing: velero, vault-prod");
  }

  // ---------------------------------------------------------------------------------------------

  final List<PlatformService> workloadServices = List.of(
      service("grafana", "monitoring", "grafana.254carbon.com", "grafana", List.of("deployment/grafana"), true),
      service("minio", "data-platform", "minio.254carbon.com", "minio-console", List.of("statefulset/minio"), true),
      service("datahub", "data-platform", "datahub.254carbon.com", "datahub-frontend", List.of(), true));

  @Test
  void readyWorkloadsAndEndpoints() {
    deployment("monitoring", "grafana", 1, 1, "grafana/grafana:10.2.0");
    statefulSet("data-platform", "minio", 1, 1);
    endpoints("data-platform", "datahub-frontend", 2);

    CheckResult result = check.checkWorkloads(workloadServices);

    assertThat(result.ok()).isTrue();
    assertThat(result.evidence()).isEqualTo("3 of 3 services ready");
    assertThat(result.details()).containsExactly(
        "grafana: ready — deployment/grafana 1/1 ready",
        "minio: ready — statefulset/minio 1/1 ready",
        "datahub: ready — Service data-platform/datahub-frontend has 2 ready endpoints");
  }

  @Test
  void notReadyMissingAndEndpointlessServicesAreNamed() {
    deployment("monitoring", "grafana", 2, 1, "grafana/grafana:10.2.0");
    endpoints("data-platform", "datahub-frontend", 0);

    CheckResult result = check.checkWorkloads(workloadServices);

    assertThat(result.ok()).isFalse();
    assertThat(result.evidence()).isEqualTo("0 of 3 services ready; not ready: grafana, minio, datahub");
    assertThat(result.details()).containsExactly(
        "grafana: NOT ready — deployment/grafana 1/2 ready",
        "minio: NOT ready — statefulset/minio not found in data-platform",
        "datahub: NOT ready — Service data-platform/datahub-frontend has no ready endpoints");
  }

  // ---------------------------------------------------------------------------------------------

  static final String PROXY = "/api/v1/namespaces/monitoring/services/prometheus-operator-prometheus:9090/proxy"
      + "/api/v1/targets";

  @Test
  void enoughTargetsThroughTheConfiguredUrl() throws Exception {
    web.enqueue(json(200, targets("up", "up", "down")));
    serviceMonitor("monitoring", "grafana");
    dashboard("monitoring", "platform-overview");

    CheckResult result = check.checkMonitoring(monitoring(web.url("/").toString(), 3));

    assertThat(result.ok()).isTrue();
    assertThat(result.evidence())
        .isEqualTo("3 active Prometheus targets (2 up; need ≥ 3); 1 ServiceMonitors; 1 Grafana dashboards");
    RecordedRequest request = web.takeRequest();
    assertThat(request.getTarget()).isEqualTo("/api/v1/targets");
  }

  @Test
  void enoughTargetsThroughTheKubernetesServiceProxy() {
    server.expect().get().withPath(PROXY).andReturn(200, targets("up", "up")).once();
    serviceMonitor("data-platform", "trino");
    dashboard("monitoring", "trino");

    CheckResult result = check.checkMonitoring(monitoring(null, 2));

    assertThat(result.ok()).isTrue();
    assertThat(result.evidence())
        .isEqualTo("2 active Prometheus targets (2 up; need ≥ 2); 1 ServiceMonitors; 1 Grafana dashboards");
    assertThat(result.details()).contains("2 active Prometheus targets (2 up; need ≥ 2) via the Kubernetes API"
        + " service proxy to monitoring/prometheus-operator-prometheus:9090");
  }

  @Test
  void tooFewTargetsNoServiceMonitorsNoDashboards() {
    web.enqueue(json(200, targets("up")));
    client.configMaps().inNamespace("monitoring").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("not-a-dashboard").withNamespace("monitoring").endMetadata().build()).create();

    CheckResult result = check.checkMonitoring(monitoring(web.url("/").toString(), 16));

    assertThat(result.ok()).isFalse();
    assertThat(result.evidence())
        .isEqualTo("1 active Prometheus targets (1 up; need ≥ 16); 0 ServiceMonitors; 0 Grafana dashboards");
  }

  @Test
  void prometheusAnsweringAnErrorIsNotOkAndTheUrlCarriesNoCredentials() {
    web.enqueue(new MockResponse.Builder().code(503).build());
    serviceMonitor("monitoring", "grafana");
    dashboard("monitoring", "platform-overview");
    String url = web.url("/").newBuilder().username("admin").password("planted-s3cret").build().toString();

    CheckResult result = check.checkMonitoring(monitoring(url, 1));

    assertThat(result.ok()).isFalse();
    assertThat(result.evidence()).isEqualTo("Prometheus at " + web.url("/api/v1/targets")
        + " answered 503; 1 ServiceMonitors; 1 Grafana dashboards");
    assertThat(String.join("\n", result.details())).doesNotContain("planted-s3cret");
  }

  @Test
  void prometheusUnreachableThroughTheProxyIsNotOkWithTheReason() {
    server.expect().get().withPath(PROXY).andReturn(503, "no endpoints available for service").always();
    // The client retries 5xx with backoff by default; none here, to keep the test quick.
    Config noRetries = new ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).build();
    try (KubernetesClient once = new KubernetesClientBuilder().withConfig(noRetries).build()) {
      CheckResult result = new KubernetesPlatformCheck(once, new OkHttpClient()).checkMonitoring(monitoring(null, 1));

      assertThat(result.ok()).isFalse();
      assertThat(result.evidence()).startsWith("Prometheus unreachable through the Kubernetes API service proxy to"
          + " monitoring/prometheus-operator-prometheus:9090 (503 ")
          .endsWith("; 0 ServiceMonitors; 0 Grafana dashboards");
    }
  }

  @Test
  void prometheusServiceMissingBehindTheProxyIsNotOk() {
    server.expect().get().withPath(PROXY).andReturn(404, "{}").always();

    CheckResult result = check.checkMonitoring(monitoring(null, 1));

    assertThat(result.ok()).isFalse();
    assertThat(result.evidence()).isEqualTo("Prometheus unreachable through the Kubernetes API service proxy to"
        + " monitoring/prometheus-operator-prometheus:9090 (404: Service monitoring/prometheus-operator-prometheus"
        + " or its port not found); 0 ServiceMonitors; 0 Grafana dashboards");
  }

  // ---------------------------------------------------------------------------------------------

  final Sso sso = new Sso("qagi.cloudflareaccess.com", null, null, null, null, null, null, null, null, null, null);
  final List<PlatformService> ssoServices = List.of(
      service("portal", "data-platform", "254carbon.com", "portal", List.of(), false),
      service("grafana", "monitoring", "grafana.254carbon.com", "grafana", List.of(), true),
      service("superset", "data-platform", "superset.254carbon.com", "superset", List.of(), true));

  @Test
  void everySsoIngressPointsAtTheTeamDomain() {
    ingress("data-platform", "portal", "254carbon.com", null);
    ingress("monitoring", "grafana", "grafana.254carbon.com", ACCESS_AUTH_URL);
    ingress("data-platform", "superset", "superset.254carbon.com", ACCESS_AUTH_URL);

    CheckResult result = check.checkSso(sso, ssoServices);

    assertThat(result.ok()).isTrue();
    assertThat(result.evidence()).isEqualTo("2 of 2 SSO ingresses protected by Access (qagi.cloudflareaccess.com)");
    assertThat(result.details()).containsExactly("grafana: ingress grafana protected by Access",
        "superset: ingress superset protected by Access");
  }

  @Test
  void unprotectedWrongDomainAndMissingIngressesAreNotOk() {
    ingress("monitoring", "grafana", "grafana.254carbon.com", null);
    ingress("data-platform", "superset", "superset.254carbon.com", ACCESS_AUTH_URL);
    // A second ingress for the same host without auth bypasses Access.
    ingress("data-platform", "superset-api", "superset.254carbon.com", "https://other.cloudflareaccess.com/x");
    List<PlatformService> withLakefs = new java.util.ArrayList<>(ssoServices);
    withLakefs.add(service("lakefs", "data-platform", "lakefs.254carbon.com", "lakefs", List.of(), true));

    CheckResult result = check.checkSso(sso, withLakefs);

    assertThat(result.ok()).isFalse();
    assertThat(result.evidence()).isEqualTo("0 of 3 SSO ingresses protected by Access (qagi.cloudflareaccess.com)");
    assertThat(result.details()).containsExactly(
        "grafana: ingress grafana has no nginx.ingress.kubernetes.io/auth-url",
        "superset: ingress superset-api auth-url https://other.cloudflareaccess.com/x is not qagi.cloudflareaccess.com",
        "lakefs: no ingress for lakefs.254carbon.com in namespace data-platform");
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void availableLocationEnabledSchedulesAndLiveMinio() throws Exception {
    deployment("velero", "velero", 1, 1, "velero/velero:v1.12.0");
    velero(KubernetesPlatformCheck.BACKUP_STORAGE_LOCATION, "default", Map.of(), Map.of("phase", "Available"));
    for (String s : List.of("daily-backup", "critical-backup", "postgres-backup")) {
      velero(KubernetesPlatformCheck.VELERO_SCHEDULE, s, Map.of("paused", false), Map.of("phase", "Enabled"));
    }
    veleroBackup("daily-backup-20240101020000", "Completed");
    veleroBackup("critical-backup-20240101060000", "PartiallyFailed");
    web.enqueue(new MockResponse.Builder().code(200).build());

    CheckResult result = check.checkBackups(backup());

    assertThat(result.ok()).isTrue();
    assertThat(result.evidence()).isEqualTo("BSL default Available; schedules 3 of 3 Enabled; MinIO live");
    assertThat(result.details()).contains("Velero: deployment velero/velero 1/1 ready",
        "Schedule daily-backup: Enabled");
    assertThat(result.details()).anyMatch(d -> d.startsWith("latest backup "));
    assertThat(web.takeRequest().getTarget()).isEqualTo("/minio/health/live");
  }

  @Test
  void unavailableLocationDisabledSchedulesAndMinioDown() {
    velero(KubernetesPlatformCheck.BACKUP_STORAGE_LOCATION, "default", Map.of(),
        Map.of("phase", "Unavailable",
            "message", "BackupStorageLocation \"default\" is unavailable: bucket not found"));
    velero(KubernetesPlatformCheck.VELERO_SCHEDULE, "daily-backup", Map.of("paused", true), Map.of("phase", "Enabled"));
    velero(KubernetesPlatformCheck.VELERO_SCHEDULE, "critical-backup", Map.of(), Map.of("phase", "New"));
    web.enqueue(new MockResponse.Builder().code(503).build());

    CheckResult result = check.checkBackups(backup());

    assertThat(result.ok()).isFalse();
    assertThat(result.evidence()).isEqualTo("Velero not installed; BSL default Unavailable; schedules 0 of 3 Enabled;"
        + " MinIO not live (503)");
    assertThat(result.details()).contains(
        "BackupStorageLocation velero/default: Unavailable — BackupStorageLocation \"default\" is unavailable:"
            + " bucket not found",
        "Schedule daily-backup: Enabled, paused",
        "Schedule critical-backup: New",
        "Schedule postgres-backup: missing",
        "latest backup: none");
  }

  @Test
  void latestBackupIsTheNewestByCreationTime() {
    veleroBackup("daily-backup-20240101020000", "Completed");
    veleroBackup("daily-backup-20240102020000", "InProgress");
    web.enqueue(new MockResponse.Builder().code(200).build());

    CheckResult result = check.checkBackups(backup());

    // The mock stamps creation times itself; within one second the name (with its timestamp) decides.
    assertThat(result.details()).anyMatch(d -> d.startsWith("latest backup daily-backup-20240102020000: InProgress"));
  }

  // ---------------------------------------------------------------------------------------------

  final Hpa hpa = new Hpa(new Hpa.MetricsServer("kube-system", "metrics-server", "v1beta1.metrics.k8s.io", true, List.of()),
      List.of(new Hpa.Autoscaler("trino-worker-hpa", "data-platform", "Deployment", "trino-worker", 2, 5, 70),
          new Hpa.Autoscaler("superset-hpa", "data-platform", "Deployment", "superset", 2, 4, 75)));

  @Test
  void metricsApiAvailableAndHpasReporting() {
    metricsApi("True", "Passed");
    hpa("trino-worker-hpa", "trino-worker", 2, 5, true);
    hpa("superset-hpa", "superset", 2, 4, true);

    CheckResult result = check.checkAutoscaling(hpa);

    assertThat(result.ok()).isTrue();
    assertThat(result.evidence()).isEqualTo("metrics API Available; 2 of 2 HPAs reporting metrics");
  }

  @Test
  void metricsApiDownWrongBoundsAndMissingHpa() {
    metricsApi("False", "FailedDiscoveryCheck");
    hpa("trino-worker-hpa", "trino-worker", 1, 5, false);

    CheckResult result = check.checkAutoscaling(hpa);

    assertThat(result.ok()).isFalse();
    assertThat(result.evidence())
        .isEqualTo("metrics API not Available (FailedDiscoveryCheck); 0 of 2 HPAs reporting metrics");
    assertThat(result.details()).containsExactly(
        "APIService v1beta1.metrics.k8s.io: not Available (FailedDiscoveryCheck)",
        "HPA data-platform/trino-worker-hpa: replicas 1–5, config wants 2–5; no current metrics: ScalingActive False"
            + " (FailedGetResourceMetric): the HPA was unable to compute the replica count: failed to get cpu utilization:"
            + " unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server is"
            + " currently unable to handle the request (get pods.metrics.k8s.io)",
        "HPA data-platform/superset-hpa: missing");
  }

  @Test
  void noMetricsApiRegistered() {
    CheckResult result = check.checkAutoscaling(new Hpa(null, List.of()));

    assertThat(result.ok()).isFalse();
    assertThat(result.evidence()).isEqualTo("metrics API not registered; 0 of 0 HPAs reporting metrics");
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void healthyHarborAndEveryImageFromIt() throws Exception {
    web.enqueue(json(200, "{\"status\":\"healthy\",\"components\":[{\"name\":\"core\",\"status\":\"healthy\"}]}"));
    deployment("data-platform", "superset", 1, 1, "harbor.254carbon.local/254carbon/superset@sha256:aa");
    client.batch().v1().cronjobs().inNamespace("data-platform").resource(new CronJobBuilder()
        .withNewMetadata().withName("cleanup").withNamespace("data-platform").endMetadata()
        .withNewSpec().withSchedule("0 * * * *").withNewJobTemplate().withNewSpec().withNewTemplate()
        .withSpec(pod("harbor.254carbon.com/254carbon/curl:latest")).endTemplate().endSpec().endJobTemplate()
        .endSpec().build()).create();

    CheckResult result = check.checkImageMirroring(harbor(), List.of("data-platform", "monitoring"));

    assertThat(result.ok()).isTrue();
    assertThat(result.evidence()).isEqualTo("Harbor healthy; 2 of 2 workload images from harbor.254carbon.local");
    assertThat(web.takeRequest().getTarget()).isEqualTo("/api/v2.0/health");
  }

  @Test
  void unhealthyHarborAndImagesStillFromDockerHub() {
    web.enqueue(json(200, "{\"status\":\"unhealthy\",\"components\":[{\"name\":\"core\",\"status\":\"healthy\"},"
        + "{\"name\":\"database\",\"status\":\"unhealthy\",\"error\":\"dial tcp: password=planted-s3cret\"}]}"));
    deployment("data-platform", "superset", 1, 1, "apache/superset:4.0.1");
    statefulSet("data-platform", "minio", 1, 1);
    client.apps().daemonSets().inNamespace("monitoring").resource(new DaemonSetBuilder()
        .withNewMetadata().withName("promtail").withNamespace("monitoring").endMetadata()
        .withNewSpec().withNewTemplate().withSpec(pod("harbor.254carbon.local/254carbon/promtail:2.9.3"))
        .endTemplate().endSpec().build()).create();

    CheckResult result = check.checkImageMirroring(harbor(), List.of("data-platform", "monitoring"));

    assertThat(result.ok()).isFalse();
    assertThat(result.evidence()).isEqualTo("Harbor unhealthy (database); 1 of 4 workload images from"
        + " harbor.254carbon.local");
    assertThat(result.details()).contains("Harbor component database: unhealthy",
        "not from Harbor: apache/superset:4.0.1 (deployment data-platform/superset)",
        "not from Harbor: busybox:latest (statefulset data-platform/minio)");
    assertThat(String.join("\n", result.details())).doesNotContain("planted-s3cret");
  }

  // ---------------------------------------------------------------------------------------------

  final Ha ha = new Ha(List.of(new Ha.Worker("worker-node-1", Map.of()), new Ha.Worker("worker-node-2", Map.of()),
      new Ha.Worker("worker-node-3", Map.of())), "2h", "72h",
      new Ha.Postgres(Ha.PostgresMode.STATEFULSET, "data-platform", "postgres-shared", "postgres:15", 2, 5432,
          "postgres", null, "replicator", null, "postgres-shared-primary", "postgres-shared-standby", 16L, Map.of()),
      new Ha.MinioDistributed("data-platform", "minio-distributed", "minio-distributed-headless", 4, 1, "100Gi",
          null, "minio/minio", "minio", "minio-service"));

  @Test
  void workersStandbyAndDistributedMinio() {
    node("cp-1", true, true);
    node("worker-node-1", false, true);
    node("worker-node-2", false, true);
    node("worker-node-3", false, true);
    statefulSet("data-platform", "postgres-shared", 2, 2);
    statefulSet("data-platform", "minio-distributed", 4, 4);

    CheckResult result = check.checkHighAvailability(ha);

    assertThat(result.ok()).isTrue();
    assertThat(result.evidence()).isEqualTo("3 Ready worker nodes (need 3); PostgreSQL postgres-shared 2 of 2 ready;"
        + " MinIO minio-distributed 4 of 4 ready");
  }

  @Test
  void singleNodeSinglePostgresNoDistributedMinio() {
    node("cp-1", true, true);
    statefulSet("data-platform", "postgres-shared", 1, 1);

    CheckResult result = check.checkHighAvailability(ha);

    assertThat(result.ok()).isFalse();
    assertThat(result.evidence()).isEqualTo("0 Ready worker nodes (need 3); PostgreSQL postgres-shared 1 of 2 ready;"
        + " MinIO minio-distributed not deployed");
    assertThat(result.details()).contains("worker worker-node-1: not joined or not Ready");
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void missingConfigSectionsAreNotConfiguredNotErrors() {
    assertThat(List.of(check.checkMonitoring(null), check.checkSso(null, List.of()), check.checkBackups(null),
        check.checkAutoscaling(null), check.checkImageMirroring(null, List.of()), check.checkHighAvailability(null),
        check.checkNamespaces(List.of()), check.checkWorkloads(null)))
        .allSatisfy(r -> {
          assertThat(r.ok()).isFalse();
          assertThat(r.evidence()).isEqualTo("not configured");
        });
  }

  // ---------------------------------------------------------------------------------------------
  // fixtures: objects as a controller would have left them (the mock runs none)

  static final String ACCESS_AUTH_URL = "https://qagi.cloudflareaccess.com/cdn-cgi/access/authorize";

  static void node(String name, boolean controlPlane, boolean ready) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("kubernetes.io/hostname", name);
    if (controlPlane) {
      labels.put("node-role.kubernetes.io/control-plane", "");
    }
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .endStatus().build()).create();
  }

  static void namespace(String name) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewStatus().withPhase("Active").endStatus().build()).create();
  }

  static PodSpec pod(String image) {
    return new PodSpecBuilder().addNewContainer().withName("main").withImage(image).endContainer().build();
  }

  static void deployment(String ns, String name, int replicas, int ready, String image) {
    client.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewTemplate().withSpec(pod(image)).endTemplate().endSpec()
        .withNewStatus().withReplicas(replicas).withReadyReplicas(ready).endStatus().build()).create();
  }

  static void statefulSet(String ns, String name, int replicas, int ready) {
    PodSpec spec = new PodSpecBuilder(pod("minio/minio:RELEASE.2024-01-11T08-13-15Z"))
        .addNewInitContainer().withName("init").withImage("busybox:latest").endInitContainer().build();
    client.apps().statefulSets().inNamespace(ns).resource(new StatefulSetBuilder()
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewTemplate().withSpec(spec).endTemplate().endSpec()
        .withNewStatus().withReplicas(replicas).withReadyReplicas(ready).endStatus().build()).create();
  }

  static void endpoints(String ns, String name, int readyAddresses) {
    EndpointsBuilder endpoints = new EndpointsBuilder()
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata();
    var subset = endpoints.addNewSubset().addNewNotReadyAddress().withIp("10.244.0.99").endNotReadyAddress();
    for (int i = 0; i < readyAddresses; i++) {
      subset.addNewAddress().withIp("10.244.0." + (i + 10)).endAddress();
    }
    subset.endSubset();
    client.endpoints().inNamespace(ns).resource(endpoints.build()).create();
  }

  static void ingress(String ns, String name, String host, String authUrl) {
    Map<String, String> annotations = authUrl == null ? Map.of()
        : Map.of("nginx.ingress.kubernetes.io/auth-url", authUrl);
    client.network().v1().ingresses().inNamespace(ns).resource(new IngressBuilder()
        .withNewMetadata().withName(name).withNamespace(ns).withAnnotations(annotations).endMetadata()
        .withNewSpec().withIngressClassName("nginx").addNewRule().withHost(host).endRule().endSpec().build()).create();
  }

  static void serviceMonitor(String ns, String name) {
    client.genericKubernetesResources(KubernetesPlatformCheck.SERVICE_MONITOR).inNamespace(ns)
        .resource(new GenericKubernetesResourceBuilder().withApiVersion("monitoring.coreos.com/v1")
            .withKind("ServiceMonitor").withNewMetadata().withName(name).withNamespace(ns).endMetadata().build())
        .create();
  }

  static void dashboard(String ns, String name) {
    client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName(name)
        .withNamespace(ns).withLabels(Map.of("grafana_dashboard", "1")).endMetadata()
        .withData(Map.of(name + ".json", "{}")).build()).create();
  }

  static void velero(ResourceDefinitionContext type, String name, Map<String, Object> spec,
      Map<String, Object> status) {
    GenericKubernetesResource resource = new GenericKubernetesResourceBuilder()
        .withApiVersion("velero.io/v1").withKind(type.getKind())
        .withNewMetadata().withName(name).withNamespace("velero").endMetadata().build();
    resource.setAdditionalProperty("spec", spec);
    resource.setAdditionalProperty("status", status);
    client.genericKubernetesResources(type).inNamespace("velero").resource(resource).create();
  }

  static void veleroBackup(String name, String phase) {
    velero(KubernetesPlatformCheck.VELERO_BACKUP, name, Map.of("includedNamespaces", List.of("data-platform")),
        Map.of("phase", phase));
  }

  static void metricsApi(String status, String reason) {
    client.apiServices().resource(new APIServiceBuilder().withNewMetadata().withName("v1beta1.metrics.k8s.io")
        .endMetadata().withNewSpec().withGroup("metrics.k8s.io").withVersion("v1beta1").endSpec()
        .withNewStatus().addNewCondition().withType("Available").withStatus(status).withReason(reason).endCondition()
        .endStatus().build()).create();
  }

  static void hpa(String name, String target, int min, int max, boolean reporting) {
    var builder = new HorizontalPodAutoscalerBuilder()
        .withNewMetadata().withName(name).withNamespace("data-platform").endMetadata()
        .withNewSpec().withMinReplicas(min).withMaxReplicas(max)
        .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName(target).endScaleTargetRef()
        .endSpec();
    var status = builder.withNewStatus().withCurrentReplicas(min).withDesiredReplicas(min);
    // As kube-controller-manager's HPA controller writes it: without metrics it still lists one empty
    // entry per metric of the spec, and says why in ScalingActive.
    if (reporting) {
      status.addNewCurrentMetric().withType("Resource").withNewResource().withName("cpu").withNewCurrent()
          .withAverageUtilization(42).endCurrent().endResource().endCurrentMetric()
          .addNewCondition().withType("ScalingActive").withStatus("True").withReason("ValidMetricFound")
          .withMessage("the HPA was able to successfully calculate a replica count from cpu resource utilization")
          .endCondition();
    } else {
      status.addNewCurrentMetric().withType("").endCurrentMetric()
          .addNewCondition().withType("ScalingActive").withStatus("False").withReason("FailedGetResourceMetric")
          .withMessage("the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get"
              + " metrics for resource cpu: unable to fetch metrics from resource metrics API: the server is currently"
              + " unable to handle the request (get pods.metrics.k8s.io)")
          .endCondition();
    }
    status.endStatus();
    client.autoscaling().v2().horizontalPodAutoscalers().inNamespace("data-platform").resource(builder.build())
        .create();
  }

  static PlatformService service(String id, String ns, String host, String backend, List<String> workloads,
      boolean ssoIngress) {
    return new PlatformService(id, id, ns, host, List.of(), new PlatformService.Backend(backend, 8080), List.of(), null,
        null, ssoIngress, null, workloads, null);
  }

  static Monitoring monitoring(String url, int minTargets) {
    return new Monitoring("monitoring", "prometheus-operator-prometheus", 9090, url, minTargets, null);
  }

  Backup backup() {
    return new Backup("velero", new Backup.ObjectStore(web.url("/").toString(), "us-east-1", null, null),
        "254carbon-backups", true, new Backup.StorageLocation("default", "aws", "cluster-backups", Map.of(), null),
        null,
        List.of(new Backup.Schedule("daily-backup", "0 2 * * *", "720h", List.of(), Map.of()),
            new Backup.Schedule("critical-backup", "0 */6 * * *", "168h", List.of(), Map.of()),
            new Backup.Schedule("postgres-backup", "0 3 * * *", "168h", List.of(), Map.of())));
  }

  Harbor harbor() {
    return new Harbor("registry", web.url("/").toString(), "harbor.254carbon.local", List.of("harbor.254carbon.com"),
        "254carbon", "docker-mirror-robot", null, "harbor-credentials", List.of("data-platform"), 4);
  }

  static String targets(String... health) {
    StringBuilder json = new StringBuilder("{\"status\":\"success\",\"data\":{\"activeTargets\":[");
    for (int i = 0; i < health.length; i++) {
      json.append(i == 0 ? "" : ",").append("{\"labels\":{\"job\":\"job-").append(i).append("\"},\"scrapeUrl\":")
          .append("\"http://10.244.0.").append(i).append(":9090/metrics\",\"health\":\"").append(health[i])
          .append("\"}");
    }
    return json.append("],\"droppedTargets\":[]}}").toString();
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
  }
}
