package io.carbon254.runbook.hpa;

import io.carbon254.runbook.config.Hpa;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.Verification;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * metrics-server, the metrics API and the HPAs in memory, as the workflow sees them through its
 * activities: as the platform is before the runbook (metrics-server without
 * {@code --kubelet-insecure-tls}, the older HPA manifests applied).
 */
public class AutoscalingWorld implements AutoscalingActivities {

  /** One HPA: what it scales, its bounds and target, and whether it reports metrics. */
  record Autoscaler(String targetKind, String targetName, int min, int max, int cpu) {
    String describe() {
      return min + "–" + max + " at " + cpu + "% CPU";
    }

    String manifest(String namespace, String name) {
      return String.join("|", namespace, name, targetKind, targetName, "" + min, "" + max, "" + cpu);
    }

    static Autoscaler of(String manifest) {
      String[] f = manifest.split("\\|");
      return new Autoscaler(f[2], f[3], Integer.parseInt(f[4]), Integer.parseInt(f[5]), Integer.parseInt(f[6]));
    }
  }

  static final List<String> SHIPPED_ARGS = List.of("--cert-dir=/tmp", "--secure-port=4443",
      "--kubelet-use-node-status-port", "--metric-resolution=15s");

  final List<String> metricsServerArgs = Collections.synchronizedList(new ArrayList<>(SHIPPED_ARGS));
  /** The metrics API stays down whatever the arguments (e.g. a NetworkPolicy blocks the kubelets). */
  volatile boolean apiDownRegardless;
  /** The HPAs' targets have no CPU requests: the HPAs never report metrics. */
  volatile boolean podsWithoutCpuRequests;
  final Map<String, Autoscaler> hpas = Collections.synchronizedMap(new LinkedHashMap<>()); // namespace/name → HPA
  final AtomicInteger writes = new AtomicInteger();

  AutoscalingWorld() {
    hpas.put("data-platform/trino-worker-hpa", new Autoscaler("Deployment", "trino-worker", 1, 5, 75));
    hpas.put("data-platform/superset-worker-hpa", new Autoscaler("Deployment", "superset", 1, 4, 75));
  }

  /** As after a run: metrics-server fixed, the HPAs as the default configuration wants them. */
  AutoscalingWorld configured() {
    metricsServerArgs.add("--kubelet-insecure-tls");
    hpas.clear();
    hpas.put("data-platform/trino-worker-hpa", new Autoscaler("Deployment", "trino-worker", 2, 5, 70));
    hpas.put("data-platform/superset-hpa", new Autoscaler("Deployment", "superset", 2, 4, 75));
    return this;
  }

  boolean metricsApiUp() {
    return !apiDownRegardless && metricsServerArgs.contains("--kubelet-insecure-tls");
  }

  private static List<String> wanted(Hpa.MetricsServer ms) {
    List<String> args = new ArrayList<>();
    if (ms.insecureTls()) {
      args.add("--kubelet-insecure-tls");
    }
    if (!ms.kubeletPreferredAddressTypes().isEmpty()) {
      args.add("--kubelet-preferred-address-types=" + String.join(",", ms.kubeletPreferredAddressTypes()));
    }
    return args;
  }

  @Override
  public MetricsApi inspectMetricsApi(Hpa.MetricsServer ms) {
    List<String> missing = new ArrayList<>();
    for (String arg : wanted(ms)) {
      String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=') + 1) : arg;
      if (metricsServerArgs.stream().noneMatch(a -> a.equals(arg) || a.startsWith(flag) && flag.endsWith("="))) {
        missing.add(arg);
      }
    }
    boolean up = metricsApiUp();
    return new MetricsApi(ms.apiService(), true, up, up ? "Passed" : "FailedDiscoveryCheck",
        ms.namespace() + "/" + ms.deployment(), ms.deployment(), List.copyOf(metricsServerArgs), missing);
  }

  @Override
  public List<PlanItem> planAutoscalers(Hpa hpa) {
    List<PlanItem> plan = new ArrayList<>();
    for (Hpa.Autoscaler a : hpa.autoscalers()) {
      String id = a.namespace() + "/" + a.name();
      Autoscaler want = desired(a);
      Autoscaler have = hpas.get(id);
      if (have == null) {
        plan.add(PlanItem.create("HorizontalPodAutoscaler", id, a.targetKind() + "/" + a.targetName() + " " + want.describe()));
      } else if (!have.equals(want)) {
        plan.add(PlanItem.update("HorizontalPodAutoscaler", id, have.describe() + " → " + want.describe()));
      } else {
        plan.add(PlanItem.keep("HorizontalPodAutoscaler", id, want.describe()));
      }
    }
    others(hpa).forEach((id, other) -> plan.add(PlanItem.delete("HorizontalPodAutoscaler", id,
        "also scales " + other.targetKind() + "/" + other.targetName() + ", which the configuration gives to "
        + hpa.autoscalers().stream().filter(a -> a.targetName().equals(other.targetName())).findFirst().orElseThrow().name())));
    return plan;
  }

  private static Autoscaler desired(Hpa.Autoscaler a) {
    return new Autoscaler(a.targetKind(), a.targetName(), a.minReplicas(), a.maxReplicas(), a.cpuUtilization());
  }

  private Map<String, Autoscaler> others(Hpa hpa) {
    Map<String, Autoscaler> others = new LinkedHashMap<>();
    synchronized (hpas) {
      hpas.forEach((id, h) -> {
        boolean configured = hpa.autoscalers().stream().anyMatch(a -> id.equals(a.namespace() + "/" + a.name()));
        boolean sameTarget = hpa.autoscalers().stream().anyMatch(a -> id.startsWith(a.namespace() + "/")
            && a.targetName().equals(h.targetName()) && a.targetKind().equals(h.targetKind()));
        if (!configured && sameTarget) {
          others.put(id, h);
        }
      });
    }
    return others;
  }

  @Override
  public Changed.Result fixMetricsServer(Hpa.MetricsServer ms) {
    List<String> missing = inspectMetricsApi(ms).missingArgs();
    if (missing.isEmpty()) {
      return new Changed.Result(Change.UNCHANGED, "metrics-server has every argument");
    }
    writes.incrementAndGet();
    metricsServerArgs.addAll(missing);
    return new Changed.Result(Change.UPDATED, "added " + String.join(" ", missing));
  }

  @Override
  public Changed.Result restoreMetricsServer(Hpa.MetricsServer ms, List<String> args) {
    if (metricsServerArgs.equals(args)) {
      return new Changed.Result(Change.UNCHANGED, "metrics-server's args as they were");
    }
    writes.incrementAndGet();
    metricsServerArgs.clear();
    metricsServerArgs.addAll(args);
    return new Changed.Result(Change.UPDATED, "metrics-server's args put back");
  }

  @Override
  public Verification waitForMetricsApi(Hpa.MetricsServer ms) {
    return metricsApiUp() ? Verification.passed("APIService " + ms.apiService() + " Available (Passed); metrics of 1 node: cp-1 cpu 250m")
        : Verification.failed("APIService " + ms.apiService() + " not Available (FailedDiscoveryCheck) after 5m");
  }

  @Override
  public List<HpaSnapshot> snapshotAutoscalers(Hpa hpa) {
    List<HpaSnapshot> snapshots = new ArrayList<>();
    for (Hpa.Autoscaler a : hpa.autoscalers()) {
      Autoscaler have = hpas.get(a.namespace() + "/" + a.name());
      snapshots.add(new HpaSnapshot(a.namespace(), a.name(), have == null ? null : have.manifest(a.namespace(), a.name())));
    }
    others(hpa).forEach((id, h) -> {
      String[] nn = id.split("/");
      snapshots.add(new HpaSnapshot(nn[0], nn[1], h.manifest(nn[0], nn[1])));
    });
    return snapshots;
  }

  @Override
  public Changed.Result ensureAutoscalers(Hpa hpa) {
    boolean changed = false;
    for (String id : others(hpa).keySet()) {
      hpas.remove(id);
      changed = true;
    }
    for (Hpa.Autoscaler a : hpa.autoscalers()) {
      Autoscaler previous = hpas.put(a.namespace() + "/" + a.name(), desired(a));
      changed |= !desired(a).equals(previous);
    }
    if (changed) {
      writes.incrementAndGet();
    }
    return new Changed.Result(changed ? Change.UPDATED : Change.UNCHANGED, hpa.autoscalers().size() + " HPAs as configured");
  }

  @Override
  public Changed.Result restoreAutoscalers(List<HpaSnapshot> snapshots) {
    boolean changed = false;
    for (HpaSnapshot s : snapshots) {
      String id = s.namespace() + "/" + s.name();
      Autoscaler before = s.existed() ? Autoscaler.of(s.manifest()) : null;
      Autoscaler now = before == null ? hpas.remove(id) : hpas.put(id, before);
      changed |= before == null ? now != null : !before.equals(now);
    }
    if (changed) {
      writes.incrementAndGet();
    }
    return new Changed.Result(changed ? Change.UPDATED : Change.UNCHANGED, snapshots.size() + " HPAs as they were");
  }

  @Override
  public Verification waitForAutoscalers(Hpa hpa) {
    List<String> lines = new ArrayList<>();
    for (Hpa.Autoscaler a : hpa.autoscalers()) {
      lines.add(a.namespace() + "/" + a.name() + (podsWithoutCpuRequests || !metricsApiUp()
          ? ": ScalingActive False (FailedGetResourceMetric): missing request for cpu"
          : ": cpu 35% of " + a.cpuUtilization() + "%, " + a.minReplicas() + " replicas, ScalingActive True (ValidMetricFound)"));
    }
    String evidence = String.join("; ", lines);
    return podsWithoutCpuRequests || !metricsApiUp() ? Verification.failed(evidence) : Verification.passed(evidence);
  }
}
