package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbon254.runbook.sandbox.TestCertificateAuthority;
import java.net.ConnectException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A host reached by its real name on a loopback stand-in: SNI, Host and the certificate check stay the real host's. */
class ConnectToRoutesTest {

  static TestCertificateAuthority ca;
  MockWebServer grafana;

  @BeforeAll
  static void authority() {
    ca = TestCertificateAuthority.generate();
  }

  @BeforeEach
  void start() throws Exception {
    grafana = new MockWebServer();
    grafana.setProtocols(List.of(Protocol.HTTP_1_1));
    grafana.useHttps(ca.issue("grafana.254carbon.com", List.of(), List.of("grafana.254carbon.com")).serverSocketFactory());
    grafana.start(InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stop() throws Exception {
    grafana.close();
  }

  private OkHttpClient client(Map<String, String> routes) {
    return new ConnectToRoutes(routes, ca.pem()).applyTo(new OkHttpClient.Builder()).build();
  }

  @Test
  void the_connection_goes_to_loopback_while_sni_host_and_url_stay_the_real_host() throws Exception {
    grafana.enqueue(new MockResponse.Builder().code(200).body("ok").build());
    OkHttpClient http = client(Map.of("grafana.254carbon.com:443", "127.0.0.1:" + grafana.getPort()));

    try (Response response = http.newCall(new Request.Builder().url("https://grafana.254carbon.com/api/health").build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.request().url().host()).isEqualTo("grafana.254carbon.com");
      assertThat(response.handshake()).isNotNull();
    }

    RecordedRequest request = grafana.takeRequest();
    assertThat(request.getHandshakeServerNames()).containsExactly("grafana.254carbon.com");
    assertThat(request.getHeaders().get("Host")).isEqualTo("grafana.254carbon.com");
    assertThat(request.getTarget()).isEqualTo("/api/health");
  }

  @Test
  void hostname_verification_stays_on() {
    OkHttpClient http = client(Map.of("superset.254carbon.com:443", "127.0.0.1:" + grafana.getPort()));

    assertThatThrownBy(() -> http.newCall(new Request.Builder().url("https://superset.254carbon.com/").build()).execute().close())
        .isInstanceOf(SSLPeerUnverifiedException.class)
        .hasMessageContaining("superset.254carbon.com");
  }

  @Test
  void the_stand_ins_ca_is_trusted_for_the_routed_hosts_only() throws Exception {
    MockWebServer local = new MockWebServer();
    local.useHttps(ca.issue("localhost", List.of("127.0.0.1"), List.of("localhost")).serverSocketFactory());
    local.start(InetAddress.getLoopbackAddress(), 0);
    try {
      OkHttpClient http = client(Map.of("grafana.254carbon.com:443", "127.0.0.1:" + grafana.getPort()));
      assertThatThrownBy(() -> http.newCall(new Request.Builder().url("https://localhost:" + local.getPort() + "/").build())
          .execute().close()).isInstanceOf(SSLHandshakeException.class);
    } finally {
      local.close();
    }
  }

  @Test
  void a_routed_host_on_a_port_nobody_stands_in_for_is_refused() {
    OkHttpClient http = client(Map.of("grafana.254carbon.com:443", "127.0.0.1:" + grafana.getPort()));

    assertThatThrownBy(() -> http.newCall(new Request.Builder().url("https://grafana.254carbon.com:8443/").build()).execute().close())
        .isInstanceOf(ConnectException.class)
        .hasStackTraceContaining("no connect-to route for grafana.254carbon.com:8443");
  }

  @Test
  void targets_must_be_loopback() {
    assertThatThrownBy(() -> new ConnectToRoutes(Map.of("grafana.254carbon.com:443", "10.0.0.5:443"), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a loopback address");
    assertThatThrownBy(() -> new ConnectToRoutes(Map.of("grafana.254carbon.com", "127.0.0.1:443"), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not host:port");
  }
}
