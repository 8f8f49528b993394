package io.carbon254.runbook.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.APIService;

/**
 * On fabric8's mock: the simulator writes the APIService's condition, the dispatcher answers the
 * metrics paths, and the simulator's {@link HpaController} writes the HPAs' status.
 */
class MetricsServerSimulatorOnTheMockTest extends MetricsServerStory {

  @Override
  KubernetesMode mode() {
    return KubernetesMode.MOCK;
  }

  @Override
  void the_metrics_api_is_not_available_yet(APIService apiService) {
    assertThat(available(apiService)).hasValueSatisfying(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isEqualTo("FailedDiscoveryCheck");
    });
  }
}
