package io.carbon254.runbook.activities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.config.Ha;
import io.carbon254.runbook.config.Harbor;
import io.carbon254.runbook.config.Hpa;
import io.carbon254.runbook.config.Monitoring;
import io.carbon254.runbook.config.PlatformService;
import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.Verification;
import io.carbon254.runbook.platformcheck.CheckResult;
import io.carbon254.runbook.platformcheck.PlatformCheckActivities;
import io.carbon254.runbook.activities.KubernetesApi.Call;
import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.APIServiceCondition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The read-only platform checks against the Kubernetes API (fabric8) and the plain-HTTP health
 * endpoints of Prometheus, Harbor and MinIO (OkHttp). Every URL is called exactly as configured:
 * the worker may route configured hosts elsewhere through an interceptor on the OkHttp client.
 *
 * <p>A component that is not ready is an {@code ok=false} result with evidence. Only a Kubernetes
 * API that cannot be reached (or refuses the worker) throws.
 */
public final class KubernetesPlatformCheck implements PlatformCheckActivities {

  static final String AUTH_URL = "nginx.ingress.kubernetes.io/auth-url";
  static final String DASHBOARD_LABEL = "grafana_dashboard";
  static final String CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";
  /** Clusters from before Kubernetes 1.24 mark control-plane nodes with this label only. */
  static final String LEGACY_MASTER_LABEL = "node-role.kubernetes.io/master";
  static final String DEFAULT_METRICS_API_SERVICE = "v1beta1.metrics.k8s.io";

  static final ResourceDefinitionContext SERVICE_MONITOR = crd("monitoring.coreos.com", "v1", "ServiceMonitor",
      "servicemonitors", true);
  static final ResourceDefinitionContext BACKUP_STORAGE_LOCATION = crd("velero.io", "v1", "BackupStorageLocation",
      "backupstoragelocations", true);
  static final ResourceDefinitionContext VELERO_SCHEDULE = crd("velero.io", "v1", "Schedule", "schedules", true);
  static final ResourceDefinitionContext VELERO_BACKUP = crd("velero.io", "v1", "Backup", "backups", true);
  static final ResourceDefinitionContext CNPG_CLUSTER = crd("postgresql.cnpg.io", "v1", "Cluster", "clusters", true);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesApi kube;
  private final KubernetesClient kubernetes;
  private final OkHttpClient http;

  public KubernetesPlatformCheck(KubernetesClient kubernetes, OkHttpClient http) {
    this.kube = new KubernetesApi(Objects.requireNonNull(kubernetes, "kubernetes"));
    this.kubernetes = kubernetes;
    this.http = Objects.requireNonNull(http, "http");
  }

  // ---------------------------------------------------------------------------------------------
  // cluster, namespaces, workloads

  @Override
  public CheckResult checkCluster() {
    VersionInfo version = kube.call(Call.nonResource("get", "/version"), kubernetes::getKubernetesVersion);
    List<Node> nodes = kube.call(Call.list(Node.class, null), () -> kubernetes.nodes().list().getItems());
    List<String> details = new ArrayList<>();
    String gitVersion = version == null ? "unknown version" : version.getGitVersion();
    details.add("API " + kubernetes.getMasterUrl() + " answers: Kubernetes " + gitVersion);
    int ready = 0;
    for (Node node : nodes) {
      boolean isReady = isReady(node);
      ready += isReady ? 1 : 0;
      details.add("node " + node.getMetadata().getName() + ": " + (isReady ? "Ready" : "NotReady")
          + (isControlPlane(node) ? " (control-plane)" : ""));
    }
    String evidence = "Kubernetes " + gitVersion + "; " + ready + " of " + nodes.size() + " nodes Ready";
    return new CheckResult("cluster", ready > 0, evidence, details);
  }

  @Override
  public CheckResult checkNamespaces(List<String> namespaces) {
    if (namespaces == null || namespaces.isEmpty()) {
      return notConfigured("namespaces", "platform namespaces");
    }
    List<String> missing = new ArrayList<>();
    List<String> details = new ArrayList<>();
    for (String name : namespaces) {
      var namespace = kube.call(Call.of("get", Namespace.class, null, name), () -> kubernetes.namespaces().withName(name).get());
      if (namespace == null) {
        missing.add(name);
        details.add("namespace " + name + ": missing");
      } else {
        String phase = namespace.getStatus() == null ? null : namespace.getStatus().getPhase();
        details.add("namespace " + name + ": " + (phase == null ? "exists" : phase));
      }
    }
    int present = namespaces.size() - missing.size();
    String evidence = present + " of " + namespaces.size() + " namespaces exist"
        + (missing.isEmpty() ? "" : "; missing: " + String.join(", ", missing));
    return new CheckResult("namespaces", missing.isEmpty(), evidence, details);
  }

  @Override
  public CheckResult checkWorkloads(List<PlatformService> services) {
    if (services == null || services.isEmpty()) {
      return notConfigured("workloads", "services");
    }
    List<String> notReady = new ArrayList<>();
    List<String> details = new ArrayList<>();
    for (PlatformService service : services) {
      List<String> problems = new ArrayList<>();
      List<String> seen = new ArrayList<>();
      if (service.workloads().isEmpty()) {
        backendEndpoints(service, seen, problems);
      } else {
        for (String workload : service.workloads()) {
          workloadReadiness(service.namespace(), workload, seen, problems);
        }
      }
      if (!problems.isEmpty()) {
        notReady.add(service.id());
      }
      details.add(service.id() + ": " + (problems.isEmpty() ? "ready" : "NOT ready") + " — "
          + String.join(", ", problems.isEmpty() ? seen : problems));
    }
    int ready = services.size() - notReady.size();
    String evidence = ready + " of " + services.size() + " services ready"
        + (notReady.isEmpty() ? "" : "; not ready: " + String.join(", ", notReady));
    return new CheckResult("workloads", notReady.isEmpty(), evidence, details);
  }

  private void workloadReadiness(String namespace, String workload, List<String> seen, List<String> problems) {
    int slash = workload.indexOf('/');
    String kind = slash < 0 ? "" : workload.substring(0, slash).toLowerCase();
    String name = slash < 0 ? workload : workload.substring(slash + 1);
    Integer desired;
    Integer ready;
    switch (kind) {
      case "deployment" -> {
        Deployment d = kube.call(Call.of("get", Deployment.class, namespace, name),
            () -> kubernetes.apps().deployments().inNamespace(namespace).withName(name).get());
        if (d == null) {
          problems.add(workload + " not found in " + namespace);
          return;
        }
        desired = d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        ready = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
      }
      case "statefulset" -> {
        StatefulSet s = kube.call(Call.of("get", StatefulSet.class, namespace, name),
            () -> kubernetes.apps().statefulSets().inNamespace(namespace).withName(name).get());
        if (s == null) {
          problems.add(workload + " not found in " + namespace);
          return;
        }
        desired = s.getSpec() == null || s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
        ready = s.getStatus() == null ? null : s.getStatus().getReadyReplicas();
      }
      default -> {
        problems.add("'" + workload + "' is not deployment/<name> or statefulset/<name>: fix the service's"
            + " workloads in the platform config");
        return;
      }
    }
    int readyCount = ready == null ? 0 : ready;
    String line = workload + " " + readyCount + "/" + desired + " ready";
    if (desired <= 0) {
      problems.add(workload + " scaled to 0");
    } else if (readyCount < desired) {
      problems.add(line);
    } else {
      seen.add(line);
    }
  }

  private void backendEndpoints(PlatformService service, List<String> seen, List<String> problems) {
    if (service.backend() == null || service.backend().service() == null) {
      problems.add("no workloads and no backend Service configured");
      return;
    }
    String ns = service.namespace();
    String name = service.backend().service();
    Endpoints endpoints = kube.call(Call.of("get", Endpoints.class, ns, name),
        () -> kubernetes.endpoints().inNamespace(ns).withName(name).get());
    if (endpoints == null) {
      problems.add("Service " + ns + "/" + name + " has no Endpoints (Service missing?)");
      return;
    }
    int addresses = 0;
    for (EndpointSubset subset : nullSafe(endpoints.getSubsets())) {
      addresses += nullSafe(subset.getAddresses()).size();
    }
    if (addresses == 0) {
      problems.add("Service " + ns + "/" + name + " has no ready endpoints");
    } else {
      seen.add("Service " + ns + "/" + name + " has " + addresses + " ready endpoint" + (addresses == 1 ? "" : "s"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // monitoring

  @Override
  public CheckResult checkMonitoring(Monitoring monitoring) {
    if (monitoring == null) {
      return notConfigured("monitoring", "monitoring");
    }
    List<String> details = new ArrayList<>();

    List<GenericKubernetesResource> monitors = listCustom(SERVICE_MONITOR, null);
    int serviceMonitors = monitors == null ? 0 : monitors.size();
    details.add(monitors == null
        ? "ServiceMonitor CRD (monitoring.coreos.com/v1) is not installed"
        : serviceMonitors + " ServiceMonitors in the cluster");

    String ns = monitoring.namespace();
    int dashboards = ns == null ? 0 : kube.call(Call.list(ConfigMap.class, ns),
        () -> kubernetes.configMaps().inNamespace(ns).withLabel(DASHBOARD_LABEL).list().getItems().size());
    details.add(dashboards + " ConfigMaps labelled " + DASHBOARD_LABEL + " in namespace " + ns);

    int min = monitoring.minActiveTargets() == null ? 1 : monitoring.minActiveTargets();
    Targets targets = prometheusTargets(monitoring);
    String targetEvidence;
    boolean targetsOk;
    if (targets.failure() != null) {
      targetEvidence = targets.failure();
      targetsOk = false;
      details.add(targets.failure());
    } else {
      targetEvidence = targets.active() + " active Prometheus targets (" + targets.up() + " up; need ≥ " + min + ")";
      targetsOk = targets.active() >= min;
      details.add(targetEvidence + " via " + targets.source());
      details.addAll(targets.down());
    }
    String evidence = targetEvidence + "; " + serviceMonitors + " ServiceMonitors; " + dashboards
        + " Grafana dashboards";
    return new CheckResult("monitoring", targetsOk && serviceMonitors > 0 && dashboards > 0, evidence, details);
  }

  /** What Prometheus reported, or why it could not be asked. */
  record Targets(int active, int up, List<String> down, String source, String failure) {
    static Targets failed(String failure) {
      return new Targets(0, 0, List.of(), null, failure);
    }
  }

  private Targets prometheusTargets(Monitoring monitoring) {
    String body;
    String source;
    if (monitoring.prometheusUrl() != null && !monitoring.prometheusUrl().isBlank()) {
      HttpUrl base = HttpUrl.parse(monitoring.prometheusUrl());
      if (base == null) {
        return Targets.failed("Prometheus URL in monitoring.prometheusUrl is not an http(s) URL: fix the config");
      }
      HttpUrl url = base.newBuilder().addPathSegments("api/v1/targets").build();
      source = safe(url);
      Probe probe = get(url);
      if (probe.failure() != null) {
        return Targets.failed("Prometheus unreachable at " + source + " (" + probe.failure() + ")");
      }
      if (probe.code() != 200) {
        return Targets.failed("Prometheus at " + source + " answered " + probe.code());
      }
      body = probe.body();
    } else {
      String service = monitoring.prometheusService();
      if (service == null || monitoring.namespace() == null) {
        return Targets.failed("Prometheus not configured (set monitoring.prometheusService or prometheusUrl)");
      }
      String target = service + (monitoring.prometheusPort() == null ? "" : ":" + monitoring.prometheusPort());
      String path = "/api/v1/namespaces/" + monitoring.namespace() + "/services/" + target + "/proxy/api/v1/targets";
      source = "the Kubernetes API service proxy to " + monitoring.namespace() + "/" + target;
      try {
        KubernetesApi.observed(Call.serviceProxy(monitoring.namespace(), service));
        body = kubernetes.raw(path);
      } catch (KubernetesClientException e) {
        if (e.getCode() <= 0 || e.getCode() == 401 || e.getCode() == 403) {
          // The API itself, or the worker's access to it, is the problem: not Prometheus.
          throw KubernetesApi.failure(Call.serviceProxy(monitoring.namespace(), service), e, kube.apiUrl());
        }
        return Targets.failed("Prometheus unreachable through " + source + " (" + e.getCode() + " "
            + KubernetesApi.serverMessage(e) + "): check the Service and that Prometheus pods are ready");
      }
      if (body == null) {
        return Targets.failed("Prometheus unreachable through " + source + " (404: Service " + monitoring.namespace()
            + "/" + service + " or its port not found)");
      }
    }
    try {
      JsonNode root = JSON.readTree(body);
      JsonNode active = root.path("data").path("activeTargets");
      if (!active.isArray()) {
        return Targets.failed("Prometheus at " + source + " answered without data.activeTargets (not Prometheus?)");
      }
      int up = 0;
      List<String> down = new ArrayList<>();
      for (JsonNode t : active) {
        if ("up".equals(t.path("health").asText())) {
          up++;
        } else {
          down.add("target " + t.path("labels").path("job").asText("?") + " " + t.path("scrapeUrl").asText("")
              + ": " + t.path("health").asText("unknown"));
        }
      }
      return new Targets(active.size(), up, down, source, null);
    } catch (IOException e) {
      return Targets.failed("Prometheus at " + source + " answered something that is not JSON");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // SSO

  @Override
  public CheckResult checkSso(Sso sso, List<PlatformService> services) {
    if (sso == null || sso.teamDomain() == null) {
      return notConfigured("sso", "SSO (sso.teamDomain)");
    }
    List<PlatformService> protectedServices = services == null ? List.of()
        : services.stream().filter(s -> !Boolean.FALSE.equals(s.ssoIngress())).toList();
    Map<String, List<Ingress>> ingressesByNamespace = new LinkedHashMap<>();
    List<String> details = new ArrayList<>();
    int ok = 0;
    for (PlatformService service : protectedServices) {
      List<Ingress> ingresses = ingressesByNamespace.computeIfAbsent(service.namespace(),
          ns -> kube.call(Call.list(Ingress.class, ns),
              () -> kubernetes.network().v1().ingresses().inNamespace(ns).list().getItems()));
      Set<String> hosts = new LinkedHashSet<>();
      hosts.add(service.host());
      hosts.addAll(service.aliases());
      List<Ingress> serving = ingresses.stream().filter(i -> servesAny(i, hosts)).toList();
      if (serving.isEmpty()) {
        details.add(service.id() + ": no ingress for " + service.host() + " in namespace " + service.namespace());
        continue;
      }
      // Every ingress serving the host must be protected: one without auth would bypass Access.
      List<String> unprotected = new ArrayList<>();
      for (Ingress ingress : serving) {
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        String authUrl = annotations == null ? null : annotations.get(AUTH_URL);
        if (authUrl == null) {
          unprotected.add("ingress " + ingress.getMetadata().getName() + " has no " + AUTH_URL);
        } else if (!authUrl.contains(sso.teamDomain())) {
          unprotected.add("ingress " + ingress.getMetadata().getName() + " auth-url " + authUrl + " is not "
              + sso.teamDomain());
        }
      }
      if (unprotected.isEmpty()) {
        ok++;
        details.add(service.id() + ": " + serving.stream().map(i -> "ingress " + i.getMetadata().getName())
            .reduce((a, b) -> a + ", " + b).orElse("") + " protected by Access");
      } else {
        details.add(service.id() + ": " + String.join("; ", unprotected));
      }
    }
    String evidence = ok + " of " + protectedServices.size() + " SSO ingresses protected by Access ("
        + sso.teamDomain() + ")";
    boolean ingressesReady = !protectedServices.isEmpty() && ok == protectedServices.size();
    if (!ingressesReady || sso.apps().isEmpty()) {
      return new CheckResult("sso", ingressesReady, evidence, details);
    }
    // The ingresses are phase 3; phase 2 is Cloudflare's: each host must send a visitor to the Access login.
    Verification edge = new AccessProbes(http, null).verifyAccessRedirects(sso,
        sso.apps().stream().map(Sso.AccessApp::host).toList());
    details.add("Access: " + edge.evidence());
    return new CheckResult("sso", edge.ok(), edge.ok() ? evidence + "; every host redirects to the Access login"
        : evidence + "; but not every host is behind Access (see details)", details);
  }

  private static boolean servesAny(Ingress ingress, Set<String> hosts) {
    if (ingress.getSpec() == null) {
      return false;
    }
    for (IngressRule rule : nullSafe(ingress.getSpec().getRules())) {
      if (rule.getHost() != null && hosts.contains(rule.getHost())) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // backups

  @Override
  public CheckResult checkBackups(Backup backup) {
    if (backup == null || backup.veleroNamespace() == null) {
      return notConfigured("backups", "backups (backup.veleroNamespace)");
    }
    String ns = backup.veleroNamespace();
    List<String> details = new ArrayList<>();
    List<String> evidence = new ArrayList<>();

    Deployment velero = kube.call(Call.of("get", Deployment.class, ns, "velero"),
        () -> kubernetes.apps().deployments().inNamespace(ns).withName("velero").get());
    boolean veleroReady;
    if (velero == null) {
      veleroReady = false;
      evidence.add("Velero not installed");
      details.add("Velero: no deployment velero in namespace " + ns + " (install Velero)");
    } else {
      int desired = velero.getSpec() == null || velero.getSpec().getReplicas() == null ? 1
          : velero.getSpec().getReplicas();
      int ready = velero.getStatus() == null || velero.getStatus().getReadyReplicas() == null ? 0
          : velero.getStatus().getReadyReplicas();
      veleroReady = desired > 0 && ready >= desired;
      if (!veleroReady) {
        evidence.add("Velero not ready (" + ready + "/" + desired + ")");
      }
      details.add("Velero: deployment " + ns + "/velero " + ready + "/" + desired + " ready");
    }

    String bslName = backup.storageLocation() == null || backup.storageLocation().name() == null ? "default"
        : backup.storageLocation().name();
    GenericKubernetesResource bsl = getCustom(BACKUP_STORAGE_LOCATION, ns, bslName);
    String bslPhase = bsl == null ? null : bsl.get("status", "phase");
    boolean bslAvailable = "Available".equals(bslPhase);
    if (bsl == null) {
      evidence.add("BSL " + bslName + " missing");
      details.add("BackupStorageLocation " + ns + "/" + bslName + ": missing");
    } else {
      evidence.add("BSL " + bslName + " " + (bslPhase == null ? "not validated yet" : bslPhase));
      String message = bsl.get("status", "message");
      details.add("BackupStorageLocation " + ns + "/" + bslName + ": " + (bslPhase == null ? "no phase" : bslPhase)
          + (message == null ? "" : " — " + KubernetesApi.firstLine(message)));
    }

    int enabled = 0;
    for (Backup.Schedule schedule : backup.schedules()) {
      GenericKubernetesResource s = getCustom(VELERO_SCHEDULE, ns, schedule.name());
      if (s == null) {
        details.add("Schedule " + schedule.name() + ": missing");
        continue;
      }
      String phase = s.get("status", "phase");
      boolean paused = Boolean.TRUE.equals(s.get("spec", "paused"));
      if ("Enabled".equals(phase) && !paused) {
        enabled++;
      }
      String last = s.get("status", "lastBackup");
      details.add("Schedule " + schedule.name() + ": " + (phase == null ? "no phase" : phase)
          + (paused ? ", paused" : "") + (last == null ? "" : ", last backup " + last));
    }
    boolean schedulesOk = enabled == backup.schedules().size();
    evidence.add("schedules " + enabled + " of " + backup.schedules().size() + " Enabled");

    List<GenericKubernetesResource> backups = listCustom(VELERO_BACKUP, ns);
    if (backups == null || backups.isEmpty()) {
      details.add("latest backup: none" + (backups == null ? " (Velero CRDs not installed)" : ""));
    } else {
      GenericKubernetesResource latest = backups.stream()
          // Names of scheduled backups end in their timestamp: they break ties within a second.
          .max(Comparator.comparing((GenericKubernetesResource b) -> created(b))
              .thenComparing(b -> b.getMetadata().getName()))
          .orElseThrow();
      String phase = latest.get("status", "phase");
      details.add("latest backup " + latest.getMetadata().getName() + ": " + (phase == null ? "no phase" : phase)
          + " (created " + latest.getMetadata().getCreationTimestamp() + ")");
    }

    boolean minioLive;
    String endpoint = backup.objectStore() == null ? null : backup.objectStore().endpoint();
    HttpUrl base = endpoint == null ? null : HttpUrl.parse(endpoint);
    if (base == null) {
      minioLive = false;
      evidence.add("MinIO endpoint not configured");
      details.add("MinIO: backup.objectStore.endpoint is missing or not an http(s) URL");
    } else {
      HttpUrl url = base.newBuilder().addPathSegments("minio/health/live").build();
      Probe probe = get(url);
      minioLive = probe.failure() == null && probe.code() == 200;
      String status = probe.failure() != null ? "unreachable (" + probe.failure() + ")"
          : probe.code() == 200 ? "live" : "not live (" + probe.code() + ")";
      evidence.add("MinIO " + status);
      details.add("MinIO " + safe(url) + ": " + status);
    }
    return new CheckResult("backups", veleroReady && bslAvailable && schedulesOk && minioLive,
        String.join("; ", evidence), details);
  }

  // ---------------------------------------------------------------------------------------------
  // autoscaling

  @Override
  public CheckResult checkAutoscaling(Hpa hpa) {
    if (hpa == null) {
      return notConfigured("autoscaling", "autoscaling (hpa)");
    }
    List<String> details = new ArrayList<>();
    String apiServiceName = hpa.metricsServer() == null || hpa.metricsServer().apiService() == null
        ? DEFAULT_METRICS_API_SERVICE : hpa.metricsServer().apiService();
    APIService apiService = kube.call(Call.of("get", APIService.class, null, apiServiceName),
        () -> kubernetes.apiServices().withName(apiServiceName).get());
    boolean metricsAvailable = false;
    String metricsEvidence;
    if (apiService == null) {
      metricsEvidence = "metrics API not registered";
      details.add("APIService " + apiServiceName + ": missing (metrics-server not installed)");
    } else {
      APIServiceCondition available = apiService.getStatus() == null ? null
          : nullSafe(apiService.getStatus().getConditions()).stream()
              .filter(c -> "Available".equals(c.getType())).findFirst().orElse(null);
      metricsAvailable = available != null && "True".equals(available.getStatus());
      String reason = available == null ? "no Available condition" : Objects.toString(available.getReason(), "");
      metricsEvidence = metricsAvailable ? "metrics API Available"
          : "metrics API not Available (" + (reason.isEmpty() ? "no reason given" : reason) + ")";
      String message = available == null ? null : available.getMessage();
      details.add("APIService " + apiServiceName + ": " + (metricsAvailable ? "Available" : "not Available")
          + (reason.isEmpty() ? "" : " (" + reason + ")") + (message == null ? "" : " — " + KubernetesApi.firstLine(message)));
    }

    int reporting = 0;
    for (Hpa.Autoscaler a : hpa.autoscalers()) {
      HorizontalPodAutoscaler h = kube.call(Call.of("get", HorizontalPodAutoscaler.class, a.namespace(), a.name()),
          () -> kubernetes.autoscaling().v2().horizontalPodAutoscalers().inNamespace(a.namespace()).withName(a.name())
              .get());
      if (h == null) {
        details.add("HPA " + a.namespace() + "/" + a.name() + ": missing");
        continue;
      }
      List<String> problems = new ArrayList<>();
      int min = h.getSpec().getMinReplicas() == null ? 1 : h.getSpec().getMinReplicas();
      int max = h.getSpec().getMaxReplicas() == null ? 0 : h.getSpec().getMaxReplicas();
      if (a.minReplicas() != null && a.minReplicas() != min || a.maxReplicas() != null && a.maxReplicas() != max) {
        problems.add("replicas " + min + "–" + max + ", config wants " + a.minReplicas() + "–" + a.maxReplicas());
      }
      CrossVersionObjectReference target = h.getSpec().getScaleTargetRef();
      if (a.targetName() != null && (target == null || !a.targetName().equals(target.getName())
          || a.targetKind() != null && !a.targetKind().equals(target.getKind()))) {
        problems.add("scales " + (target == null ? "nothing" : target.getKind() + "/" + target.getName())
            + ", config wants " + a.targetKind() + "/" + a.targetName());
      }
      // While it cannot read metrics the HPA controller still lists one empty entry per metric of the
      // spec: only a value read (ScalingActive True) counts.
      String notReporting = KubernetesAutoscaling.reportingProblem(h);
      if (notReporting != null) {
        problems.add("no current metrics: " + notReporting);
      }
      if (problems.isEmpty()) {
        reporting++;
        details.add("HPA " + a.namespace() + "/" + a.name() + ": " + min + "–" + max
            + " replicas, reporting metrics");
      } else {
        details.add("HPA " + a.namespace() + "/" + a.name() + ": " + String.join("; ", problems));
      }
    }
    boolean hpasOk = reporting == hpa.autoscalers().size();
    String evidence = metricsEvidence + "; " + reporting + " of " + hpa.autoscalers().size()
        + " HPAs reporting metrics";
    return new CheckResult("autoscaling", metricsAvailable && hpasOk, evidence, details);
  }

  // ---------------------------------------------------------------------------------------------
  // image mirroring

  @Override
  public CheckResult checkImageMirroring(Harbor harbor, List<String> namespaces) {
    if (harbor == null || harbor.url() == null || harbor.registryHost() == null) {
      return notConfigured("image-mirroring", "Harbor (harbor.url, harbor.registryHost)");
    }
    List<String> details = new ArrayList<>();
    boolean healthy = false;
    String harborEvidence;
    HttpUrl base = HttpUrl.parse(harbor.url());
    if (base == null) {
      harborEvidence = "Harbor URL is not an http(s) URL";
      details.add("harbor.url is not an http(s) URL: fix the config");
    } else {
      HttpUrl url = base.newBuilder().addPathSegments("api/v2.0/health").build();
      Probe probe = get(url);
      if (probe.failure() != null) {
        harborEvidence = "Harbor unreachable (" + probe.failure() + ")";
      } else if (probe.code() != 200) {
        harborEvidence = "Harbor health answered " + probe.code();
      } else {
        JsonNode health;
        try {
          health = JSON.readTree(probe.body());
        } catch (IOException e) {
          health = null;
        }
        String status = health == null ? "not JSON" : health.path("status").asText("no status");
        healthy = "healthy".equals(status);
        List<String> sick = new ArrayList<>();
        if (health != null) {
          for (JsonNode c : health.path("components")) {
            if (!"healthy".equals(c.path("status").asText())) {
              // Only name and status: a component's error text may quote connection strings.
              sick.add(c.path("name").asText("?"));
              details.add("Harbor component " + c.path("name").asText("?") + ": " + c.path("status").asText("?"));
            }
          }
        }
        harborEvidence = healthy ? "Harbor healthy" : "Harbor " + status
            + (sick.isEmpty() ? "" : " (" + String.join(", ", sick) + ")");
      }
      details.add(0, "Harbor " + safe(url) + ": " + harborEvidence);
    }

    List<String> harborHosts = new ArrayList<>();
    harborHosts.add(harbor.registryHost());
    harborHosts.addAll(harbor.alternateHosts());
    Map<String, String> images = new LinkedHashMap<>(); // image → first workload using it
    for (String ns : namespaces == null ? List.<String>of() : namespaces) {
      for (Deployment d : kube.call(Call.list(Deployment.class, ns),
          () -> kubernetes.apps().deployments().inNamespace(ns).list().getItems())) {
        addImages(images, "deployment", d, d.getSpec() == null ? null : d.getSpec().getTemplate());
      }
      for (StatefulSet st : kube.call(Call.list(StatefulSet.class, ns),
          () -> kubernetes.apps().statefulSets().inNamespace(ns).list().getItems())) {
        addImages(images, "statefulset", st, st.getSpec() == null ? null : st.getSpec().getTemplate());
      }
      for (DaemonSet ds : kube.call(Call.list(DaemonSet.class, ns),
          () -> kubernetes.apps().daemonSets().inNamespace(ns).list().getItems())) {
        addImages(images, "daemonset", ds, ds.getSpec() == null ? null : ds.getSpec().getTemplate());
      }
      for (CronJob cj : kube.call(Call.list(CronJob.class, ns),
          () -> kubernetes.batch().v1().cronjobs().inNamespace(ns).list().getItems())) {
        var job = cj.getSpec() == null || cj.getSpec().getJobTemplate() == null ? null
            : cj.getSpec().getJobTemplate().getSpec();
        addImages(images, "cronjob", cj, job == null ? null : job.getTemplate());
      }
    }
    int fromHarbor = 0;
    for (Map.Entry<String, String> image : images.entrySet()) {
      if (harborHosts.stream().anyMatch(h -> image.getKey().startsWith(h + "/"))) {
        fromHarbor++;
      } else {
        details.add("not from Harbor: " + image.getKey() + " (" + image.getValue() + ")");
      }
    }
    String evidence = harborEvidence + "; " + fromHarbor + " of " + images.size() + " workload images from "
        + harbor.registryHost();
    return new CheckResult("image-mirroring", healthy && fromHarbor == images.size(), evidence, details);
  }

  /** Records each image of a pod template with the first workload using it. */
  private static void addImages(Map<String, String> images, String kind, HasMetadata workload,
      PodTemplateSpec template) {
    PodSpec spec = template == null ? null : template.getSpec();
    if (spec == null) {
      return;
    }
    List<Container> containers = new ArrayList<>(nullSafe(spec.getInitContainers()));
    containers.addAll(nullSafe(spec.getContainers()));
    String name = kind + " " + workload.getMetadata().getNamespace() + "/" + workload.getMetadata().getName();
    for (Container c : containers) {
      if (c.getImage() != null) {
        images.putIfAbsent(c.getImage(), name);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // high availability

  @Override
  public CheckResult checkHighAvailability(Ha ha) {
    if (ha == null) {
      return notConfigured("high-availability", "high availability (ha)");
    }
    List<String> details = new ArrayList<>();
    List<String> evidence = new ArrayList<>();

    int wantWorkers = ha.workers().isEmpty() ? 2 : Math.max(2, ha.workers().size());
    List<Node> nodes = kube.call(Call.list(Node.class, null), () -> kubernetes.nodes().list().getItems());
    List<String> readyWorkers = nodes.stream().filter(n -> !isControlPlane(n) && isReady(n))
        .map(n -> n.getMetadata().getName()).toList();
    boolean workersOk = readyWorkers.size() >= wantWorkers;
    evidence.add(readyWorkers.size() + " Ready worker nodes (need " + wantWorkers + ")");
    details.add("Ready worker nodes: " + (readyWorkers.isEmpty() ? "none" : String.join(", ", readyWorkers)));
    for (Ha.Worker w : ha.workers()) {
      if (!readyWorkers.contains(w.hostname())) {
        details.add("worker " + w.hostname() + ": not joined or not Ready");
      }
    }

    boolean postgresOk;
    Ha.Postgres pg = ha.postgres();
    if (pg == null || pg.name() == null || pg.namespace() == null) {
      postgresOk = false;
      evidence.add("PostgreSQL HA not configured");
    } else {
      int want = Math.max(2, pg.replicas() == null ? 2 : pg.replicas());
      int ready;
      String what;
      boolean exists;
      if (pg.mode() == Ha.PostgresMode.CNPG) {
        what = "CloudNativePG Cluster " + pg.namespace() + "/" + pg.name();
        GenericKubernetesResource cluster = getCustom(CNPG_CLUSTER, pg.namespace(), pg.name());
        exists = cluster != null;
        Object readyInstances = cluster == null ? null : cluster.get("status", "readyInstances");
        ready = readyInstances instanceof Number n ? n.intValue() : 0;
      } else {
        what = "StatefulSet " + pg.namespace() + "/" + pg.name();
        StatefulSet sts = kube.call(Call.of("get", StatefulSet.class, pg.namespace(), pg.name()),
            () -> kubernetes.apps().statefulSets().inNamespace(pg.namespace()).withName(pg.name()).get());
        exists = sts != null;
        ready = readyReplicas(sts);
      }
      postgresOk = exists && ready >= want;
      evidence.add("PostgreSQL " + pg.name() + (exists ? " " + ready + " of " + want + " ready" : " missing"));
      details.add("PostgreSQL " + what + ": " + (exists ? ready + " ready, need " + want + " (primary + standby)"
          : "missing"));
    }

    boolean minioOk;
    Ha.MinioDistributed minio = ha.minio();
    if (minio == null || minio.statefulSet() == null || minio.namespace() == null) {
      minioOk = false;
      evidence.add("distributed MinIO not configured");
    } else {
      int want = Math.max(4, minio.replicas() == null ? 4 : minio.replicas());
      StatefulSet sts = kube.call(Call.of("get", StatefulSet.class, minio.namespace(), minio.statefulSet()),
          () -> kubernetes.apps().statefulSets().inNamespace(minio.namespace()).withName(minio.statefulSet()).get());
      int ready = readyReplicas(sts);
      minioOk = sts != null && ready >= want;
      evidence.add("MinIO " + minio.statefulSet()
          + (sts == null ? " not deployed" : " " + ready + " of " + want + " ready"));
      details.add("distributed MinIO StatefulSet " + minio.namespace() + "/" + minio.statefulSet() + ": "
          + (sts == null ? "not deployed" : ready + " ready, need " + want + " (erasure coding)"));
    }
    return new CheckResult("high-availability", workersOk && postgresOk && minioOk, String.join("; ", evidence),
        details);
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  private static ResourceDefinitionContext crd(String group, String version, String kind, String plural,
      boolean namespaced) {
    return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
        .withPlural(plural).withNamespaced(namespaced).build();
  }

  private static CheckResult notConfigured(String check, String what) {
    return CheckResult.failed(check, "not configured", List.of(what + " not configured in the platform config"));
  }

  private static boolean isReady(Node node) {
    return node.getStatus() != null && nullSafe(node.getStatus().getConditions()).stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static boolean isControlPlane(Node node) {
    Map<String, String> labels = node.getMetadata().getLabels();
    return labels != null && (labels.containsKey(CONTROL_PLANE_LABEL) || labels.containsKey(LEGACY_MASTER_LABEL));
  }

  private static int readyReplicas(StatefulSet sts) {
    return sts == null || sts.getStatus() == null || sts.getStatus().getReadyReplicas() == null ? 0
        : sts.getStatus().getReadyReplicas();
  }

  private static String created(HasMetadata resource) {
    return Objects.toString(resource.getMetadata().getCreationTimestamp(), "");
  }

  private static <T> List<T> nullSafe(List<T> list) {
    return list == null ? List.of() : list;
  }

  /** A custom resource by name; null when it, or its CRD, does not exist. */
  private GenericKubernetesResource getCustom(ResourceDefinitionContext type, String namespace, String name) {
    return kube.call(Call.of("get", type, namespace, name), () -> {
      try {
        var resources = kubernetes.genericKubernetesResources(type);
        return namespace == null ? resources.withName(name).get()
            : resources.inNamespace(namespace).withName(name).get();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return null;
        }
        throw e;
      }
    });
  }

  /** Custom resources of a namespace (null: all namespaces); null when the CRD is not installed. */
  private List<GenericKubernetesResource> listCustom(ResourceDefinitionContext type, String namespace) {
    return kube.call(Call.list(type, namespace), () -> {
      try {
        var resources = kubernetes.genericKubernetesResources(type);
        return (namespace == null ? resources.inAnyNamespace().list() : resources.inNamespace(namespace).list())
            .getItems();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return null;
        }
        throw e;
      }
    });
  }

  /** A URL as it may appear in evidence: no user info, no query. */
  static String safe(HttpUrl url) {
    return url.newBuilder().username("").password("").query(null).fragment(null).build().toString();
  }

  /** The outcome of a plain-HTTP GET: the status and body, or why there was no answer. */
  record Probe(int code, String body, String failure) {}

  private Probe get(HttpUrl url) {
    Request request = new Request.Builder().url(url).get().header("Accept", "application/json").build();
    try (Response response = http.newCall(request).execute()) {
      ResponseBody body = response.body();
      return new Probe(response.code(), body == null ? "" : body.string(), null);
    } catch (IOException e) {
      // The exception text names the host at most; never the URL's user info.
      return new Probe(0, null, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }
}
