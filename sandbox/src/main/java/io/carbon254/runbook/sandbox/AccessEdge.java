package io.carbon254.runbook.sandbox;

import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.config.PlatformService;
import io.carbon254.runbook.config.Sso;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform's public edge as a browser meets it: Cloudflare Access in front, ingress-nginx
 * behind it, and the service behind that, for every host of {@code sso.apps} and every service
 * host and alias. One TLS listener (the certificate chosen by SNI, one per host, issued by the
 * sandbox CA) and one plain-HTTP listener (308 to https), both on 127.0.0.1; clients reach them by
 * the hosts' real names through {@link #connectTo()}.
 *
 * <p>Each request follows the platform's state at that moment:
 * <ul>
 *   <li>an Access application protects the host ({@code accessAudForHost} answers its AUD): an
 *       unauthenticated request gets {@code 302} to
 *       {@code https://<teamDomain>/cdn-cgi/access/login/<host>?kid=<aud>&redirect_url=<path>};
 *       one with the sandbox's service token ({@link #DEMO_CLIENT_ID} / {@link #DEMO_CLIENT_SECRET})
 *       passes to the origin with a {@code Cf-Access-Jwt-Assertion};
 *   <li>no application: the request goes straight to the origin;
 *   <li>the origin (ingress-nginx): no Ingress for the host → 404; an Ingress with the
 *       {@code auth-url} annotation and no JWT → 302 to its {@code auth-signin}; otherwise the
 *       service answers: its health path {@code 200 {"status":"ok"}}, any other path a small page.
 * </ul>
 * HTTPS answers carry {@code Strict-Transport-Security}. Knobs per host make the failure stories:
 * {@link #withoutHsts}, {@link #certificateExpiringIn}, {@link #slowHealth}, {@link #redirectTo}.
 */
public final class AccessEdge implements AutoCloseable {

  /** The client id of the sandbox's Access service token. */
  public static final String DEMO_CLIENT_ID = "sandbox-service-token.access";
  /** The client secret of the sandbox's Access service token. */
  public static final String DEMO_CLIENT_SECRET = "sandbox-access-secret-0f3c9a";

  static final String AUTH_URL = "nginx.ingress.kubernetes.io/auth-url";
  static final String AUTH_SIGNIN = "nginx.ingress.kubernetes.io/auth-signin";
  static final String HSTS = "max-age=31536000; includeSubDomains";
  /** Let's Encrypt's validity, which the platform's cert-manager certificates have. */
  static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(90);

  private static final Logger log = LoggerFactory.getLogger(AccessEdge.class);

  private final PlatformConfig config;
  private final TestCertificateAuthority ca;
  private final Function<String, Optional<String>> accessAudForHost;
  private final KubernetesClient kubernetes;
  private final List<String> hosts;
  private final Map<String, Serving> certificates = new ConcurrentHashMap<>();
  private final Map<String, Serving> byAlias = new ConcurrentHashMap<>();
  private final Set<String> withoutHsts = ConcurrentHashMap.newKeySet();
  private final Map<String, Duration> healthDelays = new ConcurrentHashMap<>();
  private final Map<String, String> redirects = new ConcurrentHashMap<>();
  private MockWebServer https;
  private MockWebServer http;

  /**
   * @param config the platform: {@code sso.teamDomain}, {@code sso.apps} and {@code services}
   * @param ca the sandbox CA, which issues each host's certificate
   * @param accessAudForHost the AUD of the Access application protecting a host, or empty (the Cloudflare fake)
   * @param kubernetes the cluster whose Ingresses the ingress-nginx stand-in follows
   */
  public AccessEdge(PlatformConfig config, TestCertificateAuthority ca, Function<String, Optional<String>> accessAudForHost,
      KubernetesClient kubernetes) {
    this.config = config;
    this.ca = ca;
    this.accessAudForHost = accessAudForHost;
    this.kubernetes = kubernetes;
    List<String> all = new ArrayList<>();
    if (config.sso() != null) {
      config.sso().apps().forEach(app -> add(all, app.host()));
    }
    for (PlatformService s : config.services()) {
      add(all, s.host());
      s.aliases().forEach(alias -> add(all, alias));
    }
    this.hosts = List.copyOf(all);
  }

  private static void add(List<String> hosts, String host) {
    if (host != null && !hosts.contains(host.toLowerCase(Locale.ROOT))) {
      hosts.add(host.toLowerCase(Locale.ROOT));
    }
  }

  /** Issues the certificates and starts both listeners on 127.0.0.1. */
  public synchronized AccessEdge start() {
    if (https != null) {
      return this;
    }
    Instant notAfter = Instant.now().plus(CERTIFICATE_VALIDITY);
    hosts.forEach(host -> certificates.put(host, serving(host, notAfter)));
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(new KeyManager[] {new SniKeyManager()}, null, null);
      https = new MockWebServer();
      https.setProtocols(List.of(Protocol.HTTP_1_1));
      https.useHttps(tls.getSocketFactory());
      https.setDispatcher(dispatcher(this::secure));
      https.start(loopback, 0);
      http = new MockWebServer();
      http.setDispatcher(dispatcher(this::plain));
      http.start(loopback, 0);
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot start the Access edge on loopback", e);
    } catch (GeneralSecurityException e) {
      close();
      throw new IllegalStateException("cannot build the Access edge's TLS context", e);
    }
    log.debug("Access edge for {} hosts on https 127.0.0.1:{}, http 127.0.0.1:{}", hosts.size(), https.getPort(), http.getPort());
    return this;
  }

  /** The hosts served, lower case. */
  public List<String> hosts() {
    return hosts;
  }

  /**
   * For {@code SandboxEndpoints.connectTo}: {@code <host>:443} → the TLS listener and
   * {@code <host>:80} → the plain listener, for every host.
   */
  public Map<String, String> connectTo() {
    if (https == null) {
      throw new IllegalStateException("the Access edge is not started");
    }
    Map<String, String> routes = new LinkedHashMap<>();
    for (String host : hosts) {
      routes.put(host + ":443", "127.0.0.1:" + https.getPort());
      routes.put(host + ":80", "127.0.0.1:" + http.getPort());
    }
    return routes;
  }

  /** The CA whose certificates the edge presents, PEM (for {@code SandboxEndpoints}). */
  public String caPem() {
    return ca.pem();
  }

  // ------------------------------------------------------------------------------------- knobs

  /** HTTPS answers for {@code host} lack {@code Strict-Transport-Security} (or carry it again). */
  public AccessEdge withoutHsts(String host, boolean without) {
    if (without) {
      withoutHsts.add(known(host));
    } else {
      withoutHsts.remove(known(host));
    }
    return this;
  }

  /** The certificate presented for {@code host} is replaced by one expiring in {@code validity} (negative: expired). */
  public AccessEdge certificateExpiringIn(String host, Duration validity) {
    certificates.put(known(host), serving(known(host), Instant.now().plus(validity)));
    return this;
  }

  /** The service's health path on {@code host} answers after {@code delay} (zero: at once). */
  public AccessEdge slowHealth(String host, Duration delay) {
    if (delay.isZero()) {
      healthDelays.remove(known(host));
    } else {
      healthDelays.put(known(host), delay);
    }
    return this;
  }

  /** Unauthenticated requests to {@code host} are redirected to {@code location} instead (null: the normal answer). */
  public AccessEdge redirectTo(String host, String location) {
    if (location == null) {
      redirects.remove(known(host));
    } else {
      redirects.put(known(host), location);
    }
    return this;
  }

  private String known(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (!hosts.contains(h)) {
      throw new IllegalArgumentException(host + " is not a host of the Access edge (hosts: " + hosts + ")");
    }
    return h;
  }

  // ---------------------------------------------------------------------------------- answers

  /** One answer: status, headers and body. */
  private record Answer(int code, Map<String, String> headers, String body, Duration delay) {
    static Answer of(int code, String contentType, String body) {
      return new Answer(code, Map.of("Content-Type", contentType), body, Duration.ZERO);
    }

    static Answer redirect(int code, String location) {
      return new Answer(code, Map.of("Location", location), "", Duration.ZERO);
    }
  }

  private static Dispatcher dispatcher(Function<RecordedRequest, Answer> handler) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        Answer answer;
        try {
          answer = handler.apply(request);
        } catch (RuntimeException e) {
          log.debug("Access edge: answering 502 to {}: {}", request.getRequestLine(), e.toString());
          answer = Answer.of(502, "text/plain; charset=utf-8", "sandbox edge failed: " + e);
        }
        MockResponse.Builder response = new MockResponse.Builder().code(answer.code());
        answer.headers().forEach(response::setHeader);
        if (!"HEAD".equals(request.getMethod())) {
          response.body(answer.body());
        }
        if (!answer.delay().isZero()) {
          response.headersDelay(answer.delay().toMillis(), TimeUnit.MILLISECONDS);
        }
        return response.build();
      }
    };
  }

  private Answer plain(RecordedRequest request) {
    String host = host(request);
    if (!hosts.contains(host)) {
      return Answer.of(404, "text/plain; charset=utf-8", "no such host at the edge: " + host);
    }
    return Answer.redirect(308, "https://" + host + target(request));
  }

  private Answer secure(RecordedRequest request) {
    String host = host(request);
    if (!hosts.contains(host)) {
      return Answer.of(404, "text/plain; charset=utf-8", "no such host at the edge: " + host);
    }
    Answer answer = access(host, request);
    if (withoutHsts.contains(host)) {
      return answer;
    }
    Map<String, String> headers = new LinkedHashMap<>(answer.headers());
    headers.put("Strict-Transport-Security", HSTS);
    return new Answer(answer.code(), headers, answer.body(), answer.delay());
  }

  /** Cloudflare Access in front of the origin. */
  private Answer access(String host, RecordedRequest request) {
    Optional<String> aud = accessAudForHost.apply(host);
    boolean serviceToken = DEMO_CLIENT_ID.equals(request.getHeaders().get("CF-Access-Client-Id"))
        && DEMO_CLIENT_SECRET.equals(request.getHeaders().get("CF-Access-Client-Secret"));
    String redirect = redirects.get(host);
    if (redirect != null && !serviceToken) {
      return Answer.redirect(302, redirect);
    }
    if (aud.isEmpty()) {
      return origin(host, request, request.getHeaders().get("Cf-Access-Jwt-Assertion"));
    }
    if (!serviceToken) {
      return Answer.redirect(302, "https://" + teamDomain() + "/cdn-cgi/access/login/" + host + "?kid=" + aud.get()
          + "&redirect_url=" + escape(target(request)));
    }
    return origin(host, request, jwt(aud.get(), host));
  }

  /** ingress-nginx, then the service. */
  private Answer origin(String host, RecordedRequest request, String jwt) {
    Optional<PlatformService> service = config.services().stream()
        .filter(s -> host.equalsIgnoreCase(s.host()) || s.aliases().stream().anyMatch(host::equalsIgnoreCase))
        .findFirst();
    Optional<Ingress> ingress = service.flatMap(s -> ingress(s.namespace(), host));
    if (ingress.isEmpty()) {
      return Answer.of(404, "text/html", "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1>"
          + "</center><hr><center>nginx</center></body></html>\n");
    }
    Map<String, String> annotations = ingress.get().getMetadata().getAnnotations() == null ? Map.of()
        : ingress.get().getMetadata().getAnnotations();
    if (annotations.containsKey(AUTH_URL) && jwt == null) {
      String signin = annotations.get(AUTH_SIGNIN);
      String location = signin == null
          ? "https://" + teamDomain() + "/cdn-cgi/access/login?redirect_url=" + escape(target(request))
          : signin.replace("$escaped_request_uri", escape(target(request))).replace("$request_uri", target(request));
      return Answer.redirect(302, location);
    }
    String path = HttpFake.path(target(request));
    if (path.equals(service.get().healthPath())) {
      Answer ok = Answer.of(200, "application/json", "{\"status\":\"ok\"}");
      return new Answer(ok.code(), ok.headers(), ok.body(), healthDelays.getOrDefault(host, Duration.ZERO));
    }
    return Answer.of(200, "text/html; charset=utf-8",
        "<!doctype html><title>" + service.get().displayName() + "</title><p>" + service.get().displayName() + " on " + host + "</p>\n");
  }

  private Optional<Ingress> ingress(String namespace, String host) {
    return kubernetes.network().v1().ingresses().inNamespace(namespace).list().getItems().stream()
        .filter(i -> i.getSpec() != null && i.getSpec().getRules() != null
            && i.getSpec().getRules().stream().anyMatch(r -> host.equalsIgnoreCase(r.getHost())))
        .findFirst();
  }

  private String teamDomain() {
    Sso sso = config.sso();
    return sso == null || sso.teamDomain() == null ? "sandbox.cloudflareaccess.com" : sso.teamDomain();
  }

  /** A token shaped like Access's (header.payload.signature); the stand-in origin only checks it is there. */
  private String jwt(String aud, String host) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"RS256\",\"kid\":\"sandbox\"}".getBytes(StandardCharsets.UTF_8));
    String payload = b64.encodeToString(("{\"aud\":[\"" + aud + "\"],\"iss\":\"https://" + teamDomain() + "\",\"sub\":\"\","
        + "\"common_name\":\"" + DEMO_CLIENT_ID + "\",\"type\":\"app\",\"host\":\"" + host + "\",\"iat\":"
        + Instant.now().getEpochSecond() + "}").getBytes(StandardCharsets.UTF_8));
    return header + "." + payload + "." + b64.encodeToString("sandbox-signature".getBytes(StandardCharsets.UTF_8));
  }

  private static String host(RecordedRequest request) {
    String host = request.getHeaders().get("Host");
    if (host == null) {
      host = request.getUrl().host();
    }
    int colon = host.lastIndexOf(':');
    if (colon > 0 && !host.endsWith("]")) {
      host = host.substring(0, colon);
    }
    return host.toLowerCase(Locale.ROOT);
  }

  private static String target(RecordedRequest request) {
    return request.getTarget() == null ? "/" : request.getTarget();
  }

  private static String escape(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------------------------- TLS

  /** A host's certificate; {@code alias} changes with each certificate, so a handshake never mixes an old key with a new chain. */
  private record Serving(String alias, PrivateKey key, X509Certificate[] chain) {}

  private Serving serving(String host, Instant notAfter) {
    TestCertificateAuthority.Issued issued = ca.issue(host, List.of(), List.of(host), notAfter);
    Serving serving = new Serving(host + "#" + issued.certificate().getSerialNumber(), issued.privateKey(),
        new X509Certificate[] {issued.certificate()});
    byAlias.put(serving.alias(), serving);
    return serving;
  }

  /** Presents the certificate of the host the client names in SNI (the first host's when it names none, as nginx's default server). */
  private final class SniKeyManager extends X509ExtendedKeyManager {

    private String alias(String keyType, SSLSession handshake) {
      if (!"EC".equals(keyType)) {
        return null; // every certificate has an EC key
      }
      if (handshake instanceof ExtendedSSLSession extended) {
        for (SNIServerName name : extended.getRequestedServerNames()) {
          Serving serving = name instanceof SNIHostName sni ? certificates.get(sni.getAsciiName().toLowerCase(Locale.ROOT)) : null;
          if (serving != null) {
            return serving.alias();
          }
        }
      }
      Serving fallback = hosts.isEmpty() ? null : certificates.get(hosts.get(0));
      return fallback == null ? null : fallback.alias();
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return alias(keyType, socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return alias(keyType, engine == null ? null : engine.getHandshakeSession());
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      Serving serving = byAlias.get(alias);
      return serving == null ? null : serving.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      Serving serving = byAlias.get(alias);
      return serving == null ? null : serving.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return "EC".equals(keyType) ? certificates.values().stream().map(Serving::alias).toArray(String[]::new) : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }

  @Override
  public synchronized void close() {
    for (MockWebServer server : new MockWebServer[] {https, http}) {
      if (server != null) {
        try {
          server.close();
        } catch (RuntimeException e) {
          log.debug("Access edge: closing a listener failed: {}", e.toString());
        }
      }
    }
    https = null;
    http = null;
  }
}
