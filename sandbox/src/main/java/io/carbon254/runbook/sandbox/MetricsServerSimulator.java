package io.carbon254.runbook.sandbox;

import io.carbon254.runbook.config.Hpa;
import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.APIServiceBuilder;
import io.fabric8.kubernetes.api.model.APIServiceCondition;
import io.fabric8.kubernetes.api.model.APIServiceConditionBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import mockwebserver3.MockWebServer;
import okhttp3.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * metrics-server and, on fabric8's mock, the HPA controller. metrics-server is healthy exactly
 * when its Deployment's container args hold {@value #INSECURE_TLS}: the sandbox's kubelets serve
 * self-signed certificates, as kubeadm's do, and without the flag metrics-server cannot scrape
 * them. While healthy, {@code metrics.k8s.io/v1beta1} answers ({@link MetricsApiFake}).
 *
 * <ul>
 *   <li><b>On the real API server</b> the APIService is registered (as metrics-server's manifest
 *       does) only while metrics-server is healthy, and deleted otherwise and on {@link #close()}
 *       before the fake stops: an aggregated API that does not answer blocks every namespace
 *       deletion. The fake serves HTTPS (a certificate of the sandbox CA) behind the pod addresses
 *       of the metrics-server Service ({@link ClusterNetwork}); kube-apiserver's own availability
 *       controller turns the APIService Available, and kube-controller-manager's real HPA
 *       controller reads the metrics.
 *   <li><b>On fabric8's mock</b> the seeded APIService's {@code Available} condition is written
 *       here (True, Passed / False, FailedDiscoveryCheck), the dispatcher answers the metrics paths
 *       from the fake, and {@link HpaController} writes every HPA's status (re-evaluated on each
 *       change and every {@link #HPA_SYNC}).
 * </ul>
 */
public final class MetricsServerSimulator implements Simulator {

  private static final Logger log = LoggerFactory.getLogger(MetricsServerSimulator.class);

  /** The argument without which metrics-server cannot scrape the sandbox's kubelets. */
  public static final String INSECURE_TLS = "--kubelet-insecure-tls";

  /** How often the mock's HPA controller re-evaluates every HPA (the real one: {@code --horizontal-pod-autoscaler-sync-period}). */
  static final Duration HPA_SYNC = Duration.ofSeconds(2);

  private final Hpa.MetricsServer metricsServer;
  private final boolean real;
  private final TestCertificateAuthority ca;
  private final BiConsumer<String, InetSocketAddress> podNetwork;
  private final MetricsApiFake api;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private ScheduledExecutorService executor;
  private KubernetesClient client;
  private HpaController hpas;
  private SharedIndexInformer<HorizontalPodAutoscaler> hpaInformer;
  private MockWebServer web;
  private volatile boolean registered;

  private MetricsServerSimulator(Hpa.MetricsServer metricsServer, boolean real, TestCertificateAuthority ca,
      BiConsumer<String, InetSocketAddress> podNetwork) {
    this.metricsServer = Objects.requireNonNull(metricsServer, "metricsServer");
    this.real = real;
    this.ca = ca;
    this.podNetwork = podNetwork;
    this.api = new MetricsApiFake();
  }

  /** On fabric8's mock: {@link #api()} is to be answered by the mock's dispatcher. */
  static MetricsServerSimulator onTheMock(Hpa.MetricsServer metricsServer) {
    return new MetricsServerSimulator(metricsServer, false, null, null);
  }

  /**
   * On the real API server: the fake serves TLS with a certificate of {@code ca}, and its address
   * is handed to {@code podNetwork} as the stand-in of the {@code namespace/name} Service's pods.
   */
  static MetricsServerSimulator onTheRealServer(Hpa.MetricsServer metricsServer, TestCertificateAuthority ca,
      BiConsumer<String, InetSocketAddress> podNetwork) {
    return new MetricsServerSimulator(metricsServer, true, Objects.requireNonNull(ca, "ca"), Objects.requireNonNull(podNetwork, "podNetwork"));
  }

  /** metrics-server's API, answering 503 while metrics-server is unhealthy. */
  HttpFake api() {
    return api;
  }

  @Override
  public synchronized void start(KubernetesClient client) {
    this.client = client;
    this.executor = Informers.executor("sandbox-metrics-server-simulator");
    long resync = Duration.ofSeconds(30).toMillis();
    SharedIndexInformer<Node> nodes = client.nodes().inform(Informers.onAddOrUpdate(n -> {}), resync);
    informers.add(nodes);
    if (real) {
      SharedIndexInformer<Pod> pods = client.pods().inAnyNamespace().inform(Informers.onAddOrUpdate(p -> {}), resync);
      informers.add(pods);
      api.attach(MetricsApiFake.Cluster.of(nodes.getStore()::list,
          namespace -> pods.getStore().list().stream().filter(p -> MetricsApiFake.scraped(p, namespace)).toList()),
          client.getKubernetesSerialization());
    } else {
      // fabric8's mock runs no pods: each workload's replicas are made up from its template.
      SharedIndexInformer<Deployment> deployments = client.apps().deployments().inAnyNamespace()
          .inform(Informers.onAddOrUpdate(d -> {}), resync);
      SharedIndexInformer<StatefulSet> statefulSets = client.apps().statefulSets().inAnyNamespace()
          .inform(Informers.onAddOrUpdate(d -> {}), resync);
      informers.add(deployments);
      informers.add(statefulSets);
      api.attach(MetricsApiFake.Cluster.of(nodes.getStore()::list,
          namespace -> MetricsApiFake.madeUpPods(deployments.getStore().list(), statefulSets.getStore().list(), namespace)),
          client.getKubernetesSerialization());
    }
    if (real) {
      serveTls();
    } else {
      hpas = new HpaController(client);
      hpaInformer = client.autoscaling().v2().horizontalPodAutoscalers().inAnyNamespace()
          .inform(Informers.onAddOrUpdate(h -> submit(() -> syncHpa(h))), HPA_SYNC.toMillis());
      informers.add(hpaInformer);
    }
    informers.add(client.apps().deployments().inNamespace(metricsServer.namespace()).withName(metricsServer.deployment())
        .inform(new ResourceEventHandler<Deployment>() {
          @Override
          public void onAdd(Deployment d) {
            submit(MetricsServerSimulator.this::reconcile);
          }

          @Override
          public void onUpdate(Deployment oldD, Deployment newD) {
            submit(MetricsServerSimulator.this::reconcile);
          }

          @Override
          public void onDelete(Deployment d, boolean deletedFinalStateUnknown) {
            submit(MetricsServerSimulator.this::reconcile);
          }
        }, Duration.ofSeconds(5).toMillis()));
    submit(this::reconcile);
    log.debug("metrics-server simulator watching {}/{} ({})", metricsServer.namespace(), metricsServer.deployment(),
        real ? "real API server: registers the APIService while healthy" : "mock: writes APIService and HPA statuses");
  }

  private void submit(Runnable action) {
    ScheduledExecutorService ex = executor;
    if (ex == null || ex.isShutdown()) {
      return;
    }
    ex.execute(() -> {
      try {
        action.run();
      } catch (KubernetesClientException e) {
        log.debug("metrics-server simulator: a reaction failed (tried again on resync): {}", e.toString());
      } catch (RuntimeException e) {
        log.warn("metrics-server simulator: {}", e.toString());
      }
    });
  }

  /** Whether a Deployment of metrics-server can scrape the kubelets. */
  static boolean healthy(Deployment d) {
    if (d == null || d.getSpec() == null || d.getSpec().getTemplate() == null || d.getSpec().getTemplate().getSpec() == null) {
      return false;
    }
    for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
      List<String> words = new ArrayList<>();
      if (c.getCommand() != null) {
        words.addAll(c.getCommand());
      }
      if (c.getArgs() != null) {
        words.addAll(c.getArgs());
      }
      if (words.stream().anyMatch(w -> INSECURE_TLS.equals(w) || (INSECURE_TLS + "=true").equals(w))) {
        return true;
      }
    }
    return false;
  }

  private void reconcile() {
    Deployment d = client.apps().deployments().inNamespace(metricsServer.namespace()).withName(metricsServer.deployment()).get();
    boolean healthy = healthy(d);
    boolean changed = healthy != api.healthy();
    api.healthy(healthy);
    if (changed) {
      log.debug("metrics-server {}/{} is now {}", metricsServer.namespace(), metricsServer.deployment(), healthy ? "healthy" : "unhealthy");
    }
    if (real) {
      if (healthy) {
        register();
      } else {
        unregister();
      }
      return;
    }
    writeAvailability(healthy);
    if (changed && hpaInformer != null) {
      hpaInformer.getStore().list().forEach(this::syncHpa);
    }
  }

  private void syncHpa(HorizontalPodAutoscaler hpa) {
    HorizontalPodAutoscaler current = client.autoscaling().v2().horizontalPodAutoscalers()
        .inNamespace(hpa.getMetadata().getNamespace()).withName(hpa.getMetadata().getName()).get();
    if (current != null && current.getMetadata().getDeletionTimestamp() == null) {
      hpas.sync(current, api.healthy());
    }
  }

  // ------------------------------------------------------------------ mock: the APIService status

  private void writeAvailability(boolean healthy) {
    var resource = client.apiServices().withName(metricsServer.apiService());
    APIService apiService = resource.get();
    if (apiService == null) {
      return; // nothing registered it
    }
    APIServiceCondition now = available(apiService);
    if (now != null && (healthy ? "True" : "False").equals(now.getStatus())) {
      return;
    }
    String url = "https://" + clusterIp() + ":443/apis/" + apiService.getSpec().getGroup() + "/" + apiService.getSpec().getVersion();
    APIServiceCondition condition = healthy
        ? new APIServiceConditionBuilder().withType("Available").withStatus("True").withReason("Passed")
            .withMessage("all checks passed").withLastTransitionTime(Instant.now().toString()).build()
        : new APIServiceConditionBuilder().withType("Available").withStatus("False").withReason("FailedDiscoveryCheck")
            .withMessage("failing or missing response from " + url + ": Get \"" + url
                + "\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
            .withLastTransitionTime(Instant.now().toString()).build();
    resource.editStatus(a -> {
      List<APIServiceCondition> conditions = new ArrayList<>(a.getStatus() == null ? List.of() : a.getStatus().getConditions());
      conditions.removeIf(c -> "Available".equals(c.getType()));
      conditions.add(condition);
      a.setStatus(new io.fabric8.kubernetes.api.model.APIServiceStatusBuilder().withConditions(conditions).build());
      return a;
    });
    log.debug("APIService {} Available={}", metricsServer.apiService(), condition.getStatus());
  }

  private static APIServiceCondition available(APIService apiService) {
    return apiService.getStatus() == null || apiService.getStatus().getConditions() == null ? null
        : apiService.getStatus().getConditions().stream().filter(c -> "Available".equals(c.getType())).findFirst().orElse(null);
  }

  private String clusterIp() {
    var service = client.services().inNamespace(metricsServer.namespace()).withName(metricsServer.deployment()).get();
    return service == null || service.getSpec().getClusterIP() == null ? "10.96.0.1" : service.getSpec().getClusterIP();
  }

  // ------------------------------------------------------------------ real: the aggregated API

  private void serveTls() {
    String service = metricsServer.deployment() + "." + metricsServer.namespace() + ".svc";
    TestCertificateAuthority.Issued serving = ca.issue(service, List.of("127.0.0.1"), List.of(service, service + ".cluster.local"));
    web = new MockWebServer();
    web.setProtocols(List.of(Protocol.HTTP_1_1)); // the aggregator's proxy speaks HTTP/1.1 to it
    web.useHttps(serving.serverSocketFactory());
    web.setDispatcher(api.dispatcher());
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try {
      web.start(loopback, 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the metrics-server fake on loopback", e);
    }
    podNetwork.accept(metricsServer.namespace() + "/" + metricsServer.deployment(), new InetSocketAddress(loopback, web.getPort()));
  }

  /** The APIService as metrics-server's manifest registers it. */
  APIService apiService() {
    String name = metricsServer.apiService();
    int dot = name.indexOf('.');
    return new APIServiceBuilder()
        .withNewMetadata().withName(name).addToLabels("k8s-app", "metrics-server").endMetadata()
        .withNewSpec()
        .withGroup(dot < 0 ? name : name.substring(dot + 1))
        .withVersion(dot < 0 ? "v1" : name.substring(0, dot))
        .withGroupPriorityMinimum(100)
        .withVersionPriority(100)
        .withInsecureSkipTLSVerify(true)
        .withNewService().withNamespace(metricsServer.namespace()).withName(metricsServer.deployment()).withPort(443).endService()
        .endSpec()
        .build();
  }

  private void register() {
    if (registered && client.apiServices().withName(metricsServer.apiService()).get() != null) {
      return;
    }
    client.apiServices().resource(apiService()).fieldManager("sandbox-metrics-server").forceConflicts().serverSideApply();
    registered = true;
    log.debug("APIService {} registered", metricsServer.apiService());
  }

  private void unregister() {
    if (client.apiServices().withName(metricsServer.apiService()).get() != null) {
      client.apiServices().withName(metricsServer.apiService()).delete();
      log.debug("APIService {} deleted (metrics-server unhealthy)", metricsServer.apiService());
    }
    registered = false;
  }

  /** Deletes the APIService (real server), stops watching, then stops the fake. */
  @Override
  public synchronized void close() {
    if (executor == null && web == null) {
      return;
    }
    ScheduledExecutorService ex = executor;
    Informers.stop(informers, ex);
    executor = null;
    try {
      if (ex != null && !ex.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
        log.debug("metrics-server simulator: a reaction still runs while closing");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (real && client != null) {
      try {
        client.apiServices().withName(metricsServer.apiService()).delete();
      } catch (RuntimeException e) {
        log.debug("metrics-server simulator: deleting the APIService failed: {}", e.toString());
      }
    }
    api.healthy(false);
    if (web != null) {
      // The aggregator keeps idle connections open; closing them is expected, not worth okhttp's warning.
      java.util.logging.Logger okhttp = java.util.logging.Logger.getLogger(MockWebServer.class.getName());
      java.util.logging.Level level = okhttp.getLevel();
      okhttp.setLevel(java.util.logging.Level.SEVERE);
      try {
        web.close();
      } finally {
        okhttp.setLevel(level);
      }
      web = null;
    }
  }
}
