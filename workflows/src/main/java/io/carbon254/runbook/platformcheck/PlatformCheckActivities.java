package io.carbon254.runbook.platformcheck;

import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.config.Ha;
import io.carbon254.runbook.config.Harbor;
import io.carbon254.runbook.config.Hpa;
import io.carbon254.runbook.config.Monitoring;
import io.carbon254.runbook.config.PlatformService;
import io.carbon254.runbook.config.Sso;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * Read-only checks of a running platform. Each returns what it found with evidence; a component
 * that is not ready is a {@code ok=false} result, not an error. Only a platform that cannot be
 * reached at all (the Kubernetes API) throws.
 */
@ActivityInterface
public interface PlatformCheckActivities {

  /** The Kubernetes API answers; its version, and the nodes with their Ready condition. */
  CheckResult checkCluster();

  /** Each platform namespace exists. */
  CheckResult checkNamespaces(List<String> namespaces);

  /** Each service's workloads are ready (or, without workloads, its backend Service has ready endpoints). */
  CheckResult checkWorkloads(List<PlatformService> services);

  /**
   * Prometheus active targets (through {@code prometheusUrl}, or the Kubernetes API service proxy
   * to {@code prometheusService}), ServiceMonitors in the cluster, Grafana dashboards present.
   */
  CheckResult checkMonitoring(Monitoring monitoring);

  /** Every service with an SSO ingress has the Access auth annotations pointing at the team domain. */
  CheckResult checkSso(Sso sso, List<PlatformService> services);

  /**
   * Velero installed; the BackupStorageLocation's phase; the schedules present and Enabled; the
   * latest backups and their phases; MinIO health ({@code /minio/health/live}).
   */
  CheckResult checkBackups(Backup backup);

  /** The metrics APIService is Available, and the HPAs exist and report current metrics. */
  CheckResult checkAutoscaling(Hpa hpa);

  /** Harbor health ({@code /api/v2.0/health}), and how many workload images come from Harbor. */
  CheckResult checkImageMirroring(Harbor harbor, List<String> namespaces);

  /**
   * Ready worker nodes, PostgreSQL standby replicas, distributed MinIO — what multi-node HA
   * needs.
   */
  CheckResult checkHighAvailability(Ha ha);
}
