package io.carbon254.runbook.activities;

import io.carbon254.runbook.config.Hpa;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.Verification;
import io.carbon254.runbook.hpa.AutoscalingActivities;
import io.carbon254.runbook.hpa.HpaSnapshot;
import io.carbon254.runbook.hpa.MetricsApi;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.APIServiceCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * metrics-server, the metrics API and the HorizontalPodAutoscalers through fabric8. metrics-server's
 * arguments and the HPAs are read, changed and written back with their resourceVersion (a 409 is
 * read again on the retry): the plan approved a change from what it showed.
 */
public final class KubernetesAutoscaling implements AutoscalingActivities {

  static final String INSECURE_TLS = "--kubelet-insecure-tls";
  static final String ADDRESS_TYPES = "--kubelet-preferred-address-types";

  private static final KubernetesApi.Call NODE_METRICS =
      new KubernetesApi.Call("list", "metrics.k8s.io", "nodes", "NodeMetrics", false, null, null, null);

  private final KubernetesApi kube;
  private final KubernetesClient kubernetes;
  private final Duration pollEvery;
  private final Duration timeout;

  public KubernetesAutoscaling(KubernetesClient kubernetes) {
    this(new KubernetesApi(kubernetes), Duration.ofSeconds(2), Duration.ofMinutes(5));
  }

  public KubernetesAutoscaling(KubernetesApi kube, Duration pollEvery, Duration timeout) {
    this.kube = kube;
    this.kubernetes = kube.client();
    this.pollEvery = pollEvery;
    this.timeout = timeout;
  }

  // ------------------------------------------------------------------------------ metrics-server

  @Override
  public MetricsApi inspectMetricsApi(Hpa.MetricsServer ms) {
    APIService api = kube.call(KubernetesApi.Call.of("get", APIService.class, null, ms.apiService()),
        () -> kubernetes.apiServices().withName(ms.apiService()).get());
    APIServiceCondition available = available(api);
    Deployment deployment = metricsServer(ms);
    Container container = container(deployment, ms);
    List<String> args = container.getArgs() == null ? List.of() : List.copyOf(container.getArgs());
    return new MetricsApi(ms.apiService(), api != null, available != null && "True".equals(available.getStatus()),
        available == null ? null : available.getReason(), ms.namespace() + "/" + ms.deployment(), container.getName(),
        args, missingArgs(ms, args));
  }

  /** The arguments the configuration asks for that {@code args} lacks: each only if absent, in any form. */
  static List<String> missingArgs(Hpa.MetricsServer ms, List<String> args) {
    List<String> missing = new ArrayList<>();
    if (ms.insecureTls() && args.stream().noneMatch(a -> a.equals(INSECURE_TLS) || a.startsWith(INSECURE_TLS + "="))) {
      missing.add(INSECURE_TLS);
    }
    if (!ms.kubeletPreferredAddressTypes().isEmpty() && args.stream().noneMatch(a -> a.startsWith(ADDRESS_TYPES))) {
      missing.add(ADDRESS_TYPES + "=" + String.join(",", ms.kubeletPreferredAddressTypes()));
    }
    return missing;
  }

  @Override
  public Changed.Result fixMetricsServer(Hpa.MetricsServer ms) {
    Deployment deployment = metricsServer(ms);
    Container container = container(deployment, ms);
    List<String> args = container.getArgs() == null ? new ArrayList<>() : new ArrayList<>(container.getArgs());
    List<String> missing = missingArgs(ms, args);
    String target = "Deployment " + ms.namespace() + "/" + ms.deployment();
    if (missing.isEmpty()) {
      return new Changed.Result(Change.UNCHANGED, target + " has every argument the configuration asks for");
    }
    args.addAll(missing);
    container.setArgs(args);
    kube.update(deployment);
    return new Changed.Result(Change.UPDATED, target + ": container " + container.getName() + " args "
        + String.join(" ", missing.stream().map(a -> "+ " + a).toList()));
  }

  @Override
  public Changed.Result restoreMetricsServer(Hpa.MetricsServer ms, List<String> args) {
    Deployment deployment = metricsServer(ms);
    Container container = container(deployment, ms);
    String target = "Deployment " + ms.namespace() + "/" + ms.deployment();
    List<String> now = container.getArgs() == null ? List.of() : container.getArgs();
    if (now.equals(args)) {
      return new Changed.Result(Change.UNCHANGED, target + ": args as they were");
    }
    container.setArgs(new ArrayList<>(args));
    kube.update(deployment);
    return new Changed.Result(Change.UPDATED, target + ": args put back as they were");
  }

  @Override
  public Verification waitForMetricsApi(Hpa.MetricsServer ms) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String state = "not read yet";
    while (true) {
      APIService api = kube.call(KubernetesApi.Call.of("get", APIService.class, null, ms.apiService()),
          () -> kubernetes.apiServices().withName(ms.apiService()).get());
      APIServiceCondition available = available(api);
      if (api == null) {
        state = "APIService " + ms.apiService() + " not registered";
      } else if (available == null || !"True".equals(available.getStatus())) {
        state = "APIService " + ms.apiService() + " not Available" + condition(available);
      } else {
        String nodes = nodeMetrics();
        if (nodes.startsWith("metrics of")) {
          return Verification.passed("APIService " + ms.apiService() + " Available" + condition(available) + "; " + nodes);
        }
        state = "APIService " + ms.apiService() + " Available" + condition(available) + ", but " + nodes;
      }
      if (System.nanoTime() >= deadline) {
        return Verification.failed(state + " after " + minutes(timeout) + "; see kubectl describe apiservice "
            + ms.apiService() + " and kubectl -n " + ms.namespace() + " logs deploy/" + ms.deployment());
      }
      KubernetesApi.heartbeat(state);
      LockSupport.parkNanos(pollEvery.toNanos());
    }
  }

  /** {@code metrics of 1 node: cp-1 cpu 250m memory 1843Mi}, or why there are none. */
  private String nodeMetrics() {
    List<NodeMetrics> nodes;
    try {
      nodes = kube.call(NODE_METRICS, () -> kubernetes.top().nodes().metrics().getItems());
    } catch (ApplicationFailure failure) {
      if ("KubernetesForbidden".equals(failure.getType()) || "KubernetesUnauthorized".equals(failure.getType())) {
        throw failure;
      }
      return "node metrics not served (" + KubernetesApi.firstLine(failure.getOriginalMessage()) + ")";
    }
    if (nodes.isEmpty()) {
      return "no node metrics yet";
    }
    List<String> each = new ArrayList<>();
    for (NodeMetrics node : nodes) {
      var usage = node.getUsage() == null ? Map.<String, io.fabric8.kubernetes.api.model.Quantity>of() : node.getUsage();
      each.add(node.getMetadata().getName() + " cpu " + millicores(usage.get("cpu")) + " memory " + mebibytes(usage.get("memory")));
    }
    return "metrics of " + nodes.size() + (nodes.size() == 1 ? " node: " : " nodes: ") + String.join(", ", each);
  }

  private Deployment metricsServer(Hpa.MetricsServer ms) {
    Deployment deployment = kube.call(KubernetesApi.Call.of("get", Deployment.class, ms.namespace(), ms.deployment()),
        () -> kubernetes.apps().deployments().inNamespace(ms.namespace()).withName(ms.deployment()).get());
    if (deployment == null) {
      throw ApplicationFailure.newNonRetryableFailure("Deployment " + ms.namespace() + "/" + ms.deployment()
          + " not found: install metrics-server there, or set hpa.metricsServer.namespace/deployment to where it runs",
          "MetricsServerMissing");
    }
    return deployment;
  }

  /** The container named like the Deployment (metrics-server's manifests), else the only or first one. */
  private static Container container(Deployment deployment, Hpa.MetricsServer ms) {
    List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
    return containers.stream().filter(c -> ms.deployment().equals(c.getName())).findFirst().orElse(containers.get(0));
  }

  private static APIServiceCondition available(APIService api) {
    if (api == null || api.getStatus() == null || api.getStatus().getConditions() == null) {
      return null;
    }
    return api.getStatus().getConditions().stream().filter(c -> "Available".equals(c.getType())).findFirst().orElse(null);
  }

  private static String condition(APIServiceCondition c) {
    if (c == null) {
      return " (no Available condition yet)";
    }
    String reason = c.getReason() == null ? "" : c.getReason();
    String message = c.getMessage() == null || "True".equals(c.getStatus()) ? "" : ": " + KubernetesApi.firstLine(c.getMessage());
    return reason.isEmpty() && message.isEmpty() ? "" : " (" + reason + message + ")";
  }

  // ---------------------------------------------------------------------------------------- HPAs

  @Override
  public List<PlanItem> planAutoscalers(Hpa hpa) {
    List<PlanItem> plan = new ArrayList<>();
    for (Hpa.Autoscaler a : hpa.autoscalers()) {
      String id = a.namespace() + "/" + a.name();
      HorizontalPodAutoscaler current = get(a.namespace(), a.name());
      if (current == null) {
        plan.add(PlanItem.create("HorizontalPodAutoscaler", id, target(a) + " " + describe(desired(a).getSpec())));
      } else if (!matches(current, a)) {
        String was = sameTarget(current, a) ? describe(current.getSpec()) : target(current) + " " + describe(current.getSpec());
        String will = sameTarget(current, a) ? describe(desired(a).getSpec()) : target(a) + " " + describe(desired(a).getSpec());
        plan.add(PlanItem.update("HorizontalPodAutoscaler", id, was + " → " + will));
      } else {
        plan.add(PlanItem.keep("HorizontalPodAutoscaler", id, describe(current.getSpec())));
      }
    }
    others(hpa).forEach((id, other) -> plan.add(PlanItem.delete("HorizontalPodAutoscaler", id, "also scales "
        + target(other) + ", which the configuration gives to " + configuredFor(hpa, other).name())));
    return plan;
  }

  @Override
  public List<HpaSnapshot> snapshotAutoscalers(Hpa hpa) {
    List<HpaSnapshot> snapshots = new ArrayList<>();
    for (Hpa.Autoscaler a : hpa.autoscalers()) {
      HorizontalPodAutoscaler current = get(a.namespace(), a.name());
      snapshots.add(new HpaSnapshot(a.namespace(), a.name(), current == null ? null : manifest(current)));
    }
    others(hpa).values().forEach(other ->
        snapshots.add(new HpaSnapshot(other.getMetadata().getNamespace(), other.getMetadata().getName(), manifest(other))));
    return snapshots;
  }

  @Override
  public Changed.Result ensureAutoscalers(Hpa hpa) {
    List<String> done = new ArrayList<>();
    for (HorizontalPodAutoscaler other : others(hpa).values()) {
      delete(other.getMetadata().getNamespace(), other.getMetadata().getName());
      done.add(other.getMetadata().getName() + " deleted");
    }
    for (Hpa.Autoscaler a : hpa.autoscalers()) {
      HorizontalPodAutoscaler current = get(a.namespace(), a.name());
      if (current == null) {
        HorizontalPodAutoscaler desired = desired(a);
        desired.getMetadata().setLabels(Map.of(KubernetesApi.MANAGED_BY, KubernetesApi.MANAGER));
        kube.call(KubernetesApi.Call.of("create", HorizontalPodAutoscaler.class, a.namespace(), a.name()),
            () -> kubernetes.autoscaling().v2().horizontalPodAutoscalers().inNamespace(a.namespace()).resource(desired).create());
        done.add(a.name() + " created");
      } else if (!matches(current, a)) {
        String was = describe(current.getSpec());
        HorizontalPodAutoscalerSpec spec = current.getSpec();
        HorizontalPodAutoscalerSpec want = desired(a).getSpec();
        spec.setScaleTargetRef(want.getScaleTargetRef());
        spec.setMinReplicas(want.getMinReplicas());
        spec.setMaxReplicas(want.getMaxReplicas());
        spec.setMetrics(want.getMetrics());
        kube.update(current);
        done.add(a.name() + " updated (" + was + " → " + describe(want) + ")");
      }
    }
    return done.isEmpty()
        ? new Changed.Result(Change.UNCHANGED, "every HPA as configured")
        : new Changed.Result(Change.UPDATED, String.join(", ", done));
  }

  @Override
  public Changed.Result restoreAutoscalers(List<HpaSnapshot> snapshots) {
    List<String> done = new ArrayList<>();
    for (HpaSnapshot s : snapshots) {
      HorizontalPodAutoscaler current = get(s.namespace(), s.name());
      if (!s.existed()) {
        if (current != null) {
          delete(s.namespace(), s.name());
          done.add(s.name() + " deleted");
        }
        continue;
      }
      HorizontalPodAutoscaler before = kubernetes.getKubernetesSerialization().unmarshal(s.manifest(), HorizontalPodAutoscaler.class);
      if (current == null) {
        kube.call(KubernetesApi.Call.of("create", HorizontalPodAutoscaler.class, s.namespace(), s.name()),
            () -> kubernetes.autoscaling().v2().horizontalPodAutoscalers().inNamespace(s.namespace()).resource(before).create());
        done.add(s.name() + " created again");
      } else if (!Objects.equals(current.getSpec(), before.getSpec())) {
        current.setSpec(before.getSpec());
        kube.update(current);
        done.add(s.name() + " put back (" + describe(before.getSpec()) + ")");
      }
    }
    return done.isEmpty()
        ? new Changed.Result(Change.UNCHANGED, "every HPA as it was")
        : new Changed.Result(Change.UPDATED, String.join(", ", done));
  }

  @Override
  public Verification waitForAutoscalers(Hpa hpa) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<String> lines = new ArrayList<>();
      int reporting = 0;
      for (Hpa.Autoscaler a : hpa.autoscalers()) {
        HorizontalPodAutoscaler current = get(a.namespace(), a.name());
        String problem = current == null ? "missing" : reportingProblem(current);
        if (problem == null) {
          reporting++;
          lines.add(a.namespace() + "/" + a.name() + ": " + reportLine(current));
        } else {
          lines.add(a.namespace() + "/" + a.name() + ": " + problem);
        }
      }
      String evidence = String.join("; ", lines);
      if (reporting == hpa.autoscalers().size()) {
        return Verification.passed(evidence);
      }
      if (System.nanoTime() >= deadline) {
        return Verification.failed(evidence + " (after " + minutes(timeout) + "; see kubectl describe hpa)");
      }
      KubernetesApi.heartbeat(reporting + " of " + hpa.autoscalers().size() + " HPAs report metrics");
      LockSupport.parkNanos(pollEvery.toNanos());
    }
  }

  /** Null when the HPA reports current metrics and ScalingActive is True; else what is wrong, as the HPA says. */
  static String reportingProblem(HorizontalPodAutoscaler h) {
    HorizontalPodAutoscalerCondition active = condition(h, "ScalingActive");
    boolean metrics = h.getStatus() != null && h.getStatus().getCurrentMetrics() != null
        && !h.getStatus().getCurrentMetrics().isEmpty();
    if (active != null && "True".equals(active.getStatus()) && metrics) {
      return null;
    }
    if (active == null) {
      return "no ScalingActive condition yet (the HPA controller has not evaluated it)";
    }
    return "ScalingActive " + active.getStatus() + " (" + active.getReason() + ")"
        + (active.getMessage() == null ? "" : ": " + KubernetesApi.firstLine(active.getMessage()))
        + (metrics ? "" : "; no current metrics");
  }

  /** {@code cpu 35% of 70%, 2 replicas (2–5), ScalingActive True (ValidMetricFound)}. */
  static String reportLine(HorizontalPodAutoscaler h) {
    List<String> metrics = new ArrayList<>();
    for (MetricStatus m : h.getStatus().getCurrentMetrics()) {
      if (m.getResource() != null && m.getResource().getCurrent() != null) {
        Integer current = m.getResource().getCurrent().getAverageUtilization();
        metrics.add(m.getResource().getName() + " " + (current == null ? "?" : current + "%") + " of "
            + targetUtilization(h.getSpec(), m.getResource().getName()));
      } else {
        metrics.add(m.getType() + " metric");
      }
    }
    HorizontalPodAutoscalerCondition active = condition(h, "ScalingActive");
    int replicas = h.getStatus().getCurrentReplicas() == null ? 0 : h.getStatus().getCurrentReplicas();
    return String.join(", ", metrics) + ", " + replicas + " replicas (" + min(h.getSpec()) + "–" + h.getSpec().getMaxReplicas()
        + "), ScalingActive True (" + active.getReason() + ")";
  }

  private static HorizontalPodAutoscalerCondition condition(HorizontalPodAutoscaler h, String type) {
    if (h.getStatus() == null || h.getStatus().getConditions() == null) {
      return null;
    }
    return h.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  /** The HPA the configuration wants. */
  static HorizontalPodAutoscaler desired(Hpa.Autoscaler a) {
    return new HorizontalPodAutoscalerBuilder()
        .withNewMetadata().withName(a.name()).withNamespace(a.namespace()).endMetadata()
        .withNewSpec()
        .withNewScaleTargetRef().withApiVersion("apps/v1").withKind(a.targetKind()).withName(a.targetName()).endScaleTargetRef()
        .withMinReplicas(a.minReplicas())
        .withMaxReplicas(a.maxReplicas())
        .addNewMetric().withType("Resource")
        .withNewResource().withName("cpu").withNewTarget().withType("Utilization").withAverageUtilization(a.cpuUtilization())
        .endTarget().endResource().endMetric()
        .endSpec()
        .build();
  }

  /** Same target, bounds and metrics as the configuration; other fields (behavior...) are not ours. */
  static boolean matches(HorizontalPodAutoscaler current, Hpa.Autoscaler a) {
    HorizontalPodAutoscalerSpec want = desired(a).getSpec();
    HorizontalPodAutoscalerSpec have = current.getSpec();
    return sameTarget(current, a) && min(have) == want.getMinReplicas()
        && Objects.equals(have.getMaxReplicas(), want.getMaxReplicas()) && Objects.equals(have.getMetrics(), want.getMetrics());
  }

  private static boolean sameTarget(HorizontalPodAutoscaler h, Hpa.Autoscaler a) {
    var ref = h.getSpec().getScaleTargetRef();
    return ref != null && a.targetKind().equals(ref.getKind()) && a.targetName().equals(ref.getName());
  }

  /** {@code 2–5 at 70% CPU} (and any other metric it has). */
  static String describe(HorizontalPodAutoscalerSpec spec) {
    List<String> metrics = new ArrayList<>();
    for (MetricSpec m : spec.getMetrics() == null ? List.<MetricSpec>of() : spec.getMetrics()) {
      if (m.getResource() != null && m.getResource().getTarget() != null
          && m.getResource().getTarget().getAverageUtilization() != null) {
        String resource = m.getResource().getName();
        metrics.add(m.getResource().getTarget().getAverageUtilization() + "% " + ("cpu".equals(resource) ? "CPU" : resource));
      } else {
        metrics.add("a " + m.getType() + " metric");
      }
    }
    return min(spec) + "–" + spec.getMaxReplicas() + (metrics.isEmpty() ? " without metrics" : " at " + String.join(", ", metrics));
  }

  private static String targetUtilization(HorizontalPodAutoscalerSpec spec, String resource) {
    for (MetricSpec m : spec.getMetrics() == null ? List.<MetricSpec>of() : spec.getMetrics()) {
      if (m.getResource() != null && resource.equals(m.getResource().getName()) && m.getResource().getTarget() != null
          && m.getResource().getTarget().getAverageUtilization() != null) {
        return m.getResource().getTarget().getAverageUtilization() + "%";
      }
    }
    return "?";
  }

  private static int min(HorizontalPodAutoscalerSpec spec) {
    return spec.getMinReplicas() == null ? 1 : spec.getMinReplicas();
  }

  private static String target(Hpa.Autoscaler a) {
    return a.targetKind() + "/" + a.targetName();
  }

  private static String target(HorizontalPodAutoscaler h) {
    var ref = h.getSpec().getScaleTargetRef();
    return ref == null ? "nothing" : ref.getKind() + "/" + ref.getName();
  }

  /** HPAs not in the configuration that scale a workload a configured HPA scales: namespace/name → HPA. */
  private Map<String, HorizontalPodAutoscaler> others(Hpa hpa) {
    Map<String, HorizontalPodAutoscaler> others = new LinkedHashMap<>();
    for (String namespace : hpa.autoscalers().stream().map(Hpa.Autoscaler::namespace).distinct().toList()) {
      List<HorizontalPodAutoscaler> all = kube.call(KubernetesApi.Call.list(HorizontalPodAutoscaler.class, namespace),
          () -> kubernetes.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).list().getItems());
      for (HorizontalPodAutoscaler h : all) {
        String name = h.getMetadata().getName();
        boolean configured = hpa.autoscalers().stream().anyMatch(a -> a.namespace().equals(namespace) && a.name().equals(name));
        if (!configured && configuredFor(hpa, h) != null) {
          others.put(namespace + "/" + name, h);
        }
      }
    }
    return others;
  }

  private static Hpa.Autoscaler configuredFor(Hpa hpa, HorizontalPodAutoscaler h) {
    return hpa.autoscalers().stream()
        .filter(a -> a.namespace().equals(h.getMetadata().getNamespace()) && sameTarget(h, a))
        .findFirst().orElse(null);
  }

  private HorizontalPodAutoscaler get(String namespace, String name) {
    return kube.call(KubernetesApi.Call.of("get", HorizontalPodAutoscaler.class, namespace, name),
        () -> kubernetes.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).withName(name).get());
  }

  private void delete(String namespace, String name) {
    kube.run(KubernetesApi.Call.of("delete", HorizontalPodAutoscaler.class, namespace, name),
        () -> kubernetes.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).withName(name).delete());
  }

  /** The object as JSON without status and what the server sets (uid, resourceVersion, managedFields...). */
  private String manifest(HorizontalPodAutoscaler h) {
    ObjectMeta m = h.getMetadata();
    HorizontalPodAutoscaler copy = new HorizontalPodAutoscalerBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(m.getName()).withNamespace(m.getNamespace())
            .withLabels(m.getLabels()).withAnnotations(m.getAnnotations()).build())
        .withSpec(h.getSpec())
        .build();
    return kubernetes.getKubernetesSerialization().asJson(copy);
  }

  private static String millicores(io.fabric8.kubernetes.api.model.Quantity q) {
    return q == null ? "?" : q.getNumericalAmount().movePointRight(3).setScale(0, java.math.RoundingMode.HALF_UP) + "m";
  }

  private static String mebibytes(io.fabric8.kubernetes.api.model.Quantity q) {
    return q == null ? "?" : q.getNumericalAmount().divide(java.math.BigDecimal.valueOf(1024L * 1024L), 0,
        java.math.RoundingMode.HALF_UP) + "Mi";
  }

  private static String minutes(Duration d) {
    return d.toSeconds() % 60 == 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
  }

}
