package io.carbon254.runbook.activities;

import io.carbon254.runbook.config.Durations;
import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.Verification;
import io.carbon254.runbook.sso.AccessProbeActivities;
import io.carbon254.runbook.sso.HostValidation;
import io.carbon254.runbook.sso.ProtectedHost;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes the platform's public hosts as a browser would: redirects not followed, the certificate
 * checked by the client's own trust (the JVM's trust store on the real platform; the sandbox CA
 * for the sandbox's hosts, see {@link ConnectToRoutes}) with hostname verification on. The Access
 * service token is resolved here, sent only as the two {@code CF-Access-Client-*} headers and never
 * put into a result, an error or a log.
 */
public final class AccessProbes implements AccessProbeActivities {

  private static final Logger log = LoggerFactory.getLogger(AccessProbes.class);
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  private static final int DEFAULT_CERTIFICATE_MIN_DAYS = 14;
  private static final List<Integer> ACCESS_REDIRECTS = List.of(302, 303, 307);
  private static final List<Integer> HTTPS_REDIRECTS = List.of(301, 308, 302, 307);

  private final OkHttpClient http;
  private final SecretResolver secrets;
  private final Clock clock;

  /**
   * @param http the worker's client; its trust decides which certificates are valid
   * @param secrets resolves {@code sso.serviceToken}
   */
  public AccessProbes(OkHttpClient http, SecretResolver secrets) {
    this(http, secrets, Clock.systemUTC());
  }

  AccessProbes(OkHttpClient http, SecretResolver secrets, Clock clock) {
    this.http = http;
    this.secrets = secrets;
    this.clock = clock;
  }

  @Override
  public Verification verifyAccessRedirects(Sso sso, List<String> hosts) {
    OkHttpClient client = client(sso);
    List<String> redirecting = new ArrayList<>();
    List<String> answers = new ArrayList<>();
    for (String host : hosts) {
      KubernetesApi.heartbeat("probing " + host);
      Probe probe = get(client, "https://" + host + "/", Map.of());
      Optional<String> problem = probe.failure() != null ? Optional.of(probe.failure()) : redirectProblem(sso, host, probe);
      if (problem.isEmpty()) {
        redirecting.add(host + " → " + probe.status());
      } else {
        answers.add(host + ": " + problem.get());
      }
    }
    if (answers.isEmpty()) {
      return Verification.passed("all " + hosts.size() + " hosts redirect to the Access login of " + teamDomain(sso) + " ("
          + String.join(", ", redirecting) + ")");
    }
    return Verification.failed(answers.size() + " of " + hosts.size() + " hosts do not redirect to the Access login of "
        + teamDomain(sso) + ": " + String.join("; ", answers)
        + (redirecting.isEmpty() ? "" : " (redirecting: " + String.join(", ", redirecting) + ")"));
  }

  @Override
  public HostValidation validateHost(Sso sso, ProtectedHost target) {
    String host = target.host();
    OkHttpClient client = client(sso);
    List<String> problems = new ArrayList<>();

    KubernetesApi.heartbeat(host + ": unauthenticated https");
    Probe https = get(client, "https://" + host + "/", Map.of());
    if (https.failure() != null) {
      problems.add("https://" + host + "/: " + https.failure());
    } else {
      redirectProblem(sso, host, https).ifPresent(problems::add);
    }

    KubernetesApi.heartbeat(host + ": plain http");
    Probe plain = get(client, "http://" + host + "/", Map.of());
    String httpRedirect = plain.failure() != null ? "failed" : plain.status() + (plain.location() == null ? "" : " → " + plain.location());
    if (plain.failure() != null) {
      problems.add("http://" + host + "/: " + plain.failure());
    } else if (!HTTPS_REDIRECTS.contains(plain.status()) || !redirectsToHttps(host, plain.location())) {
      problems.add("http://" + host + "/ answered " + httpRedirect + " instead of redirecting to https://" + host
          + "/: turn on Always Use HTTPS in Cloudflare (or the ingress's ssl-redirect)");
    }

    String certificateExpiry = "unknown";
    if (https.certificate() != null) {
      Instant notAfter = https.certificate().getNotAfter().toInstant();
      long daysLeft = Duration.between(clock.instant(), notAfter).plusHours(12).toDays(); // to the nearest day
      certificateExpiry = notAfter.atOffset(ZoneOffset.UTC).toLocalDate() + " (" + daysLeft + " d)";
      int minDays = certificateMinDays(sso);
      if (!notAfter.isAfter(clock.instant().plus(Duration.ofDays(minDays)))) {
        problems.add("the certificate for " + host + " expires " + certificateExpiry + ", within the minimum of " + minDays
            + " days: renew it (check the cert-manager Certificate and its issuer)");
      }
    }

    if (https.failure() == null && https.hsts() == null && requireHsts(sso)) {
      problems.add("https://" + host + "/ sends no Strict-Transport-Security header: enable HSTS for the zone"
          + " (Cloudflare SSL/TLS → Edge Certificates) or on the ingress");
    }

    String health;
    long latency = -1;
    if (target.healthPath() == null) {
      health = "not run: no health path";
    } else if (sso.serviceToken() == null) {
      health = "not run: no sso.serviceToken configured";
    } else {
      Map<String, String> token = null;
      try {
        token = serviceToken(sso.serviceToken());
      } catch (SecretUnavailableException e) {
        problems.add("the Access service token cannot be read: " + e.getMessage());
      }
      if (token == null) {
        health = "not run: service token unavailable";
      } else {
        KubernetesApi.heartbeat(host + ": health " + target.healthPath());
        String url = "https://" + host + target.healthPath();
        Probe probe = get(client, url, token);
        if (probe.failure() != null) {
          health = "failed " + target.healthPath();
          problems.add(url + " with the service token: " + probe.failure());
        } else {
          health = probe.status() + " " + target.healthPath() + (probe.location() == null ? "" : " → " + probe.location());
          latency = probe.millis();
          Duration budget = Durations.parse(target.latencyBudget() == null ? "500ms" : target.latencyBudget());
          if (isLogin(sso, probe.location())) {
            problems.add(url + " answered " + probe.status() + " to the Access login with the service token: Access did not"
                + " accept it — give the application of " + host + " a Service Auth policy allowing the token "
                + sso.serviceToken().clientId().describe());
          } else if (probe.status() < 200 || probe.status() > 299) {
            problems.add(url + " answered " + health + " through Access: the service is not healthy behind its ingress"
                + " (check its pods and the ingress backend)");
          } else if (latency > budget.toMillis()) {
            problems.add(url + " answered in " + latency + " ms, over its latency budget of " + target.latencyBudget());
          }
        }
      }
    }

    HostValidation result = new HostValidation(host, https.status(), https.location(), httpRedirect, certificateExpiry,
        https.hsts(), health, latency, problems);
    log.debug("{}: {}", host, result.ok() ? "passed" : problems.size() + " problem(s)");
    return result;
  }

  /**
   * The two headers of the service token. Values are trimmed (a secret file's trailing newline); one
   * that still cannot be a header value is refused naming its reference, since OkHttp's own message
   * would quote the value.
   */
  private Map<String, String> serviceToken(Sso.ServiceToken token) {
    String id = secrets.resolve(token.clientId()).trim();
    String secret = secrets.resolve(token.clientSecret()).trim();
    for (Map.Entry<String, String> value : Map.of(token.clientId().describe(), id, token.clientSecret().describe(), secret).entrySet()) {
      if (value.getValue().isEmpty() || !value.getValue().chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new SecretUnavailableException("the value of " + value.getKey()
            + " is empty or holds characters an HTTP header cannot carry: store the token's value alone");
      }
    }
    return Map.of("CF-Access-Client-Id", id, "CF-Access-Client-Secret", secret);
  }

  // ---------------------------------------------------------------------------------- checks

  /** Why an unauthenticated answer is not Access's redirect to its login; empty when it is. */
  static Optional<String> redirectProblem(Sso sso, String host, Probe probe) {
    int status = probe.status();
    String location = probe.location();
    if (status >= 200 && status <= 299) {
      return Optional.of(status + ": the service answers without Access — no Access application protects this host");
    }
    if (status >= 300 && status <= 399) {
      if (location == null) {
        return Optional.of(status + " without a Location header: expected a redirect to the Access login");
      }
      if (!isLogin(sso, location)) {
        return Optional.of(status + " → " + location + ": not the Access login of " + teamDomain(sso)
            + " — something other than Access answers for this host (an old redirect, or no Access application)");
      }
      String named = loginHost(sso, location);
      if (named == null) {
        // Access's own login names the application's host; the team login without one is what an
        // ingress's auth-signin sends: the edge let the request through.
        return Optional.of(status + " → " + location + ": the team's login without this host — the ingress's"
            + " auth-signin answered, not Access at the edge: no Access application protects this host");
      }
      if (!named.equalsIgnoreCase(host)) {
        return Optional.of(status + " → the Access login of " + named + ", not of " + host
            + ": the Access application's domain does not match this host");
      }
      if (!ACCESS_REDIRECTS.contains(status)) {
        return Optional.of(status + " → " + location + ": a permanent redirect to the Access login (browsers cache it);"
            + " Access answers 302 — find what else answers for this host");
      }
      return Optional.empty();
    }
    return Optional.of(status + ": expected a redirect to the Access login of " + teamDomain(sso)
        + (status >= 500 ? " — the host answers an error (check the tunnel and the ingress controller)" : ""));
  }

  private static boolean isLogin(Sso sso, String location) {
    return location != null && location.toLowerCase(Locale.ROOT)
        .startsWith("https://" + teamDomain(sso).toLowerCase(Locale.ROOT) + "/cdn-cgi/access/login");
  }

  /** The host in {@code .../cdn-cgi/access/login/<host>?...}, or null when the login URL names none. */
  private static String loginHost(Sso sso, String location) {
    String rest = location.substring(("https://" + teamDomain(sso) + "/cdn-cgi/access/login").length());
    if (!rest.startsWith("/")) {
      return null;
    }
    int end = rest.length();
    for (char c : new char[] {'?', '/', '#'}) {
      int at = rest.indexOf(c, 1);
      if (at > 0 && at < end) {
        end = at;
      }
    }
    return end > 1 ? rest.substring(1, end) : null;
  }

  private static boolean redirectsToHttps(String host, String location) {
    if (location == null) {
      return false;
    }
    String l = location.toLowerCase(Locale.ROOT);
    String base = "https://" + host.toLowerCase(Locale.ROOT);
    return l.equals(base) || l.startsWith(base + "/") || l.startsWith(base + ":") || l.startsWith(base + "?");
  }

  private static String teamDomain(Sso sso) {
    String team = sso.teamDomain() == null ? "" : sso.teamDomain().trim();
    team = team.replaceFirst("^https?://", "");
    return team.endsWith("/") ? team.substring(0, team.length() - 1) : team;
  }

  private static int certificateMinDays(Sso sso) {
    return sso.validation() != null && sso.validation().certificateMinDays() != null
        ? sso.validation().certificateMinDays() : DEFAULT_CERTIFICATE_MIN_DAYS;
  }

  private static boolean requireHsts(Sso sso) {
    return sso.validation() != null && Boolean.TRUE.equals(sso.validation().requireHsts());
  }

  // -------------------------------------------------------------------------------- requests

  /**
   * What one request got: its status (0 when it failed), {@code Location}, HSTS header, the
   * server's certificate (HTTPS only) and latency; or why it failed.
   */
  record Probe(int status, String location, String hsts, X509Certificate certificate, long millis, String failure) {}

  private OkHttpClient client(Sso sso) {
    Duration timeout = sso.validation() != null && sso.validation().requestTimeout() != null
        ? Durations.parse(sso.validation().requestTimeout()) : DEFAULT_TIMEOUT;
    return http.newBuilder().followRedirects(false).followSslRedirects(false).callTimeout(timeout).build();
  }

  private static Probe get(OkHttpClient client, String url, Map<String, String> headers) {
    Request.Builder request = new Request.Builder().url(url).header("User-Agent", "254carbon-runbook access probe");
    try {
      headers.forEach(request::header);
    } catch (IllegalArgumentException e) {
      // never e.getMessage(): OkHttp quotes a refused header value, which may be the secret
      return new Probe(0, null, null, null, -1, "the request could not be made: a header value was refused");
    }
    long start = System.nanoTime();
    try (Response response = client.newCall(request.build()).execute()) {
      response.body().bytes(); // the latency includes the answer
      long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
      X509Certificate certificate = null;
      if (response.handshake() != null) {
        List<Certificate> chain = response.handshake().peerCertificates();
        if (!chain.isEmpty() && chain.get(0) instanceof X509Certificate x) {
          certificate = x;
        }
      }
      return new Probe(response.code(), response.header("Location"), response.header("Strict-Transport-Security"),
          certificate, millis, null);
    } catch (IOException e) {
      return new Probe(0, null, null, null, -1, failure(url, e));
    }
  }

  /** What a failed request means, for the operator (exception messages carry no request headers). */
  private static String failure(String url, IOException e) {
    String host = okhttp3.HttpUrl.get(url).host();
    if (e instanceof SSLPeerUnverifiedException) {
      return "the certificate presented is not valid for " + host + " (" + e.getMessage() + "): check the TLS secret"
          + " of its ingress and the edge certificate";
    }
    if (e instanceof SSLHandshakeException) {
      return "TLS handshake failed (" + e.getMessage() + "): the certificate is expired, self-signed or from an"
          + " untrusted issuer";
    }
    if (e instanceof SSLException) {
      return "TLS failed: " + e.getMessage();
    }
    if (e instanceof InterruptedIOException) {
      return "no answer within the request timeout (" + e.getMessage() + ")";
    }
    if (e instanceof java.net.UnknownHostException) {
      return host + " does not resolve: check its DNS record (a CNAME to the tunnel)";
    }
    return "request failed: " + e;
  }
}
