package io.carbon254.runbook.sandbox;

import java.util.Map;

/**
 * The images the platform's workloads run (PLATFORM.md: the old mirror script's list, plus the
 * components it missed), so that image discovery in the sandbox finds what it would find on the
 * real cluster.
 */
final class Images {

  private Images() {}

  private static final Map<String, String> BY_WORKLOAD =
      Map.ofEntries(
          Map.entry("portal", "nginx:1.25.3-alpine"),
          Map.entry("grafana", "grafana/grafana:10.2.0"),
          Map.entry("superset", "apache/superset:4.0.1"),
          Map.entry("datahub-frontend", "linkedin/datahub-frontend-react:v0.12.0"),
          Map.entry("datahub-gms", "linkedin/datahub-gms:v0.12.0"),
          Map.entry("trino", "trinodb/trino:424"),
          Map.entry("trino-coordinator", "trinodb/trino:424"),
          Map.entry("trino-worker", "trinodb/trino:424"),
          Map.entry("doris-fe", "amd64/doris:2.0.0"),
          Map.entry("vault", "hashicorp/vault:1.15.0"),
          Map.entry("minio", "minio/minio:RELEASE.2024-01-11T08-13-15Z"),
          Map.entry("dolphinscheduler-api", "apache/dolphinscheduler-api:3.1.5"),
          Map.entry("dolphinscheduler-master", "apache/dolphinscheduler-master:3.1.5"),
          Map.entry("dolphinscheduler-worker", "apache/dolphinscheduler-worker:3.1.5"),
          Map.entry("lakefs", "treeverse/lakefs:v1.26.0"),
          Map.entry("redis", "redis:7.2"),
          Map.entry("iceberg-rest", "tabulario/iceberg-rest:0.6.0"),
          Map.entry("spark", "bitnami/spark:3.5.0"),
          Map.entry("prometheus", "prom/prometheus:v2.48.0"),
          Map.entry("alertmanager", "prom/alertmanager:v0.26.0"),
          Map.entry("loki", "grafana/loki:2.9.3"),
          Map.entry("promtail", "grafana/promtail:2.9.3"),
          Map.entry("velero", "velero/velero:v1.12.1"),
          Map.entry("metrics-server", "registry.k8s.io/metrics-server/metrics-server:v0.6.4"),
          Map.entry("ingress-nginx-controller", "registry.k8s.io/ingress-nginx/controller:v1.8.1"),
          Map.entry("cert-manager", "quay.io/jetstack/cert-manager-controller:v1.13.0"),
          Map.entry("cert-manager-webhook", "quay.io/jetstack/cert-manager-webhook:v1.13.0"),
          Map.entry("cert-manager-cainjector", "quay.io/jetstack/cert-manager-cainjector:v1.13.0"),
          Map.entry("cloudflared", "cloudflare/cloudflared:2023.10.0"),
          Map.entry("harbor-core", "goharbor/harbor-core:v2.9.1"),
          Map.entry("harbor-portal", "goharbor/harbor-portal:v2.9.1"),
          Map.entry("harbor-jobservice", "goharbor/harbor-jobservice:v2.9.1"),
          Map.entry("harbor-registry", "goharbor/registry-photon:v2.9.1"),
          Map.entry("harbor-database", "goharbor/harbor-db:v2.9.1"),
          Map.entry("harbor-redis", "goharbor/redis-photon:v2.9.1"),
          Map.entry("harbor-trivy", "goharbor/trivy-adapter-photon:v2.9.1"),
          Map.entry("postgres-shared", "postgres:15"));

  /** Backend Service → the workload behind it, where the name differs or the kind is not a Deployment. */
  private static final Map<String, String> WORKLOAD_BY_SERVICE =
      Map.of(
          "trino", "deployment/trino-coordinator",
          "doris-fe-service", "statefulset/doris-fe",
          "vault", "statefulset/vault",
          "minio-console", "statefulset/minio",
          "minio-service", "statefulset/minio");

  /** The image of a workload by name; {@code busybox:latest} for names the platform does not know. */
  static String of(String workload) {
    return BY_WORKLOAD.getOrDefault(workload, "busybox:latest");
  }

  /** {@code kind/name} of the workload behind a backend Service. */
  static String defaultWorkloadFor(String service) {
    return WORKLOAD_BY_SERVICE.getOrDefault(service, "deployment/" + service);
  }
}
