package io.carbon254.runbook.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.sandbox.SandboxEndpoints;
import io.carbon254.runbook.sandbox.TestCertificateAuthority;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** The worker's HTTP client on a simulated platform follows the sandbox's connect-to routes and trusts its CA there. */
class PlatformConnectionsTest {

  @Test
  void a_simulated_platform_reaches_a_public_host_by_its_name_on_the_sandboxs_listener() throws Exception {
    TestCertificateAuthority ca = TestCertificateAuthority.generate();
    try (MockWebServer edge = new MockWebServer()) {
      edge.setProtocols(List.of(Protocol.HTTP_1_1));
      edge.useHttps(ca.issue("grafana.254carbon.com", List.of(), List.of("grafana.254carbon.com")).serverSocketFactory());
      edge.start(InetAddress.getLoopbackAddress(), 0);
      edge.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "https://qagi.cloudflareaccess.com/").build());
      SandboxEndpoints endpoints = new SandboxEndpoints("http://127.0.0.1:1", Map.of())
          .withConnectTo(Map.of("grafana.254carbon.com:443", "127.0.0.1:" + edge.getPort()), ca.pem());

      try (PlatformConnections platform = PlatformConnections.simulated(endpoints.kubernetesConfig(), endpoints.routes(),
              endpoints.connectTo(), endpoints.connectToCa(), "test");
          Response response = platform.http().newCall(new Request.Builder().url("https://grafana.254carbon.com/").build()).execute()) {
        assertThat(response.code()).as("redirects are not followed").isEqualTo(302);
      }
      assertThat(edge.takeRequest().getHandshakeServerNames()).containsExactly("grafana.254carbon.com");
    }
  }
}
