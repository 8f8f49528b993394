package io.carbon254.runbook.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a running {@link Sandbox} answers, as another process needs to know it.
 *
 * @param kubernetesUrl base URL of the sandbox's Kubernetes API: the real API server
 *     ({@code https://127.0.0.1:<port>}) or fabric8's mock ({@code http://127.0.0.1:<port>})
 * @param routes real base URL of a platform endpoint, as written in the config (e.g. Harbor's
 *     {@code https://harbor.254carbon.local}) → base URL of the sandbox fake that stands in for it
 *     ({@code http://127.0.0.1:<port>}). A client rewrites a request whose scheme, host and port
 *     equal a key's (see {@link #resolve(URI)}).
 * @param kubernetesToken the worker's credential on the real API server: a token of the
 *     ServiceAccount of {@code deploy/rbac.yaml} (null for the mock, which checks nothing). The
 *     file {@link #write(Path) written} is readable by its owner only.
 * @param kubernetesCa the real API server's CA certificate, PEM (null for the mock)
 * @param connectTo {@code host:port} of a platform endpoint a client must reach by its real name
 *     (TLS SNI and certificate checks included), e.g. {@code grafana.254carbon.com:443} → the
 *     loopback {@code 127.0.0.1:<port>} to connect to instead (curl's {@code --connect-to}); empty
 *     when nothing is reached that way (files written before this field read as empty)
 * @param connectToCa the CA that signs the certificates presented on the {@code connectTo}
 *     endpoints, PEM; a client trusts it for those hosts only (null: none)
 */
public record SandboxEndpoints(String kubernetesUrl, Map<String, String> routes, String kubernetesToken, String kubernetesCa,
    Map<String, String> connectTo, String connectToCa) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public SandboxEndpoints {
    Objects.requireNonNull(kubernetesUrl, "kubernetesUrl");
    routes = routes == null ? Map.of() : Map.copyOf(new TreeMap<>(routes));
    connectTo = connectTo == null ? Map.of() : Map.copyOf(new TreeMap<>(connectTo));
  }

  /** The endpoints of a sandbox with no connect-to routes. */
  public SandboxEndpoints(String kubernetesUrl, Map<String, String> routes, String kubernetesToken, String kubernetesCa) {
    this(kubernetesUrl, routes, kubernetesToken, kubernetesCa, Map.of(), null);
  }

  /** These endpoints with connect-to routes and the CA of the certificates presented there. */
  public SandboxEndpoints withConnectTo(Map<String, String> connectTo, String connectToCa) {
    return new SandboxEndpoints(kubernetesUrl, routes, kubernetesToken, kubernetesCa, connectTo, connectToCa);
  }

  /** The endpoints of a sandbox on fabric8's mock API (no credentials). */
  public SandboxEndpoints(String kubernetesUrl, Map<String, String> routes) {
    this(kubernetesUrl, routes, null, null);
  }

  /**
   * A fabric8 client configuration for the sandbox's API, as the worker: built from nothing but
   * this record (no kubeconfig, no environment), so a real cluster's credentials never leak into
   * the sandbox; on the real API server it trusts only its CA and sends the worker's token.
   */
  public Config kubernetesConfig() {
    ConfigBuilder config = new ConfigBuilder(Config.empty())
        .withMasterUrl(kubernetesUrl)
        .withHttp2Disable(true)
        .withNamespace("default");
    if (kubernetesCa == null) {
      config.withTrustCerts(true);
    } else {
      config.withCaCertData(java.util.Base64.getEncoder().encodeToString(kubernetesCa.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }
    if (kubernetesToken != null) {
      config.withOauthToken(kubernetesToken);
    }
    return config.build();
  }

  /** Which API server this is, for the operator. */
  public String describeKubernetes() {
    return kubernetesCa == null ? "fabric8's mock Kubernetes API at " + kubernetesUrl
        : "the real Kubernetes API server at " + kubernetesUrl + " (as ServiceAccount runbook/runbook-worker)";
  }

  @Override
  public String toString() {
    return "SandboxEndpoints[kubernetesUrl=" + kubernetesUrl + ", routes=" + routes
        + (connectTo.isEmpty() ? "" : ", connectTo=" + connectTo) + (kubernetesToken == null ? "" : ", token=…") + "]";
  }

  /**
   * The sandbox URL for a real platform URL: the same path and query on the fake whose route key
   * has this URL's scheme, host and (default-resolved) port; empty when no route matches.
   */
  public Optional<URI> resolve(URI url) {
    for (Map.Entry<String, String> route : routes.entrySet()) {
      URI key = URI.create(route.getKey());
      if (sameOrigin(key, url)) {
        URI target = URI.create(route.getValue());
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        String query = url.getRawQuery() == null ? "" : "?" + url.getRawQuery();
        String base = target.getScheme() + "://" + target.getHost() + ":" + port(target);
        return Optional.of(URI.create(base + path + query));
      }
    }
    return Optional.empty();
  }

  /** Writes this record as JSON, atomically (a reader never sees half a file). */
  public void write(Path file) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp",
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      JSON.writeValue(tmp.toFile(), this);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write sandbox endpoints to " + file, e);
    }
  }

  /** Reads a record written by {@link #write(Path)}. */
  public static SandboxEndpoints read(Path file) {
    try {
      return JSON.readValue(file.toFile(), SandboxEndpoints.class);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read sandbox endpoints from " + file + " (is a sandbox running? `runbook demo` starts one)", e);
    }
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null
        && b.getScheme() != null
        && a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null
        && b.getHost() != null
        && a.getHost().toLowerCase(Locale.ROOT).equals(b.getHost().toLowerCase(Locale.ROOT))
        && port(a) == port(b);
  }

  private static int port(URI uri) {
    if (uri.getPort() != -1) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }
}
