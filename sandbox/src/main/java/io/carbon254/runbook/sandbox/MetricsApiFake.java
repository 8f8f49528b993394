package io.carbon254.runbook.sandbox;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetricsBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetricsBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetricsListBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsListBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * metrics-server's API, {@code metrics.k8s.io/v1beta1}, as {@code kubectl top} and the HPA
 * controller read it: discovery, {@code NodeMetrics} of every node and {@code PodMetrics} of the
 * running pods (a namespace's or all, filtered by {@code labelSelector}), each container using a
 * fixed share of its requests ({@link #usage}) so utilization is plausible and below the usual HPA
 * targets. While metrics-server is unhealthy every path answers 503, as the aggregator does for an
 * unavailable APIService.
 *
 * <p>On the real API server the pods are the real ones (the {@link KubeletSimulator} runs them); on
 * fabric8's mock, which runs no pods, each Deployment's and StatefulSet's replicas are made up from
 * its pod template (stable names, the template's labels and containers).
 */
final class MetricsApiFake implements HttpFake {

  private static final Logger log = LoggerFactory.getLogger(MetricsApiFake.class);

  static final String GROUP = "metrics.k8s.io";
  static final String VERSION = "v1beta1";
  /** How long metrics-server averages usage over (its {@code --metric-resolution}). */
  static final java.time.Duration WINDOW = java.time.Duration.ofSeconds(15);

  /** The share of its CPU request a container uses (HPA targets are usually 50–80%). */
  static final BigDecimal CPU_SHARE = new BigDecimal("0.45");

  static final BigDecimal MEMORY_SHARE = new BigDecimal("0.55");
  /** What a container without requests uses. */
  static final BigDecimal CPU_WITHOUT_REQUEST = new BigDecimal("0.005");

  static final BigDecimal MEMORY_WITHOUT_REQUEST = BigDecimal.valueOf(64L << 20);

  private static final Pattern PATH = Pattern.compile(
      "^/apis/metrics\\.k8s\\.io/v1beta1/(?:namespaces/([^/]+)/)?(nodes|pods)(?:/([^/]+))?/?$");

  /** What is measured, from informer caches: answering must not call the API server (fabric8's mock answers on one thread). */
  interface Cluster {
    List<Node> nodes();

    /** The pods running on a node, of one namespace or (null) all. */
    List<Pod> runningPods(String namespace);

    static Cluster of(java.util.function.Supplier<List<Node>> nodes, java.util.function.Function<String, List<Pod>> pods) {
      return new Cluster() {
        @Override
        public List<Node> nodes() {
          return nodes.get();
        }

        @Override
        public List<Pod> runningPods(String namespace) {
          return pods.apply(namespace);
        }
      };
    }
  }

  private volatile Cluster cluster;
  private volatile KubernetesSerialization json = new KubernetesSerialization();
  private volatile boolean healthy;

  /** The cluster whose nodes and pods are measured. */
  void attach(Cluster cluster, KubernetesSerialization json) {
    this.json = json;
    this.cluster = cluster;
  }

  /** Whether metrics-server can scrape the kubelets (otherwise: 503). */
  void healthy(boolean healthy) {
    this.healthy = healthy;
  }

  boolean healthy() {
    return healthy;
  }

  @Override
  public Reply handle(String method, String target) {
    try {
      return answer(method, target);
    } catch (RuntimeException e) {
      log.debug("metrics API fake: {} {} failed: {}", method, target, e.toString());
      return status(500, "InternalError", "the sandbox's metrics-server failed: " + e.getMessage());
    }
  }

  private Reply answer(String method, String target) {
    Cluster k8s = cluster;
    if (!healthy || k8s == null) {
      return status(503, "ServiceUnavailable", "service unavailable");
    }
    if (!"GET".equals(method)) {
      return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    }
    String path = HttpFake.path(target);
    if (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    switch (path) {
      case "/apis":
        // The legacy group list: kube-apiserver's discovery manager asks for aggregated discovery
        // (apidiscovery.k8s.io/v2), gets plain JSON and falls back to /apis/<group>/<version>.
        return Reply.json(200, "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[" + group() + "]}");
      case "/apis/" + GROUP:
        return Reply.json(200, group());
      case "/apis/" + GROUP + "/" + VERSION:
        return Reply.json(200, "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"" + GROUP + "/" + VERSION
            + "\",\"resources\":[" + resource("nodes", "NodeMetrics", false) + "," + resource("pods", "PodMetrics", true) + "]}");
      default:
        break;
    }
    Matcher m = PATH.matcher(path);
    if (!m.matches() || m.group(1) != null && "nodes".equals(m.group(2))) {
      return status(404, "NotFound", "the server could not find the requested resource");
    }
    String namespace = m.group(1);
    String name = m.group(3) == null ? null : URLDecoder.decode(m.group(3), StandardCharsets.UTF_8);
    LabelSelector selector = LabelSelector.parse(queryParameter(target, "labelSelector"));
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    if ("nodes".equals(m.group(2))) {
      List<NodeMetrics> nodes = k8s.nodes().stream()
          .filter(n -> name == null || name.equals(n.getMetadata().getName()))
          .filter(n -> selector.matches(n.getMetadata().getLabels()))
          .map(n -> nodeMetrics(n, now)).toList();
      if (name != null) {
        return nodes.isEmpty() ? notFound("nodes", name) : Reply.json(200, json.asJson(nodes.get(0)));
      }
      return Reply.json(200, json.asJson(new NodeMetricsListBuilder().withMetadata(new io.fabric8.kubernetes.api.model.ListMeta()).withItems(nodes).build()));
    }
    if (namespace == null && name != null) {
      return status(404, "NotFound", "the server could not find the requested resource");
    }
    List<PodMetrics> pods = k8s.runningPods(namespace).stream()
        .filter(p -> name == null || name.equals(p.getMetadata().getName()))
        .filter(p -> selector.matches(p.getMetadata().getLabels()))
        .map(p -> podMetrics(p, now)).toList();
    if (name != null) {
      return pods.isEmpty() ? notFound("pods", name) : Reply.json(200, json.asJson(pods.get(0)));
    }
    return Reply.json(200, json.asJson(new PodMetricsListBuilder().withMetadata(new io.fabric8.kubernetes.api.model.ListMeta()).withItems(pods).build()));
  }

  private static String group() {
    String version = "{\"groupVersion\":\"" + GROUP + "/" + VERSION + "\",\"version\":\"" + VERSION + "\"}";
    return "{\"kind\":\"APIGroup\",\"apiVersion\":\"v1\",\"name\":\"" + GROUP + "\",\"versions\":[" + version
        + "],\"preferredVersion\":" + version + "}";
  }

  private static String resource(String name, String kind, boolean namespaced) {
    return "{\"name\":\"" + name + "\",\"singularName\":\"\",\"namespaced\":" + namespaced + ",\"kind\":\"" + kind
        + "\",\"verbs\":[\"get\",\"list\"]}";
  }

  // ------------------------------------------------------------------ what is measured

  /** What a container uses of {@code resource} ({@code cpu} in cores, {@code memory} in bytes): a share of its request. */
  static BigDecimal usage(Container container, String resource) {
    Quantity request = container.getResources() == null || container.getResources().getRequests() == null ? null
        : container.getResources().getRequests().get(resource);
    boolean cpu = "cpu".equals(resource);
    if (request == null) {
      return cpu ? CPU_WITHOUT_REQUEST : MEMORY_WITHOUT_REQUEST;
    }
    return request.getNumericalAmount().multiply(cpu ? CPU_SHARE : MEMORY_SHARE);
  }

  /** Usage as metrics-server writes it: CPU in nanocores, memory in KiB. */
  static Map<String, Quantity> usage(BigDecimal cores, BigDecimal bytes) {
    return Map.of(
        "cpu", new Quantity(cores.movePointRight(9).setScale(0, RoundingMode.HALF_UP).toPlainString() + "n"),
        "memory", new Quantity(bytes.divide(BigDecimal.valueOf(1024), 0, RoundingMode.HALF_UP).toPlainString() + "Ki"));
  }

  private static NodeMetrics nodeMetrics(Node node, String now) {
    Map<String, Quantity> allocatable = node.getStatus() == null || node.getStatus().getAllocatable() == null ? Map.of()
        : node.getStatus().getAllocatable();
    BigDecimal cpu = allocatable.containsKey("cpu") ? allocatable.get("cpu").getNumericalAmount() : BigDecimal.valueOf(4);
    BigDecimal memory = allocatable.containsKey("memory") ? allocatable.get("memory").getNumericalAmount()
        : BigDecimal.valueOf(16L << 30);
    return new NodeMetricsBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(node.getMetadata().getName()).withLabels(node.getMetadata().getLabels())
            .withCreationTimestamp(now).build())
        .withTimestamp(now)
        .withWindow(new io.fabric8.kubernetes.api.model.Duration(WINDOW))
        .withUsage(usage(cpu.multiply(new BigDecimal("0.12")), memory.multiply(new BigDecimal("0.38"))))
        .build();
  }

  private static PodMetrics podMetrics(Pod pod, String now) {
    return new PodMetricsBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(pod.getMetadata().getName()).withNamespace(pod.getMetadata().getNamespace())
            .withLabels(pod.getMetadata().getLabels()).withCreationTimestamp(now).build())
        .withTimestamp(now)
        .withWindow(new io.fabric8.kubernetes.api.model.Duration(WINDOW))
        .withContainers(pod.getSpec().getContainers().stream()
            .map(c -> new ContainerMetricsBuilder().withName(c.getName()).withUsage(usage(usage(c, "cpu"), usage(c, "memory"))).build())
            .toList())
        .build();
  }

  /** Real pods that metrics-server would have scraped: running on a node, not being deleted. */
  static boolean scraped(Pod p, String namespace) {
    return (namespace == null || namespace.equals(p.getMetadata().getNamespace())) && p.getStatus() != null
        && "Running".equals(p.getStatus().getPhase()) && p.getSpec().getNodeName() != null
        && p.getMetadata().getDeletionTimestamp() == null;
  }

  /** The replicas of every Deployment and StatefulSet (of a namespace), as the pods a real cluster would run. */
  static List<Pod> madeUpPods(List<Deployment> deployments, List<StatefulSet> statefulSets, String namespace) {
    List<Pod> pods = new ArrayList<>();
    for (var d : deployments) {
      if (namespace != null && !namespace.equals(d.getMetadata().getNamespace())) {
        continue;
      }
      String hash = templateHash(d.getSpec().getTemplate());
      for (int i = 0; i < WorkloadStatus.replicas(d.getSpec().getReplicas()); i++) {
        pods.add(madeUpPod(d.getMetadata().getNamespace(), d.getMetadata().getName() + "-" + hash + "-" + suffix(hash, i),
            d.getSpec().getTemplate()));
      }
    }
    for (var s : statefulSets) {
      if (namespace != null && !namespace.equals(s.getMetadata().getNamespace())) {
        continue;
      }
      for (int i = 0; i < WorkloadStatus.replicas(s.getSpec().getReplicas()); i++) {
        pods.add(madeUpPod(s.getMetadata().getNamespace(), s.getMetadata().getName() + "-" + i, s.getSpec().getTemplate()));
      }
    }
    return pods;
  }

  private static Pod madeUpPod(String namespace, String name, PodTemplateSpec template) {
    return new PodBuilder()
        .withNewMetadata().withNamespace(namespace).withName(name)
        .withLabels(template.getMetadata() == null ? Map.of() : template.getMetadata().getLabels()).endMetadata()
        .withNewSpecLike(template.getSpec()).withNodeName(PlatformSeeder.CONTROL_PLANE_NODE).endSpec()
        .build();
  }

  /** Ten hex characters, stable for a template, like a ReplicaSet's pod-template-hash. */
  private static String templateHash(PodTemplateSpec template) {
    return HexFormat.of().toHexDigits(Objects.hashCode(template)).substring(0, 8) + "5d";
  }

  private static String suffix(String hash, int i) {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    int seed = Math.abs((hash + i).hashCode());
    StringBuilder s = new StringBuilder();
    for (int k = 0; k < 5; k++) {
      s.append(alphabet.charAt(seed % alphabet.length()));
      seed = seed / alphabet.length() + 7 * (k + 1);
    }
    return s.toString();
  }

  // ------------------------------------------------------------------ HTTP details

  private static String queryParameter(String target, String name) {
    String query = HttpFake.query(target);
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && name.equals(pair.substring(0, eq))) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static Reply notFound(String resource, String name) {
    return status(404, "NotFound", resource + "." + GROUP + " \"" + name + "\" not found");
  }

  static Reply status(int code, String reason, String message) {
    return Reply.json(code, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\""
        + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}");
  }

  /** A label selector's requirements: {@code k=v}, {@code k==v}, {@code k!=v}, {@code k}, {@code !k}, {@code k in (a,b)}, {@code k notin (a,b)}. */
  record LabelSelector(List<String[]> requirements) {

    private static final Pattern SET = Pattern.compile("^([^\\s!=]+)\\s+(in|notin)\\s+\\(([^)]*)\\)$");

    static LabelSelector parse(String selector) {
      List<String[]> requirements = new ArrayList<>();
      if (selector == null || selector.isBlank()) {
        return new LabelSelector(requirements);
      }
      // Commas separate requirements except inside the parentheses of a set.
      List<String> parts = new ArrayList<>();
      int depth = 0;
      int start = 0;
      for (int i = 0; i < selector.length(); i++) {
        char c = selector.charAt(i);
        depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        if (c == ',' && depth == 0) {
          parts.add(selector.substring(start, i));
          start = i + 1;
        }
      }
      parts.add(selector.substring(start));
      for (String raw : parts) {
        String part = raw.trim();
        Matcher set = SET.matcher(part);
        if (set.matches()) {
          requirements.add(new String[] {set.group(1), set.group(2), set.group(3)});
        } else if (part.contains("!=")) {
          requirements.add(new String[] {part.substring(0, part.indexOf("!=")).trim(), "!=", part.substring(part.indexOf("!=") + 2).trim()});
        } else if (part.contains("=")) {
          String value = part.substring(part.lastIndexOf('=') + 1).trim();
          requirements.add(new String[] {part.substring(0, part.indexOf('=')).trim(), "=", value});
        } else if (part.startsWith("!")) {
          requirements.add(new String[] {part.substring(1).trim(), "!"});
        } else if (!part.isEmpty()) {
          requirements.add(new String[] {part, "exists"});
        }
      }
      return new LabelSelector(requirements);
    }

    boolean matches(Map<String, String> labels) {
      Map<String, String> l = labels == null ? Map.of() : labels;
      for (String[] r : requirements) {
        String value = l.get(r[0]);
        boolean ok = switch (r[1]) {
          case "=" -> r[2].equals(value);
          case "!=" -> !r[2].equals(value);
          case "!" -> value == null;
          case "exists" -> value != null;
          case "in" -> value != null && values(r[2]).contains(value);
          case "notin" -> value == null || !values(r[2]).contains(value);
          default -> false;
        };
        if (!ok) {
          return false;
        }
      }
      return true;
    }

    private static Set<String> values(String list) {
      return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }
  }
}
