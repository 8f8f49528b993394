package io.carbon254.runbook.activities.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {

  private static final String D = "sha256:" + "ab".repeat(32);

  @Test
  void dockerHubOfficialImagesLiveUnderLibrary() {
    ImageReference r = ImageReference.parse("alpine");
    assertThat(r).isEqualTo(new ImageReference("docker.io", "library/alpine", null, null));
    assertThat(r.host()).isEqualTo("registry-1.docker.io");
    assertThat(r.reference()).isEqualTo("latest");
    assertThat(ImageReference.parse("docker.io/library/alpine:3.19").tag()).isEqualTo("3.19");
    assertThat(ImageReference.parse("index.docker.io/grafana/loki:2.9.3").name()).isEqualTo("docker.io/grafana/loki");
    assertThat(ImageReference.parse("prom/prometheus:v2.48.0").repository()).isEqualTo("prom/prometheus");
  }

  @Test
  void registriesAreRecognisedByDotColonOrLocalhost() {
    ImageReference r = ImageReference.parse("127.0.0.1:5000/a/b@" + D);
    assertThat(r.registry()).isEqualTo("127.0.0.1:5000");
    assertThat(r.repository()).isEqualTo("a/b");
    assertThat(r.digest()).isEqualTo(D);
    assertThat(r.reference()).isEqualTo(D);
    assertThat(ImageReference.parse("localhost/x:1").registry()).isEqualTo("localhost");
    assertThat(ImageReference.parse("quay.io/jetstack/cert-manager-controller:v1.13.0").host()).isEqualTo("quay.io");
    ImageReference both = ImageReference.parse("harbor.254carbon.local/254carbon/redis:7.2@" + D);
    assertThat(both.tag()).isEqualTo("7.2");
    assertThat(both.reference()).isEqualTo(D);
    assertThat(both.toString()).isEqualTo("harbor.254carbon.local/254carbon/redis:7.2@" + D);
  }

  @Test
  void nonsenseIsRejectedWithTheText() {
    assertThatThrownBy(() -> ImageReference.parse("Alpine:3")).hasMessageContaining("Alpine:3");
    assertThatThrownBy(() -> ImageReference.parse("a@sha256:xyz")).hasMessageContaining("digest");
    assertThatThrownBy(() -> ImageReference.parse(" ")).hasMessageContaining("empty");
  }
}
