package io.carbon254.runbook.sandbox;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerConditionBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatusBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatusBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricTarget;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * kube-controller-manager's horizontal-pod-autoscaler controller, reduced to what fabric8's mock
 * needs (the real control plane runs the real one): one pass reads the target's replicas, scales a
 * target outside min..max to the bound, otherwise computes the replicas its Resource metric (cpu
 * or memory, utilization or average value) asks for from the {@link MetricsApiFake}'s usage model
 * (10% tolerance, no scale-down: the real controller's five-minute stabilization outlasts a
 * sandbox), scales the target if that changes it, and writes the status the real controller
 * writes — same condition reasons and messages, and, when it cannot measure, one empty
 * {@code currentMetrics} entry ({@code type: ""}) per metric — if it changed.
 */
final class HpaController {

  static final String METRICS_UNAVAILABLE =
      "unable to fetch metrics from resource metrics API: the server is currently unable to handle the request (get pods.metrics.k8s.io)";
  private static final BigDecimal TOLERANCE = new BigDecimal("0.1");

  private final KubernetesClient client;

  HpaController(KubernetesClient client) {
    this.client = client;
  }

  /** The status an HPA has while the metrics API is down: able to scale, not scaling, no metrics. */
  static HorizontalPodAutoscalerStatus metricsUnavailable(int currentReplicas, String resource) {
    List<HorizontalPodAutoscalerCondition> conditions = new ArrayList<>();
    set(conditions, "AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale");
    set(conditions, "ScalingActive", "False", "FailedGetResourceMetric",
        "the HPA was unable to compute the replica count: unable to get metrics for resource " + resource + ": " + METRICS_UNAVAILABLE);
    return new HorizontalPodAutoscalerStatusBuilder().withCurrentReplicas(currentReplicas).withDesiredReplicas(0)
        .withCurrentMetrics(unmeasured(1)).withConditions(conditions).build();
  }

  /**
   * What the real controller writes as current metrics when it cannot measure: one empty entry
   * ({@code type: ""}) per metric of the spec — present, but no measurement.
   */
  static List<MetricStatus> unmeasured(int metrics) {
    List<MetricStatus> empty = new ArrayList<>();
    for (int i = 0; i < metrics; i++) {
      empty.add(new MetricStatusBuilder().withType("").build());
    }
    return empty;
  }

  /** One controller pass on {@code hpa}. */
  void sync(HorizontalPodAutoscaler hpa, boolean metricsAvailable) {
    String ns = hpa.getMetadata().getNamespace();
    HorizontalPodAutoscalerStatus old = hpa.getStatus() == null ? new HorizontalPodAutoscalerStatus() : hpa.getStatus();
    List<HorizontalPodAutoscalerCondition> conditions = new ArrayList<>();
    if (old.getConditions() != null) {
      old.getConditions().forEach(c -> conditions.add(new HorizontalPodAutoscalerConditionBuilder(c).build()));
    }
    CrossVersionObjectReference ref = hpa.getSpec().getScaleTargetRef();
    Target target = target(ns, ref);
    int oldDesired = old.getDesiredReplicas() == null ? 0 : old.getDesiredReplicas();
    if (target == null) {
      set(conditions, "AbleToScale", "False", "FailedGetScale", "the HPA controller was unable to get the target's current scale: "
          + (ref == null ? "no scaleTargetRef" : ref.getKind().toLowerCase(Locale.ROOT) + "s.apps \"" + ref.getName() + "\" not found"));
      write(hpa, old.getCurrentReplicas() == null ? 0 : old.getCurrentReplicas(), oldDesired, old.getCurrentMetrics(), conditions,
          old.getLastScaleTime());
      return;
    }
    set(conditions, "AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale");
    int current = target.replicas();
    int min = hpa.getSpec().getMinReplicas() == null ? 1 : hpa.getSpec().getMinReplicas();
    int max = hpa.getSpec().getMaxReplicas() == null ? min : hpa.getSpec().getMaxReplicas();
    int desired;
    List<MetricStatus> metrics = List.of();
    if (current == 0 && min != 0) {
      desired = 0;
      set(conditions, "ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero");
    } else if (current > max) {
      desired = max;
    } else if (current < min) {
      desired = min;
    } else {
      Recommendation r = recommend(hpa, target, current, metricsAvailable);
      if (r.failure() != null) {
        set(conditions, "ScalingActive", "False", r.failure()[0], r.failure()[1]);
        write(hpa, current, oldDesired, unmeasured(hpa.getSpec().getMetrics() == null ? 1 : Math.max(1, hpa.getSpec().getMetrics().size())),
            conditions, old.getLastScaleTime());
        return;
      }
      set(conditions, "ScalingActive", "True", "ValidMetricFound", "the HPA was able to successfully calculate a replica count from "
          + r.resource() + " resource" + (r.utilization() ? " utilization (percentage of request)" : ""));
      int proposal = r.replicas();
      if (proposal < current) {
        proposal = current;
        set(conditions, "AbleToScale", "True", "ScaleDownStabilized",
            "recent recommendations were higher than current one, applying the highest recent recommendation");
      } else {
        set(conditions, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size");
      }
      desired = Math.max(min, Math.min(max, proposal));
      if (desired == proposal) {
        set(conditions, "ScalingLimited", "False", "DesiredWithinRange", "the desired count is within the acceptable range");
      } else if (proposal < min) {
        set(conditions, "ScalingLimited", "True", "TooFewReplicas", "the desired replica count is less than the minimum replica count");
      } else {
        set(conditions, "ScalingLimited", "True", "TooManyReplicas", "the desired replica count is more than the maximum replica count");
      }
      metrics = List.of(r.metric());
    }
    String lastScale = old.getLastScaleTime();
    if (desired != current) {
      scale(ns, target, desired);
      set(conditions, "AbleToScale", "True", "SucceededRescale", "the HPA controller was able to update the target scale to " + desired);
      lastScale = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
    write(hpa, current, desired, metrics, conditions, lastScale);
  }

  // ------------------------------------------------------------------ metrics

  private record Recommendation(int replicas, String resource, boolean utilization, MetricStatus metric, String[] failure) {
    static Recommendation failed(String reason, String message) {
      return new Recommendation(0, null, false, null, new String[] {reason, message});
    }
  }

  private Recommendation recommend(HorizontalPodAutoscaler hpa, Target target, int current, boolean metricsAvailable) {
    List<MetricSpec> specs = hpa.getSpec().getMetrics();
    MetricSpec spec = specs == null || specs.isEmpty() ? null
        : specs.stream().filter(s -> "Resource".equals(s.getType()) && s.getResource() != null).findFirst().orElse(null);
    String resource = spec == null ? "cpu" : spec.getResource().getName();
    MetricTarget goal = spec == null ? null : spec.getResource().getTarget();
    boolean utilization = goal == null || "Utilization".equals(goal.getType());
    Integer targetUtilization = goal == null ? Integer.valueOf(80) : goal.getAverageUtilization();
    if (specs != null && !specs.isEmpty() && spec == null || !"cpu".equals(resource) && !"memory".equals(resource)
        || utilization && targetUtilization == null || !utilization && (goal.getAverageValue() == null)) {
      return Recommendation.failed("InvalidMetricSourceType",
          "the sandbox's HPA controller simulates Resource metrics of cpu and memory (Utilization or AverageValue) only");
    }
    if (!metricsAvailable) {
      return Recommendation.failed("FailedGetResourceMetric", "the HPA was unable to compute the replica count: unable to get metrics for resource "
          + resource + ": " + METRICS_UNAVAILABLE);
    }
    BigDecimal usage = BigDecimal.ZERO;
    BigDecimal request = BigDecimal.ZERO;
    for (Container c : target.template().getSpec().getContainers()) {
      Quantity q = c.getResources() == null || c.getResources().getRequests() == null ? null : c.getResources().getRequests().get(resource);
      if (q == null && utilization) {
        return Recommendation.failed("FailedGetResourceMetric", "the HPA was unable to compute the replica count: failed to get "
            + resource + " utilization: missing request for " + resource + " in container " + c.getName() + " of Pod "
            + target.name() + "-0");
      }
      request = q == null ? request : request.add(q.getNumericalAmount());
      usage = usage.add(MetricsApiFake.usage(c, resource));
    }
    boolean cpu = "cpu".equals(resource);
    Quantity averageValue = cpu ? new Quantity(usage.movePointRight(3).setScale(0, RoundingMode.HALF_UP).toPlainString() + "m")
        : new Quantity(usage.setScale(0, RoundingMode.HALF_UP).toPlainString());
    BigDecimal ratio;
    MetricStatusBuilder metric = new MetricStatusBuilder().withType("Resource");
    if (utilization) {
      int percent = usage.movePointRight(2).divide(request, 0, RoundingMode.HALF_UP).intValue();
      ratio = BigDecimal.valueOf(percent).divide(BigDecimal.valueOf(targetUtilization), 6, RoundingMode.HALF_UP);
      metric.withNewResource().withName(resource).withNewCurrent().withAverageUtilization(percent).withAverageValue(averageValue)
          .endCurrent().endResource();
    } else {
      ratio = usage.divide(goal.getAverageValue().getNumericalAmount(), 6, RoundingMode.HALF_UP);
      metric.withNewResource().withName(resource).withNewCurrent().withAverageValue(averageValue).endCurrent().endResource();
    }
    int replicas = BigDecimal.ONE.subtract(ratio).abs().compareTo(TOLERANCE) <= 0 ? current
        : ratio.multiply(BigDecimal.valueOf(current)).setScale(0, RoundingMode.CEILING).intValue();
    return new Recommendation(replicas, resource, utilization, metric.build(), null);
  }

  // ------------------------------------------------------------------ the target

  private record Target(String kind, String name, int replicas, PodTemplateSpec template) {}

  private Target target(String ns, CrossVersionObjectReference ref) {
    if (ref == null || ref.getName() == null) {
      return null;
    }
    if ("Deployment".equals(ref.getKind())) {
      var d = client.apps().deployments().inNamespace(ns).withName(ref.getName()).get();
      return d == null ? null : new Target("Deployment", ref.getName(), WorkloadStatus.replicas(d.getSpec().getReplicas()),
          d.getSpec().getTemplate());
    }
    if ("StatefulSet".equals(ref.getKind())) {
      var s = client.apps().statefulSets().inNamespace(ns).withName(ref.getName()).get();
      return s == null ? null : new Target("StatefulSet", ref.getName(), WorkloadStatus.replicas(s.getSpec().getReplicas()),
          s.getSpec().getTemplate());
    }
    return null;
  }

  private void scale(String ns, Target target, int replicas) {
    if ("Deployment".equals(target.kind())) {
      client.apps().deployments().inNamespace(ns).withName(target.name()).edit(d -> {
        d.getSpec().setReplicas(replicas);
        return d;
      });
    } else {
      client.apps().statefulSets().inNamespace(ns).withName(target.name()).edit(s -> {
        s.getSpec().setReplicas(replicas);
        return s;
      });
    }
  }

  // ------------------------------------------------------------------ status

  private void write(HorizontalPodAutoscaler hpa, int current, int desired, List<MetricStatus> metrics,
      List<HorizontalPodAutoscalerCondition> conditions, String lastScaleTime) {
    HorizontalPodAutoscalerStatus status = new HorizontalPodAutoscalerStatusBuilder()
        .withObservedGeneration(hpa.getMetadata().getGeneration())
        .withCurrentReplicas(current)
        .withDesiredReplicas(desired)
        .withCurrentMetrics(metrics == null || metrics.isEmpty() ? null : metrics)
        .withConditions(conditions)
        .withLastScaleTime(lastScaleTime)
        .build();
    var json = client.getKubernetesSerialization();
    if (hpa.getStatus() != null && json.asJson(status).equals(json.asJson(hpa.getStatus()))) {
      return; // unchanged (the serialized form treats a missing list and an empty one alike)
    }
    client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(hpa.getMetadata().getNamespace())
        .withName(hpa.getMetadata().getName()).editStatus(h -> {
          h.setStatus(status);
          return h;
        });
  }

  /** Sets a condition; its transition time changes only when its status does (as the real controller's setCondition). */
  private static void set(List<HorizontalPodAutoscalerCondition> conditions, String type, String status, String reason, String message) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    for (int i = 0; i < conditions.size(); i++) {
      HorizontalPodAutoscalerCondition c = conditions.get(i);
      if (type.equals(c.getType())) {
        String since = Objects.equals(status, c.getStatus()) && c.getLastTransitionTime() != null ? c.getLastTransitionTime() : now;
        conditions.set(i, new HorizontalPodAutoscalerConditionBuilder().withType(type).withStatus(status).withReason(reason)
            .withMessage(message).withLastTransitionTime(since).build());
        return;
      }
    }
    conditions.add(new HorizontalPodAutoscalerConditionBuilder().withType(type).withStatus(status).withReason(reason)
        .withMessage(message).withLastTransitionTime(now).build());
  }
}
