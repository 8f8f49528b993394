package io.carbon254.runbook.sandbox;

import io.carbon254.runbook.config.Hpa;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.config.SecretRef;
import io.carbon254.runbook.config.Sso;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import mockwebserver3.MockWebServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process simulated 254Carbon platform, reachable over loopback from this and other
 * processes: a Kubernetes API seeded with the platform as the status report found it, small
 * controller {@link Simulator}s, and HTTP fakes of Prometheus, Harbor and MinIO.
 *
 * <p>The Kubernetes API is a real control plane ({@link ControlPlane}: etcd, kube-apiserver with
 * RBAC and the operators' CRDs, kube-controller-manager) when the project's tools are installed,
 * else fabric8's CRUD mock ({@link KubernetesMode}). On the real one the {@link KubeletSimulator}
 * plays scheduler and kubelets, the controllers do the rest, and the worker's credential in
 * {@link #endpoints()} is a token of the ServiceAccount that {@code deploy/rbac.yaml} grants.
 * The {@link MetricsServerSimulator} serves the metrics API once metrics-server's args are right.
 *
 * <pre>{@code
 * try (Sandbox sandbox = Sandbox.start(ConfigLoader.loadDefault())) {
 *   sandbox.publish(Sandbox.defaultStateDir());   // other processes: SandboxEndpoints.read(...)
 *   KubernetesClient k8s = sandbox.kubernetesClient();
 * }
 * }</pre>
 *
 * Everything lives in memory and is gone on {@link #close()}.
 */
public final class Sandbox implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Sandbox.class);

  /** Demo credentials planted in the sandbox's Secrets (never real ones). */
  public static final String DEMO_MINIO_ACCESS_KEY = "sandbox-minio-access";

  public static final String DEMO_MINIO_SECRET_KEY = "sandbox-minio-secret-Kp3x9";
  public static final String DEMO_HARBOR_ADMIN_PASSWORD = "Harbor12345-sandbox";
  public static final String DEMO_POSTGRES_PASSWORD = "sandbox-postgres-Zq71";

  /** The Kubernetes version the simulated API server and node report. */
  public static final String KUBERNETES_VERSION = PlatformSeeder.KUBELET_VERSION;

  /** The worker's RBAC (a resource of this jar, from the repository's {@code deploy/}). */
  public static final String WORKER_RBAC = "deploy/rbac.yaml";

  public static final String WORKER_NAMESPACE = "runbook";
  public static final String WORKER_SERVICE_ACCOUNT = "runbook-worker";

  /** The Secret, in the worker's namespace, with the demo Cloudflare API token and Access service token. */
  public static final String CLOUDFLARE_SECRET = "cloudflare-access";

  /** The file name of the endpoints file in a state directory. */
  public static final String STATE_FILE_NAME = "sandbox.json";

  // Both mock servers log every request through java.util.logging at INFO; keep them quiet
  // (strong references: JUL holds loggers weakly and would forget the level).
  private static final java.util.logging.Logger FABRIC8_MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");
  private static final java.util.logging.Logger OKHTTP_MOCK_LOG =
      java.util.logging.Logger.getLogger("mockwebserver3.MockWebServer");

  static {
    FABRIC8_MOCK_LOG.setLevel(Level.WARNING);
    OKHTTP_MOCK_LOG.setLevel(Level.WARNING);
  }

  private final PlatformConfig config;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<Path> published = new ArrayList<>();
  private KubernetesMockServer server;
  private ControlPlane controlPlane;
  private KubeletSimulator kubelet;
  private KubernetesClient client;
  private SandboxEndpoints endpoints;
  private TestCertificateAuthority ca;
  private SandboxObjectStore objectStore;
  private HarborApiFake harborApi;
  private CloudflareAccessFake cloudflare;
  private AccessEdge edge;
  private final OciRegistry sourceRegistry = new OciRegistry();

  private Sandbox(PlatformConfig config) {
    this.config = config;
  }

  /** Starts a sandbox of {@code config} with the default fakes and simulators. */
  public static Sandbox start(PlatformConfig config) {
    return builder(config).start();
  }

  /** A sandbox with other fakes or further simulators. */
  public static Builder builder(PlatformConfig config) {
    return new Builder(config);
  }

  /** The platform this sandbox simulates. */
  public PlatformConfig config() {
    return config;
  }

  /** Where the sandbox answers. */
  public SandboxEndpoints endpoints() {
    return endpoints;
  }

  /** A client of the sandbox's API as its admin, owned by the sandbox (closed with it; do not close it yourself). */
  public KubernetesClient kubernetesClient() {
    return client;
  }

  /** The real control plane, when the sandbox runs on one. */
  public Optional<ControlPlane> controlPlane() {
    return Optional.ofNullable(controlPlane);
  }

  /** Which Kubernetes API this sandbox serves, for the operator. */
  public String describeKubernetes() {
    return controlPlane != null ? "real " + controlPlane.describe()
        : "fabric8's mock Kubernetes API at " + endpoints.kubernetesUrl() + " (the real API server is not installed: "
            + KubernetesTools.INSTALL_COMMAND + " builds it)";
  }

  /**
   * The S3 store behind the MinIO endpoint (S3Proxy, in memory), accepting the demo MinIO
   * credentials that {@code minio-secret} holds: what clients did through S3 can be checked here.
   */
  /** The stateful Harbor (API and registry) behind Harbor's URL. */
  public HarborApiFake harbor() {
    return harborApi;
  }

  /** Docker Hub, quay.io, registry.k8s.io...: every platform image, small and synthetic. */
  public OciRegistry sourceRegistry() {
    return sourceRegistry;
  }

  /** The stateful Cloudflare Access account behind {@code https://api.cloudflare.com}. */
  public CloudflareAccessFake cloudflare() {
    return cloudflare;
  }

  /**
   * The platform's public hosts (Cloudflare's edge, ingress-nginx and the services), reached by
   * their real names through {@link SandboxEndpoints#connectTo()}.
   */
  public AccessEdge accessEdge() {
    return edge;
  }

  /**
   * {@code config} with API access to this sandbox's Cloudflare account (its account id, and the
   * token and service token of the Secret {@code runbook/cloudflare-access}): sso-access runs in API
   * mode against the fake, sso-validation's authenticated checks run. The shipped configuration has
   * no token, so {@code runbook dev --sandbox} runs sso-access in manual mode.
   */
  public static PlatformConfig withCloudflareApi(PlatformConfig config) {
    if (config.sso() == null) {
      return config;
    }
    return config.withSso(config.sso().withApiAccess(CloudflareAccessFake.DEMO_ACCOUNT_ID,
        SecretRef.kubernetes(WORKER_NAMESPACE, CLOUDFLARE_SECRET, "api-token"),
        new Sso.ServiceToken(SecretRef.kubernetes(WORKER_NAMESPACE, CLOUDFLARE_SECRET, "client-id"),
            SecretRef.kubernetes(WORKER_NAMESPACE, CLOUDFLARE_SECRET, "client-secret"))));
  }

  public SandboxObjectStore objectStore() {
    return objectStore;
  }

  /** The cluster CA published in {@code kube-public/cluster-info}. */
  public TestCertificateAuthority certificateAuthority() {
    return ca;
  }

  /**
   * Writes {@link #endpoints()} to {@link #stateFile(Path) stateFile(stateDir)} for other
   * processes, and deletes that file again on {@link #close()}.
   */
  public Path publish(Path stateDir) {
    Path file = stateFile(stateDir);
    endpoints.write(file);
    synchronized (published) {
      published.add(file);
    }
    log.info("sandbox endpoints written to {}", file);
    return file;
  }

  /** The endpoints file in a state directory. */
  public static Path stateFile(Path stateDir) {
    return stateDir.resolve(STATE_FILE_NAME);
  }

  /** {@code $RUNBOOK_STATE_DIR}, else {@code $XDG_STATE_HOME/runbook}, else {@code ~/.local/state/runbook}. */
  public static Path defaultStateDir() {
    return defaultStateDir(System.getenv());
  }

  static Path defaultStateDir(Map<String, String> env) {
    String explicit = env.get("RUNBOOK_STATE_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = env.get("XDG_STATE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "runbook");
    }
    return Path.of(System.getProperty("user.home"), ".local", "state", "runbook");
  }

  /** Stops simulators, fakes and the API server, frees their ports and deletes published endpoint files. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<AutoCloseable> reversed = new ArrayList<>(resources);
    java.util.Collections.reverse(reversed);
    for (AutoCloseable resource : reversed) {
      try {
        resource.close();
      } catch (Exception e) {
        log.warn("sandbox: closing {} failed: {}", resource, e.toString());
      }
    }
    synchronized (published) {
      for (Path file : published) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          log.warn("sandbox: cannot delete {}: {}", file, e.toString());
        }
      }
    }
    log.info("sandbox stopped");
  }

  private void doStart(Builder b) {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    ca = TestCertificateAuthority.generate();

    HttpFake prometheusFake = b.prometheus != null ? b.prometheus : new PrometheusFake();
    HttpFake harborFake = b.harbor != null ? b.harbor : new HarborFake();
    harborApi = new HarborApiFake(DEMO_HARBOR_ADMIN_PASSWORD);
    objectStore = SandboxObjectStore.start(DEMO_MINIO_ACCESS_KEY, DEMO_MINIO_SECRET_KEY);
    resources.add(closer("S3 endpoint (S3Proxy)", objectStore::close));
    HttpFake minioFake = b.minio != null ? b.minio : new MinioFake(objectStore.endpoint());
    String prometheusUrl = serve(prometheusFake, loopback);
    // The stateful Harbor (API and registry) answers Harbor's URL; the health-only fake stays behind the service proxy.
    String harborUrl = b.harbor != null ? serve(harborFake, loopback) : serve(harborApi.dispatcher(), "Harbor", loopback);
    String sourcesUrl = serve(sourceRegistry.dispatcher(), "source registries", loopback);
    String minioUrl = serve(minioFake, loopback);
    cloudflare = new CloudflareAccessFake().start();
    resources.add(closer("Cloudflare Access fake", cloudflare::close));

    // The Services whose proxy (and pods) the fakes answer for: namespace/service → fake.
    Map<String, HttpFake> proxied = new LinkedHashMap<>();
    String monitoringNs = config.monitoring() != null && config.monitoring().namespace() != null
        ? config.monitoring().namespace() : "monitoring";
    if (config.monitoring() != null && config.monitoring().prometheusService() != null) {
      proxied.put(monitoringNs + "/" + config.monitoring().prometheusService(), prometheusFake);
    }
    proxied.put(monitoringNs + "/prometheus-operated", prometheusFake);
    if (config.harbor() != null) {
      proxied.put(config.harbor().namespace() + "/harbor-core", harborFake);
      proxied.put(config.harbor().namespace() + "/harbor", harborFake);
    }
    if (config.ha() != null && config.ha().minio() != null) {
      String switchService = config.ha().minio().switchService() == null ? "minio-service" : config.ha().minio().switchService();
      proxied.put(config.ha().minio().namespace() + "/" + switchService, minioFake);
    }

    KubernetesMode mode = b.kubernetes.resolve();
    String kubernetesUrl;
    // namespace/service → the loopback fake that stands in for its pods (real API server only).
    Map<String, InetSocketAddress> pods = new ConcurrentHashMap<>();
    Hpa.MetricsServer metricsServerConfig = config.hpa() == null ? null : config.hpa().metricsServer();
    MetricsServerSimulator metricsServer = !b.metricsServerSimulator || metricsServerConfig == null ? null
        : mode == KubernetesMode.REAL ? MetricsServerSimulator.onTheRealServer(metricsServerConfig, ca, pods::put)
        : MetricsServerSimulator.onTheMock(metricsServerConfig);
    if (mode == KubernetesMode.REAL) {
      proxied.forEach((service, fake) -> pods.put(service, serveForPods(fake, loopback)));
      controlPlane = ControlPlane.start(KubernetesTools.require(), ca, ControlPlane.Options.defaults()
          .podNetwork(address -> podStandIn(address, pods)));
      resources.add(closer("Kubernetes control plane", controlPlane::close));
      client = new KubernetesClientBuilder().withConfig(controlPlane.adminConfig()).build();
      kubernetesUrl = controlPlane.url();
    } else {
      SandboxDispatcher dispatcher = new SandboxDispatcher(KUBERNETES_VERSION);
      proxied.forEach((service, fake) -> dispatcher.proxy(service.substring(0, service.indexOf('/')),
          service.substring(service.indexOf('/') + 1), fake));
      if (metricsServer != null) {
        dispatcher.aggregate(MetricsApiFake.GROUP, metricsServer.api());
      }
      String[] v = KUBERNETES_VERSION.substring(1).split("\\.");
      server =
          new KubernetesMockServer(
              new Context(),
              new io.fabric8.mockwebserver.MockWebServer(),
              new HashMap<>(),
              dispatcher,
              false,
              new VersionInfo.Builder().withMajor(v[0]).withMinor(v[1]).withGitVersion(KUBERNETES_VERSION).build());
      server.init(loopback, 0);
      resources.add(closer("Kubernetes API mock", server::destroy));
      kubernetesUrl = "http://" + loopback.getHostAddress() + ":" + server.getPort();
      client = new KubernetesClientBuilder().withConfig(new SandboxEndpoints(kubernetesUrl, Map.of()).kubernetesConfig()).build();
    }
    resources.add(closer("sandbox Kubernetes client", client::close));

    PlatformSeeder seeder = new PlatformSeeder(config, client, ca, mode == KubernetesMode.REAL);
    seeder.seed();
    Set<String> sourceHosts = SourceImages.seed(sourceRegistry, config.images(), client);
    Map<String, String> routes = routes(prometheusUrl, harborUrl, minioUrl);
    route(routes, "https://api.cloudflare.com", cloudflare.url());
    sourceHosts.forEach(host -> route(routes, "https://" + host, sourcesUrl));
    if (mode == KubernetesMode.REAL) {
      endpoints = new SandboxEndpoints(kubernetesUrl, routes, workerToken(), controlPlane.caPem());
    } else {
      endpoints = new SandboxEndpoints(kubernetesUrl, routes);
    }
    edge = new AccessEdge(config, ca, cloudflare::audFor, client).start();
    resources.add(closer("Access edge", edge::close));
    endpoints = endpoints.withConnectTo(edge.connectTo(), edge.caPem());
    cloudflareSecret();

    List<Simulator> simulators = new ArrayList<>();
    if (mode == KubernetesMode.REAL) {
      // Scheduler and kubelets: the controllers roll workloads out for real.
      kubelet = new KubeletSimulator(b.rolloutDelay);
      simulators.add(kubelet);
    } else if (b.rolloutSimulator) {
      simulators.add(new RolloutSimulator(b.rolloutDelay));
    }
    if (b.veleroSimulator) {
      simulators.add(new VeleroSimulator(objectStore, b.veleroStep, Duration.ofSeconds(1)));
    }
    if (metricsServer != null) {
      simulators.add(metricsServer);
    }
    simulators.addAll(b.simulators);
    for (Simulator simulator : simulators) {
      simulator.start(client);
      resources.add(closer("simulator " + simulator.name(), simulator::close));
    }
    if (mode == KubernetesMode.REAL) {
      seeder.awaitRollouts(Duration.ofMinutes(3));
    }
    log.info("sandbox of platform {} running: {}, Prometheus {}, Harbor {}, MinIO {} (S3 {})",
        config.name(), describeKubernetes(), prometheusUrl, harborUrl, minioUrl, objectStore.endpoint());
  }

  /** The demo Cloudflare credentials that {@link #withCloudflareApi} refers to (never real ones). */
  private void cloudflareSecret() {
    client.secrets().inNamespace(WORKER_NAMESPACE).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata().withName(CLOUDFLARE_SECRET).withNamespace(WORKER_NAMESPACE).endMetadata()
        .addToStringData("api-token", CloudflareAccessFake.DEMO_TOKEN)
        .addToStringData("client-id", AccessEdge.DEMO_CLIENT_ID)
        .addToStringData("client-secret", AccessEdge.DEMO_CLIENT_SECRET)
        .build()).create();
  }

  /** The worker's identity on the real API server: deploy/rbac.yaml applied, a token of its ServiceAccount. */
  private String workerToken() {
    try (InputStream rbac = Sandbox.class.getResourceAsStream("/" + WORKER_RBAC)) {
      if (rbac == null) {
        throw new IllegalStateException(WORKER_RBAC + " is not on the classpath");
      }
      ControlPlane.apply(client, rbac);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ControlPlane.serviceAccountToken(client, WORKER_NAMESPACE, WORKER_SERVICE_ACCOUNT, Duration.ofHours(24));
  }

  /**
   * The loopback address of the fake that plays the pod at {@code address}: the fake of a Service
   * whose Endpoints hold that address.
   */
  private Optional<InetSocketAddress> podStandIn(InetSocketAddress address, Map<String, InetSocketAddress> fakes) {
    String ip = address.getHostString();
    for (Map.Entry<String, InetSocketAddress> fake : fakes.entrySet()) {
      String[] service = fake.getKey().split("/", 2);
      var endpoints = client.endpoints().inNamespace(service[0]).withName(service[1]).get();
      boolean there = endpoints != null && endpoints.getSubsets() != null && endpoints.getSubsets().stream()
          .flatMap(s -> s.getAddresses() == null ? java.util.stream.Stream.empty() : s.getAddresses().stream())
          .anyMatch(a -> ip.equals(a.getIp()));
      if (there) {
        return Optional.of(fake.getValue());
      }
    }
    return Optional.empty();
  }

  private InetSocketAddress serveForPods(HttpFake fake, InetAddress loopback) {
    URI url = URI.create(serve(fake, loopback));
    return new InetSocketAddress(url.getHost(), url.getPort());
  }

  private Map<String, String> routes(String prometheusUrl, String harborUrl, String minioUrl) {
    Map<String, String> routes = new LinkedHashMap<>();
    if (config.harbor() != null) {
      route(routes, config.harbor().url(), harborUrl);
      for (String host : config.harbor().alternateHosts()) {
        route(routes, "https://" + host, harborUrl);
      }
    }
    if (config.backup() != null) {
      if (config.backup().objectStore() != null) {
        route(routes, config.backup().objectStore().endpoint(), minioUrl);
      }
      if (config.backup().storageLocation() != null) {
        route(routes, config.backup().storageLocation().config().get("s3Url"), minioUrl);
        route(routes, config.backup().storageLocation().config().get("publicUrl"), minioUrl);
      }
    }
    if (config.monitoring() != null) {
      route(routes, config.monitoring().prometheusUrl(), prometheusUrl);
    }
    return routes;
  }

  /** Adds {@code scheme://host[:port]} of {@code realUrl} → {@code fakeUrl}. */
  private static void route(Map<String, String> routes, String realUrl, String fakeUrl) {
    if (realUrl == null || realUrl.isBlank()) {
      return;
    }
    URI uri = URI.create(realUrl.trim());
    if (uri.getScheme() == null || uri.getHost() == null) {
      log.warn("sandbox: no route for {} (not an absolute URL)", realUrl);
      return;
    }
    String key = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    routes.putIfAbsent(key, fakeUrl);
  }

  private String serve(HttpFake fake, InetAddress loopback) {
    return serve(fake.dispatcher(), fake.getClass().getSimpleName(), loopback);
  }

  private String serve(mockwebserver3.Dispatcher dispatcher, String name, InetAddress loopback) {
    MockWebServer web = new MockWebServer();
    web.setDispatcher(dispatcher);
    try {
      web.start(loopback, 0);
    } catch (IOException e) {
      throw new UncheckedIOException("sandbox: cannot start the " + name + " on loopback", e);
    }
    resources.add(closer(name, web::close));
    return "http://" + loopback.getHostAddress() + ":" + web.getPort();
  }

  private static AutoCloseable closer(String what, Runnable close) {
    return new AutoCloseable() {
      @Override
      public void close() {
        close.run();
      }

      @Override
      public String toString() {
        return what;
      }
    };
  }

  /** Options of a sandbox. */
  public static final class Builder {
    private final PlatformConfig config;
    private final List<Simulator> simulators = new ArrayList<>();
    private KubernetesMode kubernetes = KubernetesMode.AUTO;
    private boolean rolloutSimulator = true;
    private boolean veleroSimulator = true;
    private boolean metricsServerSimulator = true;
    private Duration veleroStep = Duration.ofMillis(300);
    private Duration rolloutDelay = Duration.ofMillis(300);
    private HttpFake prometheus;
    private HttpFake harbor;
    private HttpFake minio;

    private Builder(PlatformConfig config) {
      this.config = java.util.Objects.requireNonNull(config, "config");
    }

    /** Which Kubernetes API to serve (default {@link KubernetesMode#AUTO}). */
    public Builder kubernetes(KubernetesMode mode) {
      this.kubernetes = java.util.Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Runs a further simulator (after the built-in ones), closed with the sandbox. */
    public Builder simulator(Simulator simulator) {
      simulators.add(simulator);
      return this;
    }

    /** How long a simulated rollout takes (default 300 ms). */
    public Builder rolloutDelay(Duration delay) {
      this.rolloutDelay = delay;
      return this;
    }

    /** Without the built-in {@link RolloutSimulator} (mock API only): workloads changed by a test stay un-rolled-out. */
    public Builder withoutRolloutSimulator() {
      this.rolloutSimulator = false;
      return this;
    }

    /** Without the built-in {@link VeleroSimulator}: Velero objects keep the status they are given. */
    public Builder withoutVeleroSimulator() {
      this.veleroSimulator = false;
      return this;
    }

    /**
     * Without the built-in {@link MetricsServerSimulator}: the metrics API stays unavailable
     * whatever metrics-server's args, and on the mock nothing writes HPA statuses.
     */
    public Builder withoutMetricsServerSimulator() {
      this.metricsServerSimulator = false;
      return this;
    }

    /** How long a simulated Velero Backup or Restore stays InProgress (default 300 ms). */
    public Builder veleroStep(Duration step) {
      this.veleroStep = step;
      return this;
    }

    /** Another Prometheus fake (default {@link PrometheusFake}). */
    public Builder prometheus(HttpFake fake) {
      this.prometheus = fake;
      return this;
    }

    /** Another Harbor fake, e.g. a stateful Harbor API (default {@link HarborFake}). */
    public Builder harbor(HttpFake fake) {
      this.harbor = fake;
      return this;
    }

    /** Another MinIO fake (default {@link MinioFake}). */
    public Builder minio(HttpFake fake) {
      this.minio = fake;
      return this;
    }

    /** Starts the sandbox; on failure everything started so far is stopped again. */
    public Sandbox start() {
      Sandbox sandbox = new Sandbox(config);
      try {
        sandbox.doStart(this);
        return sandbox;
      } catch (RuntimeException | Error e) {
        sandbox.close();
        throw e;
      }
    }
  }
}
