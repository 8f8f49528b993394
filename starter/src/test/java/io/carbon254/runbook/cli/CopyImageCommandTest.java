package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.sandbox.OciRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runbook copy-image} between two registries on loopback (plain HTTP, as for localhost): a
 * multi-arch image arrives with the same digest, and a --list copies several at once. The copier
 * itself is tested against real docker-registry processes in the activities module.
 */
class CopyImageCommandTest {

  private final OciRegistry sourceRegistry = new OciRegistry();
  private final OciRegistry targetRegistry = new OciRegistry();
  private final MockWebServer source = new MockWebServer();
  private final MockWebServer target = new MockWebServer();

  @BeforeEach
  void start() throws Exception {
    source.setDispatcher(sourceRegistry.dispatcher());
    target.setDispatcher(targetRegistry.dispatcher());
    source.start(java.net.InetAddress.getLoopbackAddress(), 0);
    target.start(java.net.InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stop() {
    source.close();
    target.close();
  }

  @Test
  void aMultiArchImageArrivesWithTheSameDigest() {
    String digest = sourceRegistry.seedImage(host(source), "platform/grafana", "10.2.0", List.of("linux/amd64", "linux/arm64"));

    CliTest.Run run = CliTest.runbook("copy-image", host(source) + "/platform/grafana:10.2.0",
        host(target) + "/254carbon/grafana:10.2.0");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains(digest).contains("linux/amd64").contains("linux/arm64");
    assertThat(targetRegistry.digestOf(host(target), "254carbon/grafana", "10.2.0")).isEqualTo(digest);
    assertThat(targetRegistry.hasManifest(host(target), "254carbon/grafana", digest)).isTrue();

    CliTest.Run again = CliTest.runbook("copy-image", host(source) + "/platform/grafana:10.2.0",
        host(target) + "/254carbon/grafana:10.2.0");
    assertThat(again.exitCode()).isZero();
    assertThat(again.out()).as("a re-copy uploads nothing").contains("0 B");
  }

  @Test
  void aListIsCopiedInParallelAndAMissingImageIsNamed(@TempDir Path dir) throws Exception {
    sourceRegistry.seedImage(host(source), "library/alpine", "3.19", List.of("linux/amd64"));
    sourceRegistry.seedImage(host(source), "library/busybox", "1.36", List.of("linux/amd64", "linux/arm64"));
    Path list = dir.resolve("images.txt");
    Files.writeString(list, "# the platform's helpers\n"
        + host(source) + "/library/alpine:3.19 " + host(target) + "/254carbon/alpine:3.19\n"
        + host(source) + "/library/busybox:1.36 " + host(target) + "/254carbon/busybox:1.36\n"
        + host(source) + "/library/missing:1 " + host(target) + "/254carbon/missing:1\n");

    CliTest.Run run = CliTest.runbook("copy-image", "--list", list.toString());

    assertThat(run.exitCode()).isNotZero();
    assertThat(targetRegistry.hasManifest(host(target), "254carbon/alpine", "3.19")).isTrue();
    assertThat(targetRegistry.hasManifest(host(target), "254carbon/busybox", "1.36")).isTrue();
    assertThat(run.out() + run.err()).contains("library/missing").contains("MANIFEST_UNKNOWN");
  }

  private static String host(MockWebServer server) {
    return "127.0.0.1:" + server.getPort();
  }
}
