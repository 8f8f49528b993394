package io.carbon254.runbook.hpa;

import java.util.List;

/**
 * The metrics API as found: the APIService's {@code Available} condition, and the arguments of
 * metrics-server's container with those the configuration asks for that it lacks.
 *
 * @param apiService the APIService, e.g. {@code v1beta1.metrics.k8s.io}
 * @param registered whether the APIService exists at all
 * @param available its {@code Available} condition is True
 * @param reason the condition's reason ({@code Passed}, {@code FailedDiscoveryCheck}, {@code MissingEndpoints}...)
 * @param deployment metrics-server's Deployment, {@code namespace/name}
 * @param container the container whose arguments are meant
 * @param args its arguments, in order
 * @param missingArgs the arguments the configuration asks for that are absent
 */
public record MetricsApi(String apiService, boolean registered, boolean available, String reason, String deployment,
    String container, List<String> args, List<String> missingArgs) {

  public MetricsApi {
    args = args == null ? List.of() : List.copyOf(args);
    missingArgs = missingArgs == null ? List.of() : List.copyOf(missingArgs);
  }

  /** e.g. {@code APIService v1beta1.metrics.k8s.io not Available (FailedDiscoveryCheck)}. */
  public String availability() {
    if (!registered) {
      return "APIService " + apiService + " not registered";
    }
    return "APIService " + apiService + (available ? " Available" : " not Available")
        + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")");
  }

  /** The fix to make: metrics-server lacks arguments and the API does not work. */
  public boolean needsFix() {
    return !available && !missingArgs.isEmpty();
  }
}
