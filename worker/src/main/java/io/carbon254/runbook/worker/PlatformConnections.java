package io.carbon254.runbook.worker;

import io.carbon254.runbook.activities.ConnectToRoutes;
import io.carbon254.runbook.activities.EndpointRoutes;
import io.carbon254.runbook.activities.SecretResolver;
import io.carbon254.runbook.activities.Secrets;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import okhttp3.OkHttpClient;

/**
 * How the worker reaches the platform: the Kubernetes API, plain HTTP (with optional endpoint
 * routes) and secret references. One set for a real cluster, one for a simulated platform (the
 * sandbox of {@code runbook dev}, which the worker itself knows nothing of: it is not on the
 * worker's classpath).
 */
public record PlatformConnections(KubernetesClient kubernetes, OkHttpClient http, SecretResolver secrets, String describe)
    implements AutoCloseable {

  /** The cluster of the kubeconfig (fabric8's discovery: {@code KUBECONFIG}, {@code ~/.kube/config}) or in-cluster. */
  public static PlatformConnections cluster() {
    boolean inCluster = Files.exists(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token"));
    String kubeconfig = System.getenv().getOrDefault("KUBECONFIG", Path.of(System.getProperty("user.home"), ".kube", "config").toString());
    if (!inCluster && !Files.isReadable(Path.of(kubeconfig.split(java.io.File.pathSeparator)[0]))) {
      throw new StartupException("no kubeconfig at " + kubeconfig + " and not running in a cluster: set KUBECONFIG,"
          + " mount one, or try the simulated platform with --sandbox");
    }
    // fabric8 retries 5xx answers ten times by default (~100 s); activities have their own retries.
    Config config = new ConfigBuilder(Config.autoConfigure(null)).withRequestRetryBackoffLimit(2).build();
    KubernetesClient kubernetes = new KubernetesClientBuilder().withConfig(config).build();
    return new PlatformConnections(kubernetes, http(Map.of()), new Secrets(System::getenv, kubernetes),
        "Kubernetes API " + kubernetes.getConfiguration().getMasterUrl()
            + (inCluster ? " (in-cluster)" : " (kubeconfig " + kubeconfig + ")"));
  }

  /**
   * A simulated platform: its Kubernetes API at {@code kubernetesUrl} (no kubeconfig is read, so a
   * real cluster's credentials never reach it), and each real endpoint of the configuration routed
   * to its stand-in ({@code routes}: real base URL → stand-in base URL).
   */
  public static PlatformConnections simulated(String kubernetesUrl, Map<String, String> routes, String describe) {
    return simulated(new ConfigBuilder(Config.empty()).withMasterUrl(kubernetesUrl).withTrustCerts(true).withNamespace("default")
        .build(), routes, describe);
  }

  /** As above, with the simulated platform's own client configuration (a real API server: its CA and a token). */
  public static PlatformConnections simulated(Config kubernetesConfig, Map<String, String> routes, String describe) {
    return simulated(kubernetesConfig, routes, Map.of(), null, describe);
  }

  /**
   * As above, and hosts reached by their real names on loopback stand-ins ({@code connectTo}:
   * {@code host:port} → {@code 127.0.0.1:port}; see {@link ConnectToRoutes}), whose certificates
   * {@code connectToCa} signs (trusted for those hosts only).
   */
  public static PlatformConnections simulated(Config kubernetesConfig, Map<String, String> routes, Map<String, String> connectTo,
      String connectToCa, String describe) {
    Config config = new ConfigBuilder(kubernetesConfig).withRequestRetryBackoffLimit(2).build();
    KubernetesClient kubernetes = new KubernetesClientBuilder().withConfig(config).build();
    return new PlatformConnections(kubernetes, http(routes, connectTo, connectToCa), new Secrets(System::getenv, kubernetes), describe);
  }

  static OkHttpClient http(Map<String, String> routes) {
    return http(routes, Map.of(), null);
  }

  static OkHttpClient http(Map<String, String> routes, Map<String, String> connectTo, String connectToCa) {
    OkHttpClient.Builder builder = new OkHttpClient.Builder()
        .connectTimeout(Duration.ofSeconds(10))
        .readTimeout(Duration.ofSeconds(30))
        .followRedirects(false);
    if (!routes.isEmpty()) {
      builder.addInterceptor(new EndpointRoutes(routes));
    }
    new ConnectToRoutes(connectTo, connectToCa).applyTo(builder);
    return builder.build();
  }

  @Override
  public void close() {
    kubernetes.close();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
