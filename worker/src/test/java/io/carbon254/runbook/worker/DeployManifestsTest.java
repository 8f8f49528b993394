package io.carbon254.runbook.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.carbon254.runbook.engine.RunbookState;
import io.carbon254.runbook.sandbox.ControlPlane;
import io.carbon254.runbook.sandbox.KubernetesTools;
import io.carbon254.runbook.sandbox.TestCertificateAuthority;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.worker.MetricsType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker's Kubernetes deployment (deploy/base, deploy/overlays/254carbon) as an operator runs
 * it: rendered by kubectl's kustomize, applied with {@code kubectl apply -k} and strict field
 * validation to a real kube-apiserver (with prometheus-operator's CRDs), and read back. Its
 * security and availability properties, the copy of the platform configuration, and the metric
 * names its alerts and dashboard use are checked so that none can drift.
 */
class DeployManifestsTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path OVERLAY = ROOT.resolve("deploy/overlays/254carbon");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Namespaces the platform has and the worker's RBAC grants in (PLATFORM.md); the test cluster starts without them. */
  private static final List<String> PLATFORM_NAMESPACES = List.of("velero", "data-platform", "registry", "monitoring", "ingress-nginx");

  private static KubernetesTools tools;
  private static ControlPlane plane;
  private static KubernetesClient admin;
  private static Path kubeconfig;
  private static String rendered;
  private static List<JsonNode> documents;
  private static String firstApply;

  @BeforeAll
  static void renderAndApply() throws Exception {
    tools = KubernetesTools.require();
    Path kubectl = tools.requireKubectl();
    rendered = run(List.of(kubectl.toString(), "kustomize", OVERLAY.toString()));
    documents = new ArrayList<>();
    YAML.readerFor(JsonNode.class).readValues(rendered).forEachRemaining(d -> documents.add((JsonNode) d));

    plane = ControlPlane.start(tools, TestCertificateAuthority.generate(), ControlPlane.Options.defaults());
    admin = new KubernetesClientBuilder().withConfig(plane.adminConfig()).build();
    for (String namespace : PLATFORM_NAMESPACES) {
      admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .create();
    }
    kubeconfig = Files.createTempFile("runbook-deploy-kubeconfig", ".yaml");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: test, cluster: {server: "%s", certificate-authority-data: "%s"}}]
        users: [{name: admin, user: {token: "%s"}}]
        contexts: [{name: test, context: {cluster: test, user: admin}}]
        current-context: test
        """.formatted(plane.url(), java.util.Base64.getEncoder().encodeToString(
        plane.caPem().getBytes(StandardCharsets.US_ASCII)), plane.adminConfig().getOauthToken()));
    firstApply = kubectl("apply", "-k", OVERLAY.toString(), "--validate=strict");
  }

  @AfterAll
  static void stop() throws IOException {
    if (admin != null) {
      admin.close();
    }
    if (plane != null) {
      plane.close();
    }
    if (kubeconfig != null) {
      Files.deleteIfExists(kubeconfig);
    }
  }

  @Test
  void theOverlayAppliesWithStrictValidationAndASecondApplyChangesNothing() throws Exception {
    assertThat(firstApply).contains("deployment.apps/runbook-worker created",
        "poddisruptionbudget.policy/runbook-worker created", "service/runbook-worker created",
        "servicemonitor.monitoring.coreos.com/runbook-worker created",
        "prometheusrule.monitoring.coreos.com/runbook-worker created",
        "configmap/runbook-worker-dashboard created", "serviceaccount/runbook-worker created");
    assertThat(firstApply.lines()).as("every object of the rendered overlay")
        .hasSize(documents.size()).allMatch(line -> line.endsWith(" created"));

    Map<String, String> before = resourceVersions();
    kubectl("apply", "-k", OVERLAY.toString(), "--validate=strict");

    assertThat(resourceVersions()).as("resource versions after a second apply").isEqualTo(before);
  }

  @Test
  void strictValidationRefusesAMisspelledField() throws Exception {
    String typo = rendered.replace("readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true");
    Path file = Files.createTempFile("runbook-deploy-typo", ".yaml");
    try {
      Files.writeString(file, typo);
      Process process = new ProcessBuilder(tools.kubectl().toString(), "--kubeconfig", kubeconfig.toString(), "apply",
          "--dry-run=server", "--validate=strict", "-f", file.toString()).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor()).as(out).isNotZero();
      assertThat(out).contains("unknown field", "readOnlyRootFileSystem");
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void theWorkerRunsTwiceAsItsServiceAccountWithoutPrivilegeAndWithLimits() {
    Deployment deployment = admin.apps().deployments().inNamespace("runbook").withName("runbook-worker").get();
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container worker = pod.getContainers().get(0);

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(pod.getServiceAccountName()).isEqualTo("runbook-worker");
    assertThat(admin.serviceAccounts().inNamespace("runbook").withName("runbook-worker").get()).isNotNull();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(worker.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(worker.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(worker.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(worker.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(worker.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(worker.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(worker.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(worker.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(worker.getResources().getLimits()).containsKeys("cpu", "memory");
    // The JVM writes only to /tmp: an emptyDir, since the root file system is read-only.
    assertThat(worker.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/tmp")
        && pod.getVolumes().stream().anyMatch(v -> v.getName().equals(m.getName()) && v.getEmptyDir() != null));
    assertThat(pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
        .singleElement().satisfies(t -> assertThat(t.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
    assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();

    PodDisruptionBudget pdb = admin.policy().v1().podDisruptionBudget().inNamespace("runbook").withName("runbook-worker").get();
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void itsProbesAskHealthzOnThePortTheWorkerServesAndPrometheusScrapes() {
    Deployment deployment = admin.apps().deployments().inNamespace("runbook").withName("runbook-worker").get();
    Container worker = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    int port = Integer.parseInt(worker.getArgs().get(worker.getArgs().indexOf("--metrics-port") + 1));

    assertThat(worker.getArgs()).containsSequence("--metrics-address", "0.0.0.0");
    assertThat(worker.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("metrics");
      assertThat(p.getContainerPort()).isEqualTo(port);
    });
    for (Probe probe : List.of(worker.getStartupProbe(), worker.getReadinessProbe(), worker.getLivenessProbe())) {
      assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz");
      assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
    }

    Service service = admin.services().inNamespace("runbook").withName("runbook-worker").get();
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(service.getSpec().getSelector());
    GenericKubernetesResource monitor = admin.genericKubernetesResources("monitoring.coreos.com/v1", "ServiceMonitor")
        .inNamespace("runbook").withName("runbook-worker").get();
    assertThat(monitor.getMetadata().getLabels()).as("kube-prometheus-stack's Prometheus selects by its release")
        .containsEntry("release", "prometheus-operator");
    assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(monitor.<Map<String, String>>get("spec", "selector", "matchLabels"));
    assertThat(monitor.<List<Map<String, Object>>>get("spec", "endpoints")).singleElement()
        .satisfies(e -> assertThat(e).containsEntry("port", "metrics").containsEntry("path", "/metrics"));
    assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getName()).isEqualTo("metrics"));
  }

  @Test
  void itReadsThePlatformConfigurationAndTheTemporalOfTheCluster() throws IOException {
    assertThat(Files.readString(OVERLAY.resolve("254carbon.yaml")))
        .as("deploy/overlays/254carbon/254carbon.yaml is a copy of config/254carbon.yaml (kustomize reads only its"
            + " own folder): cp config/254carbon.yaml deploy/overlays/254carbon/")
        .isEqualTo(Files.readString(ROOT.resolve("config/254carbon.yaml")));
    Deployment deployment = admin.apps().deployments().inNamespace("runbook").withName("runbook-worker").get();
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container worker = pod.getContainers().get(0);
    Map<String, String> env = worker.getEnv().stream().collect(Collectors.toMap(e -> e.getName(), e -> e.getValue()));

    assertThat(env).containsEntry("TEMPORAL_ADDRESS", "temporal-frontend.temporal.svc.cluster.local:7233")
        .containsEntry("TEMPORAL_NAMESPACE", "default").containsKey("RUNBOOK_CONFIG");
    assertThat(worker.getImage()).startsWith("harbor.254carbon.com/254carbon/runbook-worker:").doesNotEndWith(":latest");
    String configMap = pod.getVolumes().stream().filter(v -> v.getConfigMap() != null).findFirst().orElseThrow()
        .getConfigMap().getName();
    String mountPath = worker.getVolumeMounts().stream().filter(m -> m.getName().equals("config")).findFirst().orElseThrow()
        .getMountPath();
    ConfigMap config = admin.configMaps().inNamespace("runbook").withName(configMap).get();
    String file = env.get("RUNBOOK_CONFIG");
    assertThat(file).startsWith(mountPath + "/");
    assertThat(config.getData().get(file.substring(mountPath.length() + 1)))
        .isEqualTo(Files.readString(ROOT.resolve("config/254carbon.yaml")));
  }

  @Test
  void deployRbacYamlIsTheBasesRbac() throws IOException {
    assertThat(Files.isSameFile(ROOT.resolve("deploy/rbac.yaml"), ROOT.resolve("deploy/base/rbac.yaml"))).isTrue();
    assertThat(admin.rbac().roles().inNamespace("velero").withName("runbook-worker").get()).as("a Role keeps its namespace")
        .isNotNull();
  }

  @Test
  void theDashboardIsLoadedByGrafanasSidecar() throws IOException {
    ConfigMap dashboard = admin.configMaps().inNamespace("monitoring").withName("runbook-worker-dashboard").get();

    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    JsonNode json = JSON.readTree(dashboard.getData().get("runbook-worker.json"));
    assertThat(json.path("uid").asText()).isEqualTo("runbook-worker");
    assertThat(json.path("panels")).isNotEmpty();
  }

  /**
   * Every metric the alerts and the dashboard name is one the worker exports: the names the SDK
   * and the engine report, through the worker's own reporter chain (tally, Micrometer, Prometheus
   * naming), and the worker's waiting-runs gauges.
   */
  @Test
  void theAlertsAndTheDashboardUseOnlyMetricsTheWorkerExports() throws Exception {
    Set<String> used = new TreeSet<>();
    for (JsonNode doc : documents) {
      if (doc.path("kind").asText().equals("PrometheusRule")) {
        doc.path("spec").path("groups").forEach(g -> g.path("rules").forEach(r -> used.addAll(metrics(r.path("expr").asText()))));
      }
      if (doc.path("metadata").path("name").asText().equals("runbook-worker-dashboard")) {
        used.addAll(metrics(doc.path("data").path("runbook-worker.json").asText()));
      }
    }
    assertThat(used).contains("runbook_waiting_for_person_seconds", "runbook_gate_deadline_remaining_seconds",
        "temporal_num_pollers", "runbook_steps_total");

    assertThat(exported()).containsAll(used);
  }

  @Test
  void theAlertsAreThoseTheBriefAsksFor() {
    JsonNode rule = documents.stream().filter(d -> d.path("kind").asText().equals("PrometheusRule")).findFirst().orElseThrow();
    List<String> alerts = new ArrayList<>();
    rule.path("spec").path("groups").forEach(g -> g.path("rules").forEach(r -> alerts.add(r.path("alert").asText())));

    assertThat(alerts).contains("RunbookWaitingForPersonOverAnHour", "RunbookGateNearDeadline", "RunbookNoWorkerPolling");
    assertThat(rule.path("metadata").path("labels").path("release").asText()).isEqualTo("prometheus-operator");
  }

  private static Map<String, String> resourceVersions() throws Exception {
    Map<String, String> versions = new java.util.TreeMap<>();
    for (String line : kubectl("get", "-k", OVERLAY.toString(), "-o",
        "jsonpath={range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name}={.metadata.resourceVersion}{\"\\n\"}{end}")
        .lines().toList()) {
      String[] kv = line.split("=", 2);
      versions.put(kv[0], kv[1]);
    }
    assertThat(versions).hasSize(documents.size());
    return versions;
  }

  private static Set<String> metrics(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("\\b((?:runbook|temporal)_[a-z0-9_]+)\\b").matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The metric names of a scrape of what the worker reports, as RunbookWorker wires it. */
  private static Set<String> exported() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Scope root = new RootScopeBuilder().reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(com.uber.m3.util.Duration.ofSeconds(3600));
    Scope worker = root.tagged(Map.of("namespace", "default", "task_queue", "runbooks", "worker_type", "WorkflowWorker"));
    worker.tagged(Map.of("poller_type", "workflow_task")).gauge(MetricsType.NUM_POLLERS).update(1);
    worker.gauge(MetricsType.WORKER_TASK_SLOTS_AVAILABLE).update(100);
    worker.tagged(Map.of("activity_type", "EnsureBucket")).counter(MetricsType.ACTIVITY_EXEC_FAILED_COUNTER).inc(1);
    // The engine's names (workflows: engine/Visibility countStep, recordGateWait).
    root.tagged(Map.of("runbook", "r", "step", "s", "outcome", "SUCCEEDED")).counter("runbook_steps_total").inc(1);
    root.tagged(Map.of("runbook", "r", "gate", "g", "outcome", "APPROVED")).timer("runbook_gate_wait")
        .record(com.uber.m3.util.Duration.ofSeconds(5));
    Instant now = Instant.parse("2026-03-01T12:00:00Z");
    try (WaitingRunsMetrics waiting = new WaitingRunsMetrics(registry, () -> List.of(WaitingRunsMetricsTest.status("r", "w",
        RunbookState.AWAITING_APPROVAL, WaitingRunsMetricsTest.gate("g", "2026-03-01T11:00:00Z", "2026-03-01T13:00:00Z"),
        null, List.of(), List.of())), Clock.fixed(now, ZoneOffset.UTC))) {
      waiting.refresh();
      root.close(); // reports what is pending (and closes the registry to new meters: so after the gauges)
      return Arrays.stream(registry.scrape().split("\n")).filter(l -> !l.isBlank() && !l.startsWith("#"))
          .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static String kubectl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(tools.kubectl().toString(), "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  private static String run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
    }
    return out;
  }
}
