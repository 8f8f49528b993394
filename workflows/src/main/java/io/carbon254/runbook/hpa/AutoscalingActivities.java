package io.carbon254.runbook.hpa;

import io.carbon254.runbook.config.Hpa;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.ChangesThePlatform;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.Verification;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/** metrics-server, the metrics API and the HorizontalPodAutoscalers. */
@ActivityInterface
public interface AutoscalingActivities {

  /** The metrics APIService's condition and metrics-server's arguments, with those the configuration asks for that are absent. */
  MetricsApi inspectMetricsApi(Hpa.MetricsServer metricsServer);

  /**
   * One item per configured HPA (create; update with the drift from the configuration; keep), and a
   * delete for every other HPA that scales the same workload (two HPAs on one target fight, and the
   * HPA controller stops scaling it).
   */
  List<PlanItem> planAutoscalers(Hpa hpa);

  /** Adds the arguments {@link MetricsApi#missingArgs()} names to metrics-server's container; UNCHANGED when none is missing. */
  @ChangesThePlatform
  Changed.Result fixMetricsServer(Hpa.MetricsServer metricsServer);

  /** Puts metrics-server's container arguments back as they were (compensation of {@link #fixMetricsServer}). */
  @ChangesThePlatform
  Changed.Result restoreMetricsServer(Hpa.MetricsServer metricsServer, List<String> args);

  /** Waits (with heartbeats) until the APIService is Available and node metrics are served; failed with the evidence if not. */
  Verification waitForMetricsApi(Hpa.MetricsServer metricsServer);

  /** The configured HPAs and those {@link #planAutoscalers} would delete, as they are now. */
  List<HpaSnapshot> snapshotAutoscalers(Hpa hpa);

  /** Creates or updates the configured HPAs and deletes the others that scale the same workloads. */
  @ChangesThePlatform
  Changed.Result ensureAutoscalers(Hpa hpa);

  /** Puts the HPAs back as the snapshots recorded them (compensation of {@link #ensureAutoscalers}). */
  @ChangesThePlatform
  Changed.Result restoreAutoscalers(List<HpaSnapshot> snapshots);

  /** Waits (with heartbeats) until every configured HPA reports current metrics with ScalingActive True. */
  Verification waitForAutoscalers(Hpa hpa);
}
