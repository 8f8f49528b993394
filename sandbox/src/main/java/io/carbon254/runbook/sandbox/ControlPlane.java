package io.carbon254.runbook.sandbox;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane on loopback, built by the project ({@link KubernetesTools}):
 * etcd, kube-apiserver (TLS from the given CA, RBAC, service-account keys, an admin token in
 * {@code system:masters}) and, unless left out, kube-controller-manager (ReplicaSets, garbage
 * collection, namespace deletion, ServiceAccounts and tokens are real). Every port is free when
 * chosen, the data lives in a private temporary folder (tmpfs when there is one), and
 * {@link #close()} stops controller manager, API server and etcd in that order, each with SIGTERM
 * then SIGKILL after a bounded wait, then deletes the folder.
 *
 * <p>There is no scheduler, no kubelet and no pod network: pods stay Pending until a simulator
 * plays those parts ({@link KubeletSimulator}), and the API server's proxies reach pods only
 * through {@link ClusterNetwork}.
 */
public final class ControlPlane implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  /** The address the API server advertises (a documentation address: nothing connects to it). */
  static final String ADVERTISE_ADDRESS = "192.0.2.10";

  static final String SERVICE_CIDR = "10.96.0.0/12";
  static final Duration START_PATIENCE = Duration.ofSeconds(90);
  static final Duration STOP_GRACE = Duration.ofSeconds(10);
  /** How often the controller manager's HPA controller syncs every HPA. */
  static final Duration HPA_SYNC = Duration.ofSeconds(2);

  private final KubernetesTools tools;
  private final TestCertificateAuthority ca;
  private final Path dir;
  private final String adminToken;
  private final List<ChildProcess> processes = new ArrayList<>();
  private final Thread killOnExit;
  private ClusterNetwork network;
  private int apiPort;
  private Duration startedIn;
  private Duration apiServerReadyIn;
  private boolean closed;

  private ControlPlane(KubernetesTools tools, TestCertificateAuthority ca, Path dir) {
    this.tools = tools;
    this.ca = ca;
    this.dir = dir;
    byte[] token = new byte[32];
    new SecureRandom().nextBytes(token);
    this.adminToken = HexFormat.of().formatHex(token);
    // A JVM ending without close() (Ctrl-C in the demo) must not leave the processes behind.
    this.killOnExit = new Thread(() -> processes.forEach(ChildProcess::kill), "control-plane-kill-on-exit");
  }

  /** Options of a control plane. */
  public record Options(boolean controllerManager, Function<InetSocketAddress, Optional<InetSocketAddress>> podNetwork) {

    /** API server, etcd and controller manager; pods reach nothing. */
    public static Options defaults() {
      return new Options(true, address -> Optional.empty());
    }

    /** Without the controller manager: statuses written by a test stay as written. */
    public Options withoutControllerManager() {
      return new Options(false, podNetwork);
    }

    /** Where the API server's proxies reach a pod's address (see {@link ClusterNetwork}). */
    public Options podNetwork(Function<InetSocketAddress, Optional<InetSocketAddress>> route) {
      return new Options(controllerManager, route);
    }
  }

  /** Starts etcd, the API server and the controller manager, installs the CRDs, and returns when all serve. */
  public static ControlPlane start(KubernetesTools tools, TestCertificateAuthority ca, Options options) {
    ControlPlane plane;
    try {
      plane = new ControlPlane(tools, ca, Files.createTempDirectory(tempBase(), "runbook-kube-"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the control plane's folder", e);
    }
    try {
      plane.doStart(options);
      return plane;
    } catch (RuntimeException | Error e) {
      plane.close();
      throw e;
    }
  }

  /**
   * The API server's audit log: one JSON event per line for every request of a ServiceAccount
   * outside kube-system, at Metadata level (user, verb, objectRef, responseStatus).
   */
  public Path auditLog() {
    return dir.resolve("audit.log");
  }

  /** {@code https://127.0.0.1:<port>}. */
  public String url() {
    return "https://127.0.0.1:" + apiPort;
  }

  /** The cluster CA (the API server's serving certificate is signed by it), PEM. */
  public String caPem() {
    return ca.pem();
  }

  /** A client configuration as the cluster's admin ({@code system:masters}). Never logged. */
  public Config adminConfig() {
    return config(adminToken);
  }

  /** A client configuration with a bearer token, trusting only this control plane's CA. */
  public Config config(String token) {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(url())
        .withCaCertData(Base64.getEncoder().encodeToString(ca.pem().getBytes(StandardCharsets.US_ASCII)))
        .withOauthToken(token)
        .withHttp2Disable(true)
        .withNamespace("default")
        .build();
  }

  /** A token of a ServiceAccount from the TokenRequest API, as a pod would get it mounted. */
  public static String serviceAccountToken(KubernetesClient admin, String namespace, String serviceAccount, Duration lifetime) {
    TokenRequest request = new TokenRequestBuilder().withNewSpec().withExpirationSeconds(lifetime.toSeconds()).endSpec().build();
    return admin.serviceAccounts().inNamespace(namespace).withName(serviceAccount).tokenRequest(request).getStatus().getToken();
  }

  /** Applies manifests (multi-document YAML) as the admin, in order. */
  public static List<HasMetadata> apply(KubernetesClient admin, InputStream yaml) {
    List<HasMetadata> applied = new ArrayList<>();
    for (HasMetadata object : admin.load(yaml).items()) {
      applied.add(admin.resource(object).fieldManager("sandbox").forceConflicts().serverSideApply());
    }
    return applied;
  }

  /** kube-apiserver v1.36.3 at https://127.0.0.1:port, etc. */
  public String describe() {
    return "kube-apiserver (" + tools.version() + ") at " + url() + ", ready in " + apiServerReadyIn.toMillis()
        + " ms, with CRDs and controller manager in " + startedIn.toMillis() + " ms";
  }

  /** The process ids of etcd, the API server and the controller manager. */
  List<Long> processIds() {
    return processes.stream().map(ChildProcess::pid).toList();
  }

  /** How long etcd, the API server and the controller manager took to serve (CRDs included). */
  public Duration startedIn() {
    return startedIn;
  }

  private void doStart(Options options) {
    long started = System.nanoTime();
    Runtime.getRuntime().addShutdownHook(killOnExit);
    TestCertificateAuthority.Issued serving = ca.issue("kube-apiserver", List.of("127.0.0.1"),
        List.of("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"));
    KeyPair serviceAccounts = ecKeys();
    write("ca.crt", ca.pem());
    write("ca.key", ca.privateKeyPem());
    write("apiserver.crt", serving.certificatePem());
    write("apiserver.key", serving.privateKeyPem());
    write("sa.key", TestCertificateAuthority.pem(serviceAccounts.getPrivate()));
    write("sa.pub", TestCertificateAuthority.pem(serviceAccounts.getPublic()));
    write("tokens.csv", adminToken + ",runbook-sandbox-admin,runbook-sandbox-admin,\"system:masters\"\n");
    network = new ClusterNetwork(dir.resolve("cluster-network.sock"), options.podNetwork());
    write("egress.yaml", """
        apiVersion: apiserver.k8s.io/v1beta1
        kind: EgressSelectorConfiguration
        egressSelections:
        - name: cluster
          connection:
            proxyProtocol: HTTPConnect
            transport:
              uds:
                udsName: %s
        """.formatted(network.socket()));

    int etcdPort = freePort();
    int etcdPeerPort = freePort();
    ChildProcess etcd = launch("etcd", List.of(tools.etcd().toString(),
        "--name=sandbox", "--data-dir=" + dir.resolve("etcd"),
        "--listen-client-urls=http://127.0.0.1:" + etcdPort, "--advertise-client-urls=http://127.0.0.1:" + etcdPort,
        "--listen-peer-urls=http://127.0.0.1:" + etcdPeerPort, "--initial-advertise-peer-urls=http://127.0.0.1:" + etcdPeerPort,
        "--initial-cluster=sandbox=http://127.0.0.1:" + etcdPeerPort, "--unsafe-no-fsync", "--log-level=warn"));
    HttpClient http = HttpClient.newBuilder().sslContext(trusting(ca)).connectTimeout(Duration.ofSeconds(2)).build();
    await(etcd, http, "http://127.0.0.1:" + etcdPort + "/health", null);

    // Every request of a ServiceAccount outside kube-system (the worker's), at Metadata level: who
    // asked for which verb on which object, and the answer. The least-privilege test reads it.
    write("audit-policy.yaml", """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: [RequestReceived]
        rules:
        - level: None
          userGroups: ["system:serviceaccounts:kube-system"]
        - level: Metadata
          userGroups: ["system:serviceaccounts"]
        - level: None
        """);
    apiPort = freePort();
    ChildProcess apiServer = launch("kube-apiserver", List.of(tools.apiServer().toString(),
        "--audit-policy-file=" + dir.resolve("audit-policy.yaml"), "--audit-log-path=" + auditLog(),
        "--audit-log-format=json", "--audit-log-mode=blocking",
        "--etcd-servers=http://127.0.0.1:" + etcdPort, "--bind-address=127.0.0.1", "--secure-port=" + apiPort,
        "--advertise-address=" + ADVERTISE_ADDRESS, "--endpoint-reconciler-type=none",
        "--tls-cert-file=" + dir.resolve("apiserver.crt"), "--tls-private-key-file=" + dir.resolve("apiserver.key"),
        "--client-ca-file=" + dir.resolve("ca.crt"), "--token-auth-file=" + dir.resolve("tokens.csv"),
        "--authorization-mode=RBAC", "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-signing-key-file=" + dir.resolve("sa.key"), "--service-account-key-file=" + dir.resolve("sa.pub"),
        "--service-cluster-ip-range=" + SERVICE_CIDR, "--allow-privileged=true", "--profiling=false",
        "--egress-selector-config-file=" + dir.resolve("egress.yaml"), "--cert-dir=" + dir.resolve("apiserver-certs"),
        // Aggregated APIs (metrics.k8s.io) are reached at their Service's ready pod addresses, which
        // the cluster network routes, not at a ClusterIP that only kube-proxy could (there is none).
        "--enable-aggregator-routing=true"));
    await(apiServer, http, url() + "/readyz", adminToken);
    apiServerReadyIn = Duration.ofNanos(System.nanoTime() - started);

    if (options.controllerManager()) {
      write("controller-manager.kubeconfig", """
          apiVersion: v1
          kind: Config
          clusters:
          - name: sandbox
            cluster:
              server: %s
              certificate-authority: %s
          users:
          - name: admin
            user:
              token: %s
          contexts:
          - name: sandbox
            context: {cluster: sandbox, user: admin}
          current-context: sandbox
          """.formatted(url(), dir.resolve("ca.crt"), adminToken));
      Path kubeconfig = dir.resolve("controller-manager.kubeconfig");
      launch("kube-controller-manager", List.of(tools.controllerManager().toString(),
          "--kubeconfig=" + kubeconfig, "--authentication-kubeconfig=" + kubeconfig, "--authorization-kubeconfig=" + kubeconfig,
          "--bind-address=127.0.0.1", "--secure-port=" + freePort(), "--leader-elect=false",
          "--service-account-private-key-file=" + dir.resolve("sa.key"), "--root-ca-file=" + dir.resolve("ca.crt"),
          "--use-service-account-credentials=true", "--service-cluster-ip-range=" + SERVICE_CIDR,
          "--cluster-signing-cert-file=" + dir.resolve("ca.crt"), "--cluster-signing-key-file=" + dir.resolve("ca.key"),
          "--controllers=*,bootstrap-signer-controller,token-cleaner-controller", "--cert-dir=" + dir.resolve("controller-manager-certs"),
          // HPAs converge in seconds, not minutes: sync every 2 s (default 15 s), and a pod's CPU
          // samples count 1 s after it starts (default 5 min, when samples younger than a metrics
          // window after readiness are skipped).
          "--horizontal-pod-autoscaler-sync-period=" + HPA_SYNC.toSeconds() + "s",
          "--horizontal-pod-autoscaler-cpu-initialization-period=1s"));
    }
    try (KubernetesClient admin = new KubernetesClientBuilder().withConfig(adminConfig()).build()) {
      installCrds(admin);
      if (options.controllerManager()) {
        awaitControllerManager(admin);
      }
    }
    startedIn = Duration.ofNanos(System.nanoTime() - started);
    log.info("real Kubernetes control plane serving: {}", describe());
  }

  /** The CRDs of Velero and prometheus-operator, Established before this returns. */
  private void installCrds(KubernetesClient admin) {
    List<String> names = new ArrayList<>();
    for (Path crd : tools.crds()) {
      try (InputStream in = Files.newInputStream(crd)) {
        apply(admin, in).forEach(o -> names.add(o.getMetadata().getName()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + crd, e);
      }
    }
    for (String name : names) {
      admin.apiextensions().v1().customResourceDefinitions().withName(name).waitUntilCondition(crd -> crd != null
          && crd.getStatus() != null && crd.getStatus().getConditions() != null && crd.getStatus().getConditions().stream()
          .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())), 60, TimeUnit.SECONDS);
    }
  }

  /** The controller manager works once its ServiceAccount controller made {@code default/default}. */
  private void awaitControllerManager(KubernetesClient admin) {
    ChildProcess manager = processes.get(processes.size() - 1);
    long deadline = System.nanoTime() + START_PATIENCE.toNanos();
    while (admin.serviceAccounts().inNamespace("default").withName("default").get() == null) {
      if (!manager.isAlive()) {
        throw new IllegalStateException("the Kubernetes control plane did not start: " + manager.died());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("kube-controller-manager made no ServiceAccount within " + START_PATIENCE.toSeconds()
            + " s; the end of its log:\n" + manager.tail(30));
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
  }

  private ChildProcess launch(String name, List<String> command) {
    ChildProcess process = ChildProcess.start(name, command, dir.resolve(name + ".log"));
    processes.add(process);
    return process;
  }

  /** Until {@code url} answers 200 (with the token as bearer, if any); fails with the process's log if it dies or takes too long. */
  private static void await(ChildProcess process, HttpClient http, String url, String token) {
    long deadline = System.nanoTime() + START_PATIENCE.toNanos();
    String last = "no answer yet";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the Kubernetes control plane did not start: " + process.died());
      }
      try {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (token != null) {
          request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
        last = "HTTP " + response.statusCode();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while " + process.name() + " starts");
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    throw new IllegalStateException(process.name() + " did not serve " + url + " within " + START_PATIENCE.toSeconds() + " s ("
        + last + "); the end of its log:\n" + process.tail(30));
  }

  /** Stops controller manager, API server, etcd (in that order, each bounded), then deletes the folder. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).stop(STOP_GRACE);
    }
    if (network != null) {
      network.close();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook runs anyway
    }
    deleteTree(dir);
    log.info("real Kubernetes control plane stopped");
  }

  private void write(String name, String content) {
    try {
      Path file = dir.resolve(name);
      Files.writeString(file, content);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + name + " into " + dir, e);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      log.debug("cannot delete {}: {}", root, e.toString());
    }
  }

  /** tmpfs when there is one (etcd writes a lot), else the JVM's temporary folder. */
  private static Path tempBase() {
    Path shm = Path.of("/dev/shm");
    return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  private static KeyPair ecKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256, new SecureRandom());
      return generator.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static SSLContext trusting(TestCertificateAuthority ca) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(ca.pem().getBytes(StandardCharsets.US_ASCII))));
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (java.security.GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot trust the sandbox CA", e);
    }
  }
}
