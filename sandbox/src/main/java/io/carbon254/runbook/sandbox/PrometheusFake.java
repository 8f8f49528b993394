package io.carbon254.runbook.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * Prometheus as the readiness check sees it: {@code /api/v1/targets} with every active target up
 * (the kube-prometheus-stack of the status report scrapes {@link #JOBS}), plus the health
 * endpoints. Queries answer an empty vector.
 */
public final class PrometheusFake implements HttpFake {

  /** The scrape jobs, one active target each; one per seeded ServiceMonitor. */
  public static final List<Job> JOBS =
      List.of(
          new Job("apiserver", "default", "kubernetes", "192.168.1.10:6443", "https"),
          new Job("kubelet", "kube-system", "kubelet", "192.168.1.10:10250", "https"),
          new Job("coredns", "kube-system", "kube-dns", "10.244.0.2:9153", "http"),
          new Job("node-exporter", "monitoring", "node-exporter", "192.168.1.10:9100", "http"),
          new Job("kube-state-metrics", "monitoring", "kube-state-metrics", "10.244.0.20:8080", "http"),
          new Job("prometheus", "monitoring", "prometheus-operator-prometheus", "10.244.0.21:9090", "http"),
          new Job("alertmanager", "monitoring", "alertmanager", "10.244.0.22:9093", "http"),
          new Job("grafana", "monitoring", "grafana", "10.244.0.23:3000", "http"),
          new Job("loki", "monitoring", "loki", "10.244.0.24:3100", "http"),
          new Job("promtail", "monitoring", "promtail", "10.244.0.25:3101", "http"),
          new Job("trino", "data-platform", "trino", "10.244.0.30:8080", "http"),
          new Job("superset", "data-platform", "superset", "10.244.0.31:8088", "http"),
          new Job("datahub-gms", "data-platform", "datahub-gms", "10.244.0.32:8080", "http"),
          new Job("minio", "data-platform", "minio-service", "10.244.0.33:9000", "http"),
          new Job("vault", "data-platform", "vault", "10.244.0.34:8200", "http"),
          new Job("dolphinscheduler-api", "data-platform", "dolphinscheduler-api", "10.244.0.35:12345", "http"),
          new Job("postgres-exporter", "data-platform", "postgres-shared", "10.244.0.36:9187", "http"),
          new Job("ingress-nginx-controller", "ingress-nginx", "ingress-nginx-controller", "10.244.0.40:10254", "http"));

  /** A scrape job: its name, the namespace and Service it scrapes, the target address. */
  public record Job(String name, String namespace, String service, String address, String scheme) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String targetsJson;

  public PrometheusFake() {
    this.targetsJson = targetsJson(Instant.now());
  }

  @Override
  public Reply handle(String method, String target) {
    String path = HttpFake.path(target);
    return switch (path) {
      case "/api/v1/targets" ->
          HttpFake.query(target).contains("state=dropped")
              ? Reply.json(200, "{\"status\":\"success\",\"data\":{\"activeTargets\":[],\"droppedTargets\":[]}}")
              : Reply.json(200, targetsJson);
      case "/-/healthy" -> Reply.text(200, "Prometheus Server is Healthy.\n");
      case "/-/ready" -> Reply.text(200, "Prometheus Server is Ready.\n");
      case "/api/v1/query", "/api/v1/query_range" ->
          Reply.json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
      case "/api/v1/status/buildinfo" ->
          Reply.json(200, "{\"status\":\"success\",\"data\":{\"version\":\"2.48.0\"}}");
      default -> Reply.text(404, "404 page not found\n");
    };
  }

  /** The {@code /api/v1/targets} answer: every job of {@link #JOBS} active and up. */
  public static String targetsJson(Instant lastScrape) {
    ObjectNode root = JSON.createObjectNode();
    root.put("status", "success");
    ObjectNode data = root.putObject("data");
    ArrayNode active = data.putArray("activeTargets");
    for (Job job : JOBS) {
      String scrapePool = "serviceMonitor/monitoring/" + job.name() + "/0";
      ObjectNode t = active.addObject();
      ObjectNode discovered = t.putObject("discoveredLabels");
      discovered.put("__address__", job.address());
      discovered.put("__meta_kubernetes_namespace", job.namespace());
      discovered.put("__meta_kubernetes_service_name", job.service());
      discovered.put("__scheme__", job.scheme());
      discovered.put("job", scrapePool);
      ObjectNode labels = t.putObject("labels");
      labels.put("container", job.name());
      labels.put("endpoint", "http-metrics");
      labels.put("instance", job.address());
      labels.put("job", job.name());
      labels.put("namespace", job.namespace());
      labels.put("service", job.service());
      t.put("scrapePool", scrapePool);
      t.put("scrapeUrl", job.scheme() + "://" + job.address() + "/metrics");
      t.put("globalUrl", job.scheme() + "://" + job.address() + "/metrics");
      t.put("lastError", "");
      t.put("lastScrape", lastScrape.toString());
      t.put("lastScrapeDuration", 0.012);
      t.put("health", "up");
      t.put("scrapeInterval", "30s");
      t.put("scrapeTimeout", "10s");
    }
    data.putArray("droppedTargets");
    return root.toString();
  }
}
