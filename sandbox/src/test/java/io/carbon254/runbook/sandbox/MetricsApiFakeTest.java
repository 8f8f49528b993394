package io.carbon254.runbook.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The metrics API's label selectors and metrics-server's health rule, without a server. */
class MetricsApiFakeTest {

  private static final Map<String, String> TRINO = Map.of("app", "trino-worker", "tier", "compute");

  @Test
  void label_selectors_match_as_the_api_server_does() {
    assertThat(MetricsApiFake.LabelSelector.parse(null).matches(TRINO)).isTrue();
    assertThat(MetricsApiFake.LabelSelector.parse("app=trino-worker").matches(TRINO)).isTrue();
    assertThat(MetricsApiFake.LabelSelector.parse("app==trino-worker,tier=compute").matches(TRINO)).isTrue();
    assertThat(MetricsApiFake.LabelSelector.parse("app=superset").matches(TRINO)).isFalse();
    assertThat(MetricsApiFake.LabelSelector.parse("app!=superset").matches(TRINO)).isTrue();
    assertThat(MetricsApiFake.LabelSelector.parse("app in (superset, trino-worker),tier").matches(TRINO)).isTrue();
    assertThat(MetricsApiFake.LabelSelector.parse("app notin (trino-worker)").matches(TRINO)).isFalse();
    assertThat(MetricsApiFake.LabelSelector.parse("!tier").matches(TRINO)).isFalse();
  }

  @Test
  void metrics_server_is_healthy_only_with_kubelet_insecure_tls() {
    assertThat(MetricsServerSimulator.healthy(metricsServer(List.of("--kubelet-preferred-address-types=InternalIP")))).isFalse();
    assertThat(MetricsServerSimulator.healthy(metricsServer(List.of("--cert-dir=/tmp", "--kubelet-insecure-tls")))).isTrue();
    assertThat(MetricsServerSimulator.healthy(metricsServer(List.of("--kubelet-insecure-tls=true")))).isTrue();
    assertThat(MetricsServerSimulator.healthy(null)).isFalse();
  }

  @Test
  void while_unhealthy_every_path_answers_503_as_the_aggregator_does() {
    HttpFake.Reply reply = new MetricsApiFake().handle("GET", "/apis/metrics.k8s.io/v1beta1/nodes");
    assertThat(reply.code()).isEqualTo(503);
    assertThat(reply.body()).contains("\"reason\":\"ServiceUnavailable\"");
  }

  private static Deployment metricsServer(List<String> args) {
    return new DeploymentBuilder().withNewMetadata().withName("metrics-server").endMetadata()
        .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("metrics-server").withArgs(args).endContainer()
        .endSpec().endTemplate().endSpec().build();
  }
}
