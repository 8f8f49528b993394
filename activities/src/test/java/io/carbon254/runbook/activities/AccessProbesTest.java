package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.config.SecretRef;
import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.LogCapture;
import io.carbon254.runbook.engine.Verification;
import io.carbon254.runbook.sandbox.AccessEdge;
import io.carbon254.runbook.sandbox.TestCertificateAuthority;
import io.carbon254.runbook.sso.HostValidation;
import io.carbon254.runbook.sso.ProtectedHost;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Phase 4's probes against the sandbox's Access edge on loopback, reached by the platform's real
 * host names (connect-to routes, the sandbox CA trusted for those hosts), with Ingresses in a
 * CRUD-mode Kubernetes mock and Access applications in a map standing in for Cloudflare.
 */
@EnableKubernetesMockClient(crud = true)
class AccessProbesTest {

  static KubernetesClient client;
  static KubernetesMockServer server;

  static final String GRAFANA = "grafana.254carbon.com";
  static final String SUPERSET = "superset.254carbon.com";
  static final String LOGIN = "https://qagi.cloudflareaccess.com/cdn-cgi/access/login/";

  static TestCertificateAuthority ca;
  static PlatformConfig config;

  final Map<String, String> accessApps = new ConcurrentHashMap<>();
  final Map<String, String> env = new HashMap<>(Map.of(
      "CF_ACCESS_CLIENT_ID", AccessEdge.DEMO_CLIENT_ID, "CF_ACCESS_CLIENT_SECRET", AccessEdge.DEMO_CLIENT_SECRET));
  AccessEdge edge;
  AccessProbes probes;

  @BeforeAll
  static void platform() {
    ca = TestCertificateAuthority.generate();
    config = ConfigLoader.loadDefault();
  }

  @BeforeEach
  void startEdge() {
    server.reset();
    edge = new AccessEdge(config, ca, host -> Optional.ofNullable(accessApps.get(host)), client).start();
    OkHttpClient http = new ConnectToRoutes(edge.connectTo(), ca.pem()).applyTo(new OkHttpClient.Builder()).build();
    probes = new AccessProbes(http, new Secrets(env::get, null));
  }

  @AfterEach
  void stopEdge() {
    edge.close();
  }

  // ------------------------------------------------------------------------------- the stories

  @Test
  void a_host_behind_access_passes_with_the_evidence_of_every_check() {
    accessApps.put(GRAFANA, "aud-grafana");
    ingress("grafana", "monitoring", GRAFANA, true);

    HostValidation result = probes.validateHost(withServiceToken(), grafana());

    assertThat(result.problems()).isEmpty();
    assertThat(result.status()).isEqualTo(302);
    assertThat(result.location()).startsWith(LOGIN + GRAFANA + "?kid=aud-grafana&redirect_url=%2F");
    assertThat(result.httpRedirect()).isEqualTo("308 → https://" + GRAFANA + "/");
    assertThat(result.certificateExpiry()).matches("\\d{4}-\\d{2}-\\d{2} \\(90 d\\)");
    assertThat(result.hsts()).isEqualTo("max-age=31536000; includeSubDomains");
    assertThat(result.health()).isEqualTo("200 /api/health");
    assertThat(result.latencyMillis()).isGreaterThanOrEqualTo(0);
    assertThat(result.verification().ok()).isTrue();
    assertThat(result.verification().evidence()).startsWith(GRAFANA + ": status 302 → " + LOGIN + GRAFANA)
        .contains("health 200 /api/health in ");
  }

  @Test
  void with_no_access_application_the_service_answers_without_access() {
    ingress("grafana", "monitoring", GRAFANA, false);

    HostValidation result = probes.validateHost(sso(), grafana());

    assertThat(result.status()).isEqualTo(200);
    assertThat(result.problems()).containsExactly(
        "200: the service answers without Access — no Access application protects this host");
    assertThat(result.health()).isEqualTo("not run: no sso.serviceToken configured");
    assertThat(result.latencyMillis()).isEqualTo(-1);
  }

  @Test
  void a_redirect_elsewhere_than_the_access_login_is_a_problem_naming_the_target() {
    accessApps.put(GRAFANA, "aud-grafana");
    ingress("grafana", "monitoring", GRAFANA, true);
    edge.redirectTo(GRAFANA, "https://grafana.254carbon.com/login");

    HostValidation result = probes.validateHost(sso(), grafana());

    assertThat(result.problems()).singleElement().asString()
        .startsWith("302 → https://grafana.254carbon.com/login: not the Access login of qagi.cloudflareaccess.com");
  }

  @Test
  void a_login_for_another_host_is_a_problem_too() {
    accessApps.put(GRAFANA, "aud-grafana");
    ingress("grafana", "monitoring", GRAFANA, true);
    edge.redirectTo(GRAFANA, LOGIN + SUPERSET + "?kid=aud-superset&redirect_url=%2F");

    HostValidation result = probes.validateHost(sso(), grafana());

    assertThat(result.problems()).singleElement().asString()
        .contains("the Access login of " + SUPERSET + ", not of " + GRAFANA);
  }

  @Test
  void a_missing_hsts_header_fails_when_required() {
    accessApps.put(GRAFANA, "aud-grafana");
    ingress("grafana", "monitoring", GRAFANA, true);
    edge.withoutHsts(GRAFANA, true);

    HostValidation result = probes.validateHost(sso(), grafana());

    assertThat(result.hsts()).isNull();
    assertThat(result.problems()).singleElement().asString().contains("sends no Strict-Transport-Security header");
    assertThat(probes.validateHost(withValidation(false), grafana()).problems()).as("not required").isEmpty();
  }

  @Test
  void a_certificate_expiring_within_the_minimum_days_fails_with_its_date_and_days_left() {
    accessApps.put(GRAFANA, "aud-grafana");
    ingress("grafana", "monitoring", GRAFANA, true);
    edge.certificateExpiringIn(GRAFANA, Duration.ofDays(5));

    HostValidation result = probes.validateHost(sso(), grafana());

    assertThat(result.certificateExpiry()).endsWith("(5 d)");
    assertThat(result.problems()).singleElement().asString()
        .contains("the certificate for " + GRAFANA + " expires ").contains("(5 d), within the minimum of 14 days");
  }

  @Test
  void an_expired_certificate_fails_the_handshake_and_says_so() {
    accessApps.put(GRAFANA, "aud-grafana");
    ingress("grafana", "monitoring", GRAFANA, true);
    edge.certificateExpiringIn(GRAFANA, Duration.ofDays(-1));

    HostValidation result = probes.validateHost(sso(), grafana());

    assertThat(result.status()).isZero();
    assertThat(result.certificateExpiry()).isEqualTo("unknown");
    assertThat(result.problems()).anySatisfy(p -> assertThat(p).startsWith("https://" + GRAFANA + "/: TLS handshake failed"));
  }

  @Test
  void a_slow_health_answer_over_the_budget_is_a_problem_naming_budget_and_measured() {
    accessApps.put(GRAFANA, "aud-grafana");
    ingress("grafana", "monitoring", GRAFANA, true);
    edge.slowHealth(GRAFANA, Duration.ofMillis(300));

    HostValidation result = probes.validateHost(withServiceToken(),
        new ProtectedHost(GRAFANA, "grafana", "/api/health", "50ms"));

    assertThat(result.health()).isEqualTo("200 /api/health");
    assertThat(result.latencyMillis()).isGreaterThanOrEqualTo(300);
    assertThat(result.problems()).singleElement().asString()
        .isEqualTo("https://" + GRAFANA + "/api/health answered in " + result.latencyMillis()
            + " ms, over its latency budget of 50ms");
  }

  @Test
  void a_service_token_access_does_not_accept_is_a_problem_naming_the_token_not_its_secret() {
    accessApps.put(GRAFANA, "aud-grafana");
    ingress("grafana", "monitoring", GRAFANA, true);
    env.put("CF_ACCESS_CLIENT_SECRET", "a-revoked-secret-7781");

    HostValidation result = probes.validateHost(withServiceToken(), grafana());

    assertThat(result.health()).startsWith("302 /api/health → " + LOGIN + GRAFANA);
    assertThat(result.problems()).singleElement().asString()
        .contains("Access did not accept it").contains("env:CF_ACCESS_CLIENT_ID");
    assertThat(result.toString()).doesNotContain("a-revoked-secret-7781");
  }

  @Test
  void a_host_without_a_health_path_skips_the_authenticated_check() {
    accessApps.put("lakefs.254carbon.com", "aud-lakefs");
    ingress("lakefs", "data-platform", "lakefs.254carbon.com", true);

    HostValidation result = probes.validateHost(withServiceToken(),
        new ProtectedHost("lakefs.254carbon.com", "lakefs", null, "500ms"));

    assertThat(result.problems()).isEmpty();
    assertThat(result.health()).isEqualTo("not run: no health path");
  }

  @Test
  void manual_mode_fails_listing_each_host_then_passes_once_the_applications_exist() {
    ingress("grafana", "monitoring", GRAFANA, false);
    ingress("superset", "data-platform", SUPERSET, false);

    Verification before = probes.verifyAccessRedirects(sso(), List.of(GRAFANA, SUPERSET));

    assertThat(before.ok()).isFalse();
    assertThat(before.evidence()).startsWith("2 of 2 hosts do not redirect to the Access login of qagi.cloudflareaccess.com: ")
        .contains(GRAFANA + ": 200: the service answers without Access — no Access application protects this host")
        .contains(SUPERSET + ": 200: the service answers without Access");

    accessApps.put(GRAFANA, "aud-grafana");
    Verification half = probes.verifyAccessRedirects(sso(), List.of(GRAFANA, SUPERSET));
    assertThat(half.ok()).isFalse();
    assertThat(half.evidence()).startsWith("1 of 2 hosts").contains("(redirecting: " + GRAFANA + " → 302)");

    accessApps.put(SUPERSET, "aud-superset");
    Verification after = probes.verifyAccessRedirects(sso(), List.of(GRAFANA, SUPERSET));
    assertThat(after.ok()).isTrue();
    assertThat(after.evidence()).isEqualTo("all 2 hosts redirect to the Access login of qagi.cloudflareaccess.com ("
        + GRAFANA + " → 302, " + SUPERSET + " → 302)");
  }

  @Test
  void the_ingress_alone_redirecting_to_its_sign_in_is_no_access_application() {
    ingress("grafana", "monitoring", GRAFANA, true);

    HostValidation result = probes.validateHost(sso(), grafana());

    // The ingress's auth-signin is the team's login without the host: the edge let the request through.
    assertThat(result.status()).isEqualTo(302);
    assertThat(result.location()).isEqualTo("https://qagi.cloudflareaccess.com/cdn-cgi/access/login?redirect_url=%2F");
    assertThat(result.problems()).singleElement().asString()
        .endsWith("the ingress's auth-signin answered, not Access at the edge: no Access application protects this host");
  }

  @Test
  void the_service_token_secret_stays_out_of_results_messages_and_logs() {
    accessApps.put(GRAFANA, "aud-grafana");
    ingress("grafana", "monitoring", GRAFANA, true);
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(AccessProbes.class);
    Level level = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    try (LogCapture logs = LogCapture.start()) {
      StringBuilder everything = new StringBuilder();
      everything.append(probes.validateHost(withServiceToken(), grafana())).append(probes.verifyAccessRedirects(withServiceToken(),
          List.of(GRAFANA)));
      edge.slowHealth(GRAFANA, Duration.ofMillis(300));
      everything.append(probes.validateHost(withServiceToken(), new ProtectedHost(GRAFANA, "grafana", "/api/health", "50ms")));
      edge.slowHealth(GRAFANA, Duration.ZERO);
      // a secret a header cannot carry: OkHttp's own message would quote it
      env.put("CF_ACCESS_CLIENT_SECRET", "line-one\nline-two-" + AccessEdge.DEMO_CLIENT_SECRET);
      HostValidation refused = probes.validateHost(withServiceToken(), grafana());
      everything.append(refused);

      assertThat(refused.problems()).singleElement().asString().contains("env:CF_ACCESS_CLIENT_SECRET");
      assertThat(logs.lines()).isNotEmpty();
      assertThat(everything.toString()).doesNotContain(AccessEdge.DEMO_CLIENT_SECRET).doesNotContain("line-one");
      assertThat(logs.lines()).noneMatch(line -> line.contains(AccessEdge.DEMO_CLIENT_SECRET) || line.contains("line-one"));
    } finally {
      logger.setLevel(level);
    }
  }

  // ----------------------------------------------------------------------------------- helpers

  private static ProtectedHost grafana() {
    return ProtectedHost.of(config).stream().filter(h -> h.host().equals(GRAFANA)).findFirst().orElseThrow();
  }

  private static Sso sso() {
    return config.sso();
  }

  private static Sso withServiceToken() {
    Sso s = config.sso();
    return new Sso(s.teamDomain(), s.accountId(), s.apiToken(), s.allow(), s.appSettings(), s.apps(), s.acmeBypass(),
        s.acmeBypassSessionDuration(),
        new Sso.ServiceToken(SecretRef.env("CF_ACCESS_CLIENT_ID"), SecretRef.env("CF_ACCESS_CLIENT_SECRET")),
        s.validation(), s.tunnel());
  }

  private static Sso withValidation(boolean requireHsts) {
    Sso s = config.sso();
    Sso.Validation v = s.validation();
    return new Sso(s.teamDomain(), s.accountId(), s.apiToken(), s.allow(), s.appSettings(), s.apps(), s.acmeBypass(),
        s.acmeBypassSessionDuration(), s.serviceToken(),
        new Sso.Validation(v.certificateMinDays(), v.latencyBudget(), v.requestTimeout(), v.parallelism(), v.cookieDomain(), requireHsts),
        s.tunnel());
  }

  /** The service's Ingress; {@code sso}: with the Access auth annotations phase 3 adds. */
  private static void ingress(String service, String namespace, String host, boolean sso) {
    IngressBuilder ingress = new IngressBuilder()
        .withNewMetadata().withName(service + "-ingress").withNamespace(namespace)
        .addToAnnotations("nginx.ingress.kubernetes.io/force-ssl-redirect", "true").endMetadata()
        .withNewSpec().withIngressClassName("nginx")
        .addNewRule().withHost(host).withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
        .withNewBackend().withNewService().withName(service).withNewPort().withNumber(8080).endPort().endService().endBackend()
        .endPath().endHttp().endRule()
        .endSpec();
    if (sso) {
      ingress.editMetadata()
          .addToAnnotations("nginx.ingress.kubernetes.io/auth-url", "https://qagi.cloudflareaccess.com/cdn-cgi/access/authorize")
          .addToAnnotations("nginx.ingress.kubernetes.io/auth-signin",
              "https://qagi.cloudflareaccess.com/cdn-cgi/access/login?redirect_url=$escaped_request_uri")
          .endMetadata();
    }
    client.network().v1().ingresses().inNamespace(namespace).resource(ingress.build()).create();
  }
}
