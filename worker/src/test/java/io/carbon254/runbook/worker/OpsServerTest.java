package io.carbon254.runbook.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The worker's /metrics and /healthz listen on loopback unless told otherwise: the default of
 * {@code runbook-worker worker}, the socket it binds, and the kernel's own table of listening
 * sockets ({@code /proc/net/tcp}, {@code tcp6}) — nothing connects to another interface.
 */
class OpsServerTest {

  private static OpsServer serve(String address) {
    return new OpsServer(OpsServer.address(address, 0), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> null);
  }

  @Test
  void theWorkerCommandListensOnLoopbackByDefault() {
    WorkerMain.Run run = new WorkerMain.Run();
    new CommandLine(run).parseArgs();

    assertThat(run.metricsAddress).isEqualTo("127.0.0.1");
    assertThat(run.metricsPort).isEqualTo(9464);
  }

  @Test
  void byDefaultTheMetricsAreBoundToLoopbackOnlyAndAnswerThere() throws Exception {
    try (OpsServer ops = serve(OpsServer.DEFAULT_ADDRESS)) {
      assertThat(ops.address().getAddress().isLoopbackAddress()).isTrue();
      assertThat(listeningAddresses(ops.port())).as("the kernel's listening sockets on port %d", ops.port())
          .containsExactly(InetAddress.getByName("127.0.0.1"));

      HttpResponse<String> health = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("ok\n");
    }
  }

  @Test
  void aContainerAsksForEveryInterface() throws Exception {
    try (OpsServer ops = serve("0.0.0.0")) {
      assertThat(ops.address().getAddress().isAnyLocalAddress()).isTrue();
      assertThat(listeningAddresses(ops.port())).singleElement().matches(InetAddress::isAnyLocalAddress);
    }
  }

  @Test
  void anAddressThatIsNoneSaysSo() {
    assertThatThrownBy(() -> OpsServer.address("no-such-host.invalid", 9464))
        .hasMessage("--metrics-address no-such-host.invalid is neither an IP address nor a known host name");
  }

  /**
   * The local addresses of the sockets listening on {@code port}, read from the kernel: IPv4 in
   * {@code /proc/net/tcp}, IPv6 (and IPv4-mapped, as Java's dual-stack sockets bind) in {@code tcp6}.
   */
  static List<InetAddress> listeningAddresses(int port) throws IOException {
    List<InetAddress> found = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (!Files.exists(file)) {
        continue;
      }
      for (String line : Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
        String[] columns = line.trim().split("\\s+");
        String[] local = columns[1].split(":");
        if (!columns[3].equals("0A") || Integer.parseInt(local[1], 16) != port) {
          continue; // 0A: LISTEN
        }
        found.add(InetAddress.getByAddress(kernelOrder(local[0])));
      }
    }
    return found;
  }

  /** The kernel prints each 32-bit word of the address in host (little-endian) order. */
  private static byte[] kernelOrder(String hex) {
    byte[] raw = new BigInteger("1" + hex, 16).toByteArray();
    byte[] bytes = new byte[hex.length() / 2];
    System.arraycopy(raw, raw.length - bytes.length, bytes, 0, bytes.length);
    for (int word = 0; word < bytes.length; word += 4) {
      for (int i = 0; i < 2; i++) {
        byte b = bytes[word + i];
        bytes[word + i] = bytes[word + 3 - i];
        bytes[word + 3 - i] = b;
      }
    }
    return bytes;
  }
}
