package io.carbon254.runbook.sandbox;

import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.config.Ha;
import io.carbon254.runbook.config.Harbor;
import io.carbon254.runbook.config.Hpa;
import io.carbon254.runbook.config.Monitoring;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.config.PlatformService;
import io.carbon254.runbook.config.SecretRef;
import io.carbon254.runbook.config.Sso;
import io.fabric8.kubernetes.api.model.APIServiceBuilder;
import io.fabric8.kubernetes.api.model.APIServiceConditionBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the 254Carbon platform, as the status report describes it before the remaining tasks,
 * into an empty API server: everything installed and ready, SSO phase 3 not applied, Velero's
 * storage location unavailable (no bucket), no schedules, metrics API unavailable (metrics-server
 * lacks {@code --kubelet-insecure-tls}), the older HPA manifests applied ({@link #OLDER_AUTOSCALERS}:
 * not reporting metrics), one control-plane node.
 *
 * <p>On fabric8's mock it writes what controllers would have written (workload statuses,
 * Endpoints, permissive CRDs). On a real API server the CRDs are the operators' own (installed by
 * the {@link ControlPlane}), workloads get no status (the controllers and the
 * {@link KubeletSimulator} roll them out: {@link #awaitRollouts}), Endpoints come from ready pods,
 * statuses the server drops on create go through {@code /status}, HPA statuses come from the real
 * HPA controller, and there is no metrics APIService: an aggregated API that does not answer
 * blocks namespace deletion on a real control plane (the {@link MetricsServerSimulator} registers
 * it once metrics-server is healthy).
 */
final class PlatformSeeder {

  private static final Logger log = LoggerFactory.getLogger(PlatformSeeder.class);

  /** The single control-plane node and its address. */
  static final String CONTROL_PLANE_NODE = "cp-1";

  static final String CONTROL_PLANE_IP = "192.168.1.10";
  static final String KUBELET_VERSION = "v1.28.4";

  /**
   * The HPA manifests applied before the status report (PLATFORM.md: "manifests elsewhere"): name →
   * target, min, max, CPU utilization. Each is seeded in its target's namespace when the config's
   * autoscalers name that target.
   */
  record OlderAutoscaler(String name, String targetName, int minReplicas, int maxReplicas, int cpuUtilization) {}

  static final List<OlderAutoscaler> OLDER_AUTOSCALERS = List.of(
      new OlderAutoscaler("trino-worker-hpa", "trino-worker", 1, 5, 75),
      new OlderAutoscaler("superset-worker-hpa", "superset", 1, 4, 75));

  private final PlatformConfig config;
  private final KubernetesClient client;
  private final TestCertificateAuthority ca;
  private final boolean real;
  private final Set<String> seeded = new HashSet<>();
  private final List<HasMetadata> workloads = new ArrayList<>();
  private int nextPodIp = 50;
  private int nextClusterIp = 10;

  PlatformSeeder(PlatformConfig config, KubernetesClient client, TestCertificateAuthority ca, boolean real) {
    this.config = config;
    this.client = client;
    this.ca = ca;
    this.real = real;
  }

  void seed() {
    if (!real) {
      customResourceDefinitions();
    }
    namespaces();
    controlPlane();
    platformServices();
    monitoring();
    velero();
    metricsServer();
    harbor();
    dataServices();
    infrastructure();
    autoscalerTargets();
    olderAutoscalers();
    log.info("sandbox platform seeded: {} objects", seeded.size());
  }

  /** On a real API server: until every seeded workload is rolled out (all replicas ready), at most {@code patience}. */
  void awaitRollouts(Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    List<String> waiting = List.of();
    while (System.nanoTime() < deadline) {
      waiting = new ArrayList<>();
      for (HasMetadata w : workloads) {
        HasMetadata current = client.resource(w).get();
        boolean ready = current instanceof Deployment d ? WorkloadStatus.isReady(d)
            : current instanceof StatefulSet st ? WorkloadStatus.isReady(st)
            : current instanceof DaemonSet ds && WorkloadStatus.isReady(ds);
        if (!ready) {
          waiting.add(w.getKind() + " " + w.getMetadata().getNamespace() + "/" + w.getMetadata().getName());
        }
      }
      if (waiting.isEmpty()) {
        log.info("sandbox platform rolled out: {} workloads ready", workloads.size());
        return;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
    }
    throw new IllegalStateException("the sandbox platform did not roll out within " + patience.toSeconds() + " s: "
        + waiting.size() + " workloads not ready, e.g. " + waiting.subList(0, Math.min(5, waiting.size())));
  }

  // ---------------------------------------------------------------- CRDs and namespaces

  private void customResourceDefinitions() {
    for (ResourceDefinitionContext ctx : SandboxResources.CUSTOM_RESOURCES) {
      // As the operators' own CRDs: Velero's have no status subresource (status is written with the object).
      boolean statusSubresource = !"velero.io".equals(ctx.getGroup());
      CustomResourceDefinition crd =
          new CustomResourceDefinitionBuilder()
              .withNewMetadata()
              .withName(ctx.getPlural() + "." + ctx.getGroup())
              .endMetadata()
              .withNewSpec()
              .withGroup(ctx.getGroup())
              .withScope(ctx.isNamespaceScoped() ? "Namespaced" : "Cluster")
              .withNewNames()
              .withKind(ctx.getKind())
              .withPlural(ctx.getPlural())
              .withSingular(ctx.getKind().toLowerCase(Locale.ROOT))
              .withListKind(ctx.getKind() + "List")
              .endNames()
              .addNewVersion()
              .withName(ctx.getVersion())
              .withServed(true)
              .withStorage(true)
              .withSubresources(statusSubresource
                  ? new io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceSubresourcesBuilder().withNewStatus().endStatus().build()
                  : null)
              .withNewSchema()
              .withOpenAPIV3Schema(
                  new JSONSchemaPropsBuilder().withType("object").withXKubernetesPreserveUnknownFields(true).build())
              .endSchema()
              .endVersion()
              .endSpec()
              .build();
      if (mark(crd)) {
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      }
    }
  }

  private void namespaces() {
    Set<String> names = new LinkedHashSet<>(List.of("default", "kube-system", "kube-public", "kube-node-lease"));
    names.addAll(config.namespaces());
    config.services().forEach(s -> names.add(s.namespace()));
    if (config.monitoring() != null) {
      names.add(config.monitoring().namespace());
    }
    if (config.backup() != null) {
      names.add(config.backup().veleroNamespace());
    }
    if (config.harbor() != null) {
      names.add(config.harbor().namespace());
    }
    if (config.ha() != null && config.ha().postgres() != null) {
      names.add(config.ha().postgres().namespace());
    }
    if (config.ha() != null && config.ha().minio() != null) {
      names.add(config.ha().minio().namespace());
    }
    if (config.hpa() != null && config.hpa().metricsServer() != null) {
      names.add(config.hpa().metricsServer().namespace());
    }
    if (tunnel() != null) {
      names.add(tunnel().namespace());
    }
    names.removeIf(n -> n == null || n.isBlank());
    for (String name : names) {
      create(
          new NamespaceBuilder()
              .withNewMetadata()
              .withName(name)
              .addToLabels("kubernetes.io/metadata.name", name)
              .endMetadata()
              .withNewStatus()
              .withPhase("Active")
              .endStatus()
              .build());
    }
  }

  // ---------------------------------------------------------------- control plane

  private void controlPlane() {
    String now = Instant.now().toString();
    create(
        new NodeBuilder()
            .withNewMetadata()
            .withName(CONTROL_PLANE_NODE)
            .addToLabels("kubernetes.io/hostname", CONTROL_PLANE_NODE)
            .addToLabels("kubernetes.io/os", "linux")
            .addToLabels("kubernetes.io/arch", "amd64")
            .addToLabels("node-role.kubernetes.io/control-plane", "")
            .addToLabels("node.kubernetes.io/exclude-from-external-load-balancers", "")
            .endMetadata()
            .withNewSpec()
            .withPodCIDR("10.244.0.0/24")
            .endSpec()
            .withNewStatus()
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .withReason("KubeletReady")
            .withMessage("kubelet is posting ready status")
            .withLastHeartbeatTime(now)
            .withLastTransitionTime(now)
            .endCondition()
            .addNewCondition()
            .withType("MemoryPressure")
            .withStatus("False")
            .withReason("KubeletHasSufficientMemory")
            .endCondition()
            .addNewCondition()
            .withType("DiskPressure")
            .withStatus("False")
            .withReason("KubeletHasNoDiskPressure")
            .endCondition()
            .addNewAddress()
            .withType("InternalIP")
            .withAddress(CONTROL_PLANE_IP)
            .endAddress()
            .addNewAddress()
            .withType("Hostname")
            .withAddress(CONTROL_PLANE_NODE)
            .endAddress()
            .addToCapacity("cpu", new Quantity("16"))
            .addToCapacity("memory", new Quantity("64Gi"))
            .addToCapacity("pods", new Quantity("110"))
            .addToAllocatable("cpu", new Quantity("16"))
            .addToAllocatable("memory", new Quantity("63Gi"))
            .addToAllocatable("pods", new Quantity("110"))
            .withNewNodeInfo()
            .withKubeletVersion(KUBELET_VERSION)
            .withKubeProxyVersion(KUBELET_VERSION)
            .withContainerRuntimeVersion("containerd://1.7.2")
            .withOperatingSystem("linux")
            .withArchitecture("amd64")
            .withOsImage("Ubuntu 22.04.3 LTS")
            .withKernelVersion("5.15.0-88-generic")
            .withMachineID("0f5e2a6b8c9d4e3f8a7b6c5d4e3f2a1b")
            .withSystemUUID("4c4c4544-0042-3010-8052-b2c04f4e3232")
            .withBootID("8e1d2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6")
            .endNodeInfo()
            .endStatus()
            .build());

    String endpoint = controlPlaneEndpoint();
    String kubeconfig =
        "apiVersion: v1\n"
            + "clusters:\n"
            + "- cluster:\n"
            + "    certificate-authority-data: " + base64(ca.pem()) + "\n"
            + "    server: https://" + endpoint + "\n"
            + "  name: \"\"\n"
            + "contexts: null\n"
            + "current-context: \"\"\n"
            + "kind: Config\n"
            + "preferences: {}\n"
            + "users: null\n";
    create(
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("cluster-info")
            .withNamespace("kube-public")
            .endMetadata()
            .addToData("kubeconfig", kubeconfig)
            .build());

    String clusterName = config.cluster() != null && config.cluster().clusterName() != null
        ? config.cluster().clusterName()
        : "kubernetes";
    String podCidr = config.cluster() != null && config.cluster().podCidr() != null ? config.cluster().podCidr() : "10.244.0.0/16";
    String serviceCidr =
        config.cluster() != null && config.cluster().serviceCidr() != null ? config.cluster().serviceCidr() : "10.96.0.0/12";
    String clusterConfiguration =
        "apiServer:\n"
            + "  extraArgs:\n"
            + "    authorization-mode: Node,RBAC\n"
            + "  timeoutForControlPlane: 4m0s\n"
            + "apiVersion: kubeadm.k8s.io/v1beta3\n"
            + "certificatesDir: /etc/kubernetes/pki\n"
            + "clusterName: " + clusterName + "\n"
            + "controlPlaneEndpoint: " + endpoint + "\n"
            + "controllerManager: {}\n"
            + "dns: {}\n"
            + "etcd:\n"
            + "  local:\n"
            + "    dataDir: /var/lib/etcd\n"
            + "imageRepository: registry.k8s.io\n"
            + "kind: ClusterConfiguration\n"
            + "kubernetesVersion: " + KUBELET_VERSION + "\n"
            + "networking:\n"
            + "  dnsDomain: cluster.local\n"
            + "  podSubnet: " + podCidr + "\n"
            + "  serviceSubnet: " + serviceCidr + "\n"
            + "scheduler: {}\n";
    create(
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("kubeadm-config")
            .withNamespace("kube-system")
            .endMetadata()
            .addToData("ClusterConfiguration", clusterConfiguration)
            .build());
  }

  private String controlPlaneEndpoint() {
    if (config.cluster() != null && config.cluster().controlPlaneEndpoint() != null) {
      return config.cluster().controlPlaneEndpoint();
    }
    return CONTROL_PLANE_IP + ":6443";
  }

  // ---------------------------------------------------------------- the web services

  private void platformServices() {
    for (PlatformService s : config.services()) {
      String ns = s.namespace();
      List<String> workloads = new ArrayList<>(s.workloads());
      if (workloads.isEmpty()) {
        workloads.add(Images.defaultWorkloadFor(s.backend().service()));
      }
      for (String ref : workloads) {
        workload(ns, ref);
      }
      String backendApp = workloadName(workloads.get(0));
      service(ns, s.backend().service(), backendApp, port("http", s.backend().port()));
      for (PlatformService.PathRoute route : s.paths()) {
        String app = route.service();
        workload(ns, Images.defaultWorkloadFor(route.service()));
        service(ns, route.service(), workloadName(Images.defaultWorkloadFor(app)), port("http", route.port()));
      }
      ingress(s);
      serviceAuthConfig(s);
    }
  }

  /**
   * The service-side auth ConfigMaps as the old phase 3 script left them (PLATFORM.md): Grafana's
   * {@code auth.proxy} trusting {@code CF_Access-User} while its ingress is to pass
   * {@code X-WEBAUTH-*} (the mismatch sso-integration's preflight reports), Superset's remote-user
   * configuration, which no Deployment mounts.
   */
  private void serviceAuthConfig(PlatformService s) {
    PlatformService.ServiceAuth auth = s.serviceAuth();
    if (auth == null || auth.kind() == null || auth.configMap() == null) {
      return;
    }
    switch (auth.kind()) {
      case GRAFANA_AUTH_PROXY -> grafanaConfig(s.namespace(), auth.configMap());
      case SUPERSET_REMOTE_USER -> create(
          new ConfigMapBuilder()
              .withNewMetadata()
              .withName(auth.configMap())
              .withNamespace(s.namespace())
              .addToLabels("app", s.id())
              .endMetadata()
              .addToData(
                  "superset_config.py",
                  "# Superset behind Cloudflare Access: the user Access authenticated, from the CF_Access-User header.\n"
                      + "AUTH_TYPE = 3  # AUTH_REMOTE_USER\n"
                      + "AUTH_REMOTE_USER_ENV_VAR = \"HTTP_CF_ACCESS_USER\"\n"
                      + "AUTH_USER_REGISTRATION = True\n"
                      + "AUTH_USER_REGISTRATION_ROLE = \"Gamma\"\n"
                      + "ENABLE_PROXY_FIX = True\n")
              .build());
    }
  }

  /** {@code grafana.ini} of the old phase 3 script: login form off, anonymous and basic off, auth.proxy on {@code CF_Access-User}. */
  private void grafanaConfig(String namespace, String name) {
    create(
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .addToLabels("app", "grafana")
            .endMetadata()
            .addToData(
                "grafana.ini",
                "[server]\nroot_url = https://grafana." + baseDomain() + "\n\n"
                    + "[auth]\ndisable_login_form = true\n\n"
                    + "[auth.anonymous]\nenabled = false\n\n"
                    + "[auth.basic]\nenabled = false\n\n"
                    + "[auth.proxy]\nenabled = true\nheader_name = CF_Access-User\nauto_sign_up = true\n\n"
                    + "[security]\nadmin_user = admin\n")
            .build());
  }

  private void ingress(PlatformService s) {
    String ingressClass = config.cluster() != null && config.cluster().ingressClass() != null
        ? config.cluster().ingressClass()
        : "nginx";
    List<String> hosts = new ArrayList<>();
    hosts.add(s.host());
    hosts.addAll(s.aliases());
    List<IngressRule> rules = new ArrayList<>();
    for (String host : hosts) {
      IngressRuleBuilder rule = new IngressRuleBuilder().withHost(host);
      var http = rule.withNewHttp();
      for (PlatformService.PathRoute route : s.paths()) {
        http.addToPaths(
            new HTTPIngressPathBuilder()
                .withPath(route.path())
                .withPathType("Prefix")
                .withNewBackend()
                .withNewService()
                .withName(route.service())
                .withNewPort()
                .withNumber(route.port())
                .endPort()
                .endService()
                .endBackend()
                .build());
      }
      http.addToPaths(
          new HTTPIngressPathBuilder()
              .withPath("/")
              .withPathType("Prefix")
              .withNewBackend()
              .withNewService()
              .withName(s.backend().service())
              .withNewPort()
              .withNumber(s.backend().port())
              .endPort()
              .endService()
              .endBackend()
              .build());
      http.endHttp();
      rules.add(rule.build());
    }
    create(
        new IngressBuilder()
            .withNewMetadata()
            .withName(s.id() + "-ingress")
            .withNamespace(s.namespace())
            .addToLabels("app.kubernetes.io/part-of", "254carbon")
            .addToLabels("app", s.id())
            .addToAnnotations("nginx.ingress.kubernetes.io/ssl-redirect", "true")
            .addToAnnotations("nginx.ingress.kubernetes.io/force-ssl-redirect", "true")
            .addToAnnotations("cert-manager.io/cluster-issuer", "letsencrypt-prod")
            .endMetadata()
            .withNewSpec()
            .withIngressClassName(ingressClass)
            .addNewTl()
            .withHosts(hosts)
            .withSecretName(s.id() + "-tls")
            .endTl()
            .withRules(rules)
            .endSpec()
            .withNewStatus()
            .withNewLoadBalancer()
            .addNewIngress()
            .withIp(CONTROL_PLANE_IP)
            .endIngress()
            .endLoadBalancer()
            .endStatus()
            .build());
  }

  // ---------------------------------------------------------------- monitoring

  private void monitoring() {
    Monitoring m = config.monitoring();
    String ns = m != null && m.namespace() != null ? m.namespace() : "monitoring";
    String prometheusService = m != null && m.prometheusService() != null ? m.prometheusService() : "prometheus-operated";
    int prometheusPort = m != null && m.prometheusPort() != null ? m.prometheusPort() : 9090;

    String prometheus = "prometheus-" + prometheusService;
    statefulSet(ns, prometheus, Images.of("prometheus"), 1, List.of(
        "--web.console.templates=/etc/prometheus/consoles", "--storage.tsdb.retention.time=10d",
        "--config.file=/etc/prometheus/config_out/prometheus.env.yaml"));
    service(ns, prometheusService, prometheus, port("http-web", prometheusPort));
    service(ns, "prometheus-operated", prometheus, port("http-web", 9090));
    deployment(ns, "prometheus-operator", "quay.io/prometheus-operator/prometheus-operator:v0.70.0", 1, List.of());
    statefulSet(ns, "alertmanager", Images.of("alertmanager"), 1, List.of());
    service(ns, "alertmanager", "alertmanager", port("http-web", 9093));
    statefulSet(ns, "loki", Images.of("loki"), 1, List.of("-config.file=/etc/loki/loki.yaml"));
    service(ns, "loki", "loki", port("http-metrics", 3100));
    daemonSet(ns, "promtail", Images.of("promtail"));
    daemonSet(ns, "node-exporter", "quay.io/prometheus/node-exporter:v1.7.0");
    deployment(ns, "kube-state-metrics", "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.10.1", 1, List.of());
    service(ns, "kube-state-metrics", "kube-state-metrics", port("http", 8080));
    // Grafana itself comes from the services list; make sure it exists even when the list omits it.
    workload(ns, "deployment/grafana");

    grafanaConfig(ns, "grafana-config");

    for (String dashboard :
        List.of("kubernetes-cluster", "data-platform-overview", "trino", "minio", "postgresql", "velero-backups")) {
      create(
          new ConfigMapBuilder()
              .withNewMetadata()
              .withName("grafana-dashboard-" + dashboard)
              .withNamespace(ns)
              .addToLabels("grafana_dashboard", "1")
              .addToLabels("app.kubernetes.io/part-of", "254carbon")
              .endMetadata()
              .addToData(
                  dashboard + ".json",
                  "{\"uid\":\"" + dashboard + "\",\"title\":\"254Carbon / " + dashboard
                      + "\",\"schemaVersion\":38,\"panels\":[]}")
              .build());
    }

    for (PrometheusFake.Job job : PrometheusFake.JOBS) {
      createCustom(
          SandboxResources.SERVICE_MONITOR,
          new GenericKubernetesResourceBuilder()
              .withApiVersion("monitoring.coreos.com/v1")
              .withKind("ServiceMonitor")
              .withMetadata(
                  new ObjectMetaBuilder()
                      .withName(job.name())
                      .withNamespace(ns)
                      .addToLabels("release", "prometheus-operator")
                      .build())
              .addToAdditionalProperties(
                  "spec",
                  Map.of(
                      "jobLabel", "app",
                      "selector", Map.of("matchLabels", Map.of("app", job.service())),
                      "namespaceSelector", Map.of("matchNames", List.of(job.namespace())),
                      "endpoints", List.of(Map.of("port", "http-metrics", "interval", "30s", "scheme", job.scheme()))))
              .build());
    }
  }

  // ---------------------------------------------------------------- Velero

  private void velero() {
    Backup b = config.backup();
    if (b == null) {
      return;
    }
    String ns = b.veleroNamespace();
    deployment(ns, "velero", Images.of("velero"), 1, List.of("server", "--uploader-type=kopia"));
    daemonSet(ns, "node-agent", Images.of("velero"));
    Backup.StorageLocation sl = b.storageLocation();
    if (sl == null) {
      return;
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("provider", sl.provider());
    Map<String, Object> objectStorage = new LinkedHashMap<>();
    objectStorage.put("bucket", b.bucket());
    if (sl.prefix() != null) {
      objectStorage.put("prefix", sl.prefix());
    }
    spec.put("objectStorage", objectStorage);
    spec.put("config", sl.config());
    if (sl.credential() != null) {
      spec.put("credential", Map.of("name", sl.credential().name(), "key", sl.credential().key()));
    }
    spec.put("default", true);
    spec.put("accessMode", "ReadWrite");
    String message =
        "BackupStorageLocation \"" + sl.name() + "\" is unavailable: rpc error: code = Unknown desc = "
            + "NoSuchBucket: The specified bucket does not exist\n\tstatus code: 404, request id: "
            + "17A9C3B0F2E4D6A1, host id: dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8";
    createCustom(
        SandboxResources.BACKUP_STORAGE_LOCATION,
        new GenericKubernetesResourceBuilder()
            .withApiVersion("velero.io/v1")
            .withKind("BackupStorageLocation")
            .withMetadata(
                new ObjectMetaBuilder()
                    .withName(sl.name())
                    .withNamespace(ns)
                    .addToLabels("component", "velero")
                    .build())
            .addToAdditionalProperties("spec", spec)
            .addToAdditionalProperties(
                "status",
                Map.of(
                    "phase", "Unavailable",
                    "message", message,
                    "lastValidationTime", Instant.now().toString()))
            .build());
  }

  // ---------------------------------------------------------------- metrics-server

  private void metricsServer() {
    Hpa hpa = config.hpa();
    if (hpa == null || hpa.metricsServer() == null) {
      return;
    }
    Hpa.MetricsServer ms = hpa.metricsServer();
    deployment(
        ms.namespace(),
        ms.deployment(),
        Images.of("metrics-server"),
        1,
        List.of(
            "--cert-dir=/tmp",
            "--secure-port=4443",
            "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
            "--kubelet-use-node-status-port",
            "--metric-resolution=15s"));
    String clusterIp = service(ms.namespace(), ms.deployment(), ms.deployment(), port("https", 443));
    String[] groupVersion = apiServiceGroupVersion(ms.apiService());
    String now = Instant.now().toString();
    var apiService =
        new APIServiceBuilder()
            .withNewMetadata()
            .withName(ms.apiService())
            .addToLabels("k8s-app", "metrics-server")
            .endMetadata()
            .withNewSpec()
            .withGroup(groupVersion[1])
            .withVersion(groupVersion[0])
            .withGroupPriorityMinimum(100)
            .withVersionPriority(100)
            .withInsecureSkipTLSVerify(true)
            .withNewService()
            .withName(ms.deployment())
            .withNamespace(ms.namespace())
            .withPort(443)
            .endService()
            .endSpec()
            .withNewStatus()
            .addNewCondition()
            .withType("Available")
            .withStatus("False")
            .withReason("FailedDiscoveryCheck")
            .withMessage(
                "failing or missing response from https://" + clusterIp + ":443/apis/" + groupVersion[1] + "/"
                    + groupVersion[0] + ": Get \"https://" + clusterIp + ":443/apis/" + groupVersion[1] + "/"
                    + groupVersion[0] + "\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
            .withLastTransitionTime(now)
            .endCondition()
            .endStatus()
            .build();
    if (mark(apiService) && !real) {
      client.resource(apiService).create();
    }
  }

  /** {@code v1beta1.metrics.k8s.io} → [{@code v1beta1}, {@code metrics.k8s.io}]. */
  private static String[] apiServiceGroupVersion(String name) {
    int dot = name.indexOf('.');
    return dot < 0 ? new String[] {"v1", name} : new String[] {name.substring(0, dot), name.substring(dot + 1)};
  }

  // ---------------------------------------------------------------- Harbor

  private void harbor() {
    Harbor h = config.harbor();
    if (h == null) {
      return;
    }
    String ns = h.namespace();
    for (String name : List.of("harbor-core", "harbor-portal", "harbor-jobservice", "harbor-registry")) {
      deployment(ns, name, Images.of(name), 1, List.of());
    }
    for (String name : List.of("harbor-database", "harbor-redis", "harbor-trivy")) {
      statefulSet(ns, name, Images.of(name), 1, List.of());
    }
    service(ns, "harbor-core", "harbor-core", port("http", 80));
    service(ns, "harbor-portal", "harbor-portal", port("http", 80));
    service(ns, "harbor-registry", "harbor-registry", port("http", 5000));
    service(ns, "harbor", "harbor-core", port("http", 80));
    if (h.admin() != null) {
      secretFromRefs(Map.of(h.admin().username(), "admin", h.admin().password(), Sandbox.DEMO_HARBOR_ADMIN_PASSWORD));
    }
  }

  // ---------------------------------------------------------------- PostgreSQL and MinIO

  private void dataServices() {
    Ha ha = config.ha();
    if (ha != null && ha.postgres() != null) {
      Ha.Postgres pg = ha.postgres();
      int port = pg.port() == null ? 5432 : pg.port();
      String image = pg.image() == null ? "postgres:15" : pg.image();
      statefulSet(pg.namespace(), pg.name(), image, 1, List.of());
      service(pg.namespace(), pg.name(), pg.name(), port("postgresql", port));
      Map<SecretRef, String> values = new LinkedHashMap<>();
      if (pg.superuserPassword() != null) {
        values.put(pg.superuserPassword(), Sandbox.DEMO_POSTGRES_PASSWORD);
      }
      secretFromRefs(values);
      // The shared Secret as the platform has it, whatever the configured key is.
      secret(pg.namespace(), pg.name() + "-secret", Map.of(
          "postgres-password", Sandbox.DEMO_POSTGRES_PASSWORD,
          "username", pg.superuser() == null ? "postgres" : pg.superuser()));
    }
    if (ha != null && ha.minio() != null) {
      Ha.MinioDistributed m = ha.minio();
      String ns = m.namespace();
      String sts = m.standaloneStatefulSet() == null ? "minio" : m.standaloneStatefulSet();
      statefulSet(ns, sts, m.image() == null ? Images.of("minio") : m.image(), 1,
          List.of("server", "/data", "--console-address", ":9001"));
      String switchService = m.switchService() == null ? "minio-service" : m.switchService();
      service(ns, switchService, sts, port("api", 9000), port("console", 9001));
      service(ns, "minio-console", sts, port("console", 9001));
      headlessService(ns, "minio-headless", sts, port("api", 9000));
    }
    Backup b = config.backup();
    if (b != null && b.objectStore() != null) {
      Map<SecretRef, String> values = new LinkedHashMap<>();
      if (b.objectStore().accessKey() != null) {
        values.put(b.objectStore().accessKey(), Sandbox.DEMO_MINIO_ACCESS_KEY);
      }
      if (b.objectStore().secretKey() != null) {
        values.put(b.objectStore().secretKey(), Sandbox.DEMO_MINIO_SECRET_KEY);
      }
      secretFromRefs(values);
    }
  }

  // ---------------------------------------------------------------- the rest of the cluster

  private void infrastructure() {
    deployment("kube-system", "coredns", "registry.k8s.io/coredns/coredns:v1.10.1", 2, List.of("-conf", "/etc/coredns/Corefile"));
    service("kube-system", "kube-dns", "coredns", port("dns-tcp", 53));
    daemonSet("kube-system", "kube-proxy", "registry.k8s.io/kube-proxy:" + KUBELET_VERSION);
    daemonSet("kube-system", "kube-flannel-ds", "docker.io/flannel/flannel:v0.22.3");

    deployment("ingress-nginx", "ingress-nginx-controller", Images.of("ingress-nginx-controller"), 1,
        List.of("/nginx-ingress-controller", "--ingress-class=nginx", "--configmap=ingress-nginx/ingress-nginx-controller"));
    service("ingress-nginx", "ingress-nginx-controller", "ingress-nginx-controller", port("http", 80), port("https", 443));
    // The controller's ConfigMap (--configmap) as Helm installs it: headers with underscores are dropped.
    create(
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("ingress-nginx-controller")
            .withNamespace("ingress-nginx")
            .addToLabels("app.kubernetes.io/name", "ingress-nginx")
            .addToLabels("app.kubernetes.io/component", "controller")
            .endMetadata()
            .addToData("allow-snippet-annotations", "true")
            .addToData("use-forwarded-headers", "true")
            .build());
    deployment("cert-manager", "cert-manager", Images.of("cert-manager"), 1, List.of());
    deployment("cert-manager", "cert-manager-webhook", Images.of("cert-manager-webhook"), 1, List.of());
    deployment("cert-manager", "cert-manager-cainjector", Images.of("cert-manager-cainjector"), 1, List.of());
    Sso.Tunnel t = tunnel();
    if (t != null) {
      deployment(t.namespace(), t.deployment(), Images.of("cloudflared"),
          t.replicas() == null ? 2 : t.replicas(), List.of("tunnel", "--no-autoupdate", "run", t.name()));
    } else {
      deployment("cloudflare-tunnel", "cloudflared", Images.of("cloudflared"), 2, List.of("tunnel", "run"));
    }
    statefulSet("vault-prod", "vault", Images.of("vault"), 1, List.of("server"));
    service("vault-prod", "vault", "vault", port("http", 8200));

    String dp = "data-platform";
    deployment(dp, "trino-worker", Images.of("trino"), 1, List.of());
    statefulSet(dp, "dolphinscheduler-master", Images.of("dolphinscheduler-master"), 1, List.of());
    statefulSet(dp, "dolphinscheduler-worker", Images.of("dolphinscheduler-worker"), 1, List.of());
    statefulSet(dp, "redis", Images.of("redis"), 1, List.of());
    service(dp, "redis", "redis", port("redis", 6379));
    deployment(dp, "iceberg-rest", Images.of("iceberg-rest"), 1, List.of());
    deployment(dp, "spark-history", Images.of("spark"), 1, List.of());
  }

  private void autoscalerTargets() {
    if (config.hpa() == null) {
      return;
    }
    for (Hpa.Autoscaler a : config.hpa().autoscalers()) {
      String kind = a.targetKind() == null ? "deployment" : a.targetKind().toLowerCase(Locale.ROOT);
      workload(a.namespace(), kind + "/" + a.targetName());
    }
  }

  /** The older HPAs, on the config's targets; on the mock with the status the HPA controller writes while metrics are down. */
  private void olderAutoscalers() {
    if (config.hpa() == null) {
      return;
    }
    for (OlderAutoscaler older : OLDER_AUTOSCALERS) {
      Hpa.Autoscaler target = config.hpa().autoscalers().stream().filter(a -> older.targetName().equals(a.targetName()))
          .findFirst().orElse(null);
      if (target == null) {
        continue;
      }
      String kind = target.targetKind() == null ? "Deployment" : target.targetKind();
      HorizontalPodAutoscaler hpa = new HorizontalPodAutoscalerBuilder()
          .withNewMetadata()
          .withName(older.name())
          .withNamespace(target.namespace())
          .addToLabels("app", older.targetName())
          .addToLabels("app.kubernetes.io/part-of", "254carbon")
          .endMetadata()
          .withNewSpec()
          .withNewScaleTargetRef().withApiVersion("apps/v1").withKind(kind).withName(older.targetName()).endScaleTargetRef()
          .withMinReplicas(older.minReplicas())
          .withMaxReplicas(older.maxReplicas())
          .addNewMetric()
          .withType("Resource")
          .withNewResource().withName("cpu").withNewTarget().withType("Utilization").withAverageUtilization(older.cpuUtilization())
          .endTarget().endResource()
          .endMetric()
          .endSpec()
          .build();
      if (!mark(hpa)) {
        continue;
      }
      if (real) {
        client.resource(hpa).create(); // the real HPA controller writes its status
        continue;
      }
      hpa.getMetadata().setGeneration(1L);
      hpa.setStatus(HpaController.metricsUnavailable(1, "cpu"));
      hpa.getStatus().setObservedGeneration(1L);
      client.resource(hpa).create();
    }
  }

  // ---------------------------------------------------------------- building blocks

  private String baseDomain() {
    return config.baseDomain() == null ? "254carbon.com" : config.baseDomain();
  }

  private Sso.Tunnel tunnel() {
    return config.sso() == null ? null : config.sso().tunnel();
  }

  private static String workloadName(String ref) {
    int slash = ref.indexOf('/');
    return slash < 0 ? ref : ref.substring(slash + 1);
  }

  /** {@code deployment/x} or {@code statefulset/x}, image from {@link Images}. */
  private void workload(String namespace, String ref) {
    String name = workloadName(ref);
    String kind = ref.contains("/") ? ref.substring(0, ref.indexOf('/')).toLowerCase(Locale.ROOT) : "deployment";
    switch (kind) {
      case "statefulset" -> statefulSet(namespace, name, Images.of(name), 1, List.of());
      case "daemonset" -> daemonSet(namespace, name, Images.of(name));
      default -> deployment(namespace, name, Images.of(name), 1, List.of());
    }
  }

  private static ObjectMeta meta(String namespace, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(namespace)
        .addToLabels("app", name)
        .addToLabels("app.kubernetes.io/name", name)
        .addToLabels("app.kubernetes.io/part-of", "254carbon")
        .build();
  }

  private static PodTemplateSpec template(String name, String image, List<String> args) {
    Container container =
        new ContainerBuilder()
            .withName(name.length() > 63 ? name.substring(0, 63) : name)
            .withImage(image)
            .withImagePullPolicy("IfNotPresent")
            .withArgs(args)
            .withNewResources()
            .addToRequests("cpu", new Quantity("250m"))
            .addToRequests("memory", new Quantity("512Mi"))
            .addToLimits("memory", new Quantity("2Gi"))
            .endResources()
            .build();
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .withContainers(container)
        .endSpec()
        .build();
  }

  private void deployment(String namespace, String name, String image, int replicas, List<String> args) {
    Deployment d =
        new DeploymentBuilder()
            .withMetadata(meta(namespace, name))
            .withNewSpec()
            .withReplicas(replicas)
            .withNewSelector()
            .addToMatchLabels("app", name)
            .endSelector()
            .withTemplate(template(name, image, args))
            .endSpec()
            .build();
    if (mark(d)) {
      if (real) {
        workloads.add(client.resource(d).create());
        return;
      }
      d.getMetadata().setGeneration(1L);
      d.setStatus(WorkloadStatus.ready(d));
      client.resource(d).create();
    }
  }

  private void statefulSet(String namespace, String name, String image, int replicas, List<String> args) {
    StatefulSet s =
        new StatefulSetBuilder()
            .withMetadata(meta(namespace, name))
            .withNewSpec()
            .withReplicas(replicas)
            .withServiceName(name)
            .withNewSelector()
            .addToMatchLabels("app", name)
            .endSelector()
            .withTemplate(template(name, image, args))
            .endSpec()
            .build();
    if (mark(s)) {
      if (real) {
        workloads.add(client.resource(s).create());
        return;
      }
      s.getMetadata().setGeneration(1L);
      s.setStatus(WorkloadStatus.ready(s));
      client.resource(s).create();
    }
  }

  private void daemonSet(String namespace, String name, String image) {
    DaemonSet d =
        new DaemonSetBuilder()
            .withMetadata(meta(namespace, name))
            .withNewSpec()
            .withNewSelector()
            .addToMatchLabels("app", name)
            .endSelector()
            .withTemplate(template(name, image, List.of()))
            .endSpec()
            .build();
    if (mark(d)) {
      if (real) {
        workloads.add(client.resource(d).create());
        return;
      }
      d.getMetadata().setGeneration(1L);
      d.setStatus(WorkloadStatus.ready(d, 1));
      client.resource(d).create();
    }
  }

  private static ServicePort port(String name, Integer port) {
    int p = port == null ? 80 : port;
    return new ServicePortBuilder().withName(name).withPort(p).withProtocol("TCP").withNewTargetPort(p).build();
  }

  /** A ClusterIP Service selecting {@code app=<app>} and its Endpoints with one ready address; returns its cluster IP. */
  private String service(String namespace, String name, String app, ServicePort... ports) {
    String clusterIp = "10.96." + (nextClusterIp / 250) + "." + (nextClusterIp % 250 + 1);
    var svc =
        new ServiceBuilder()
            .withMetadata(meta(namespace, name))
            .withNewSpec()
            .withType("ClusterIP")
            .withClusterIP(clusterIp)
            .addToSelector("app", app)
            .withPorts(ports)
            .endSpec()
            .build();
    if (!mark(svc)) {
      return client.services().inNamespace(namespace).withName(name).get().getSpec().getClusterIP();
    }
    nextClusterIp++;
    client.resource(svc).create();
    endpoints(namespace, name, app, ports);
    return clusterIp;
  }

  private void headlessService(String namespace, String name, String app, ServicePort... ports) {
    var svc =
        new ServiceBuilder()
            .withMetadata(meta(namespace, name))
            .withNewSpec()
            .withClusterIP("None")
            .withPublishNotReadyAddresses(true)
            .addToSelector("app", app)
            .withPorts(ports)
            .endSpec()
            .build();
    if (mark(svc)) {
      client.resource(svc).create();
      endpoints(namespace, name, app, ports);
    }
  }

  private void endpoints(String namespace, String name, String app, ServicePort... ports) {
    if (real) {
      return; // the endpoints controller makes them from the ready pods
    }
    String ip = "10.244.0." + (nextPodIp++ % 250 + 2);
    var builder =
        new EndpointsBuilder()
            .withMetadata(meta(namespace, name))
            .addNewSubset()
            .addNewAddress()
            .withIp(ip)
            .withNodeName(CONTROL_PLANE_NODE)
            .withNewTargetRef()
            .withKind("Pod")
            .withNamespace(namespace)
            .withName(app + "-0")
            .endTargetRef()
            .endAddress();
    for (ServicePort p : ports) {
      builder.addNewPort().withName(p.getName()).withPort(p.getPort()).withProtocol("TCP").endPort();
    }
    var endpoints = builder.endSubset().build();
    if (mark(endpoints)) {
      client.resource(endpoints).create();
    }
  }

  /** Secrets for the Kubernetes references among {@code values}, grouped by Secret; env references are skipped. */
  private void secretFromRefs(Map<SecretRef, String> values) {
    Map<String, Map<String, String>> bySecret = new LinkedHashMap<>();
    values.forEach(
        (ref, value) -> {
          if (ref != null && !ref.isEnv() && ref.namespace() != null && ref.name() != null && ref.key() != null) {
            bySecret.computeIfAbsent(ref.namespace() + "/" + ref.name(), k -> new LinkedHashMap<>()).put(ref.key(), value);
          }
        });
    bySecret.forEach(
        (id, data) -> {
          String[] parts = id.split("/", 2);
          secret(parts[0], parts[1], data);
        });
  }

  /** An Opaque Secret; {@code data} is base64-encoded here because the CRUD mock drops {@code stringData}. */
  private void secret(String namespace, String name, Map<String, String> plain) {
    Map<String, String> data = new LinkedHashMap<>();
    plain.forEach((k, v) -> data.put(k, base64(v)));
    String key = "Secret/" + namespace + "/" + name;
    if (seeded.contains(key)) {
      // Merge keys into the Secret seeded earlier (two references to the same Secret).
      client.secrets().inNamespace(namespace).withName(name).edit(s -> {
        Map<String, String> merged = new LinkedHashMap<>(s.getData() == null ? Map.of() : s.getData());
        merged.putAll(data);
        s.setData(merged);
        return s;
      });
      return;
    }
    seeded.add(key);
    client.resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .addToLabels("app.kubernetes.io/part-of", "254carbon")
                .endMetadata()
                .withType("Opaque")
                .withData(data)
                .build())
        .create();
  }

  private void create(HasMetadata object) {
    if (!mark(object)) {
      return;
    }
    if (real && object instanceof io.fabric8.kubernetes.api.model.Namespace && client.resource(object).get() != null) {
      return; // default, kube-system, kube-public, kube-node-lease: the API server made them
    }
    client.resource(object).create();
    if (real && object instanceof io.fabric8.kubernetes.api.model.networking.v1.Ingress ingress && ingress.getStatus() != null) {
      // The API server drops status on create; the ingress controller would write it.
      client.network().v1().ingresses().resource(ingress).updateStatus();
    }
  }

  /**
   * Creates a custom resource with its status. Where the CRD has a status subresource the API
   * server drops status on create: then it is written afterwards through {@code /status}. (Velero's
   * CRDs have none: their status is an ordinary field.)
   */
  private void createCustom(ResourceDefinitionContext ctx, GenericKubernetesResource object) {
    if (!mark(object)) {
      return;
    }
    Object status = object.getAdditionalProperties().get("status");
    var resources = client.genericKubernetesResources(ctx).inNamespace(object.getMetadata().getNamespace());
    GenericKubernetesResource created = resources.resource(object).create();
    if (status != null && created.getAdditionalProperties().get("status") == null) {
      created.setAdditionalProperty("status", status);
      resources.resource(created).updateStatus();
    }
  }

  /** Records an object about to be created; false if one of that kind, namespace and name exists already. */
  private boolean mark(HasMetadata object) {
    String key = object.getKind() + "/" + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    return seeded.add(key);
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
