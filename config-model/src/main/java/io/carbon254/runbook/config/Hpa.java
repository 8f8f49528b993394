package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * metrics-server and the HorizontalPodAutoscalers.
 *
 * @param metricsServer where metrics-server runs and how to fix it
 * @param autoscalers the HPAs to ensure
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Hpa(MetricsServer metricsServer, List<Autoscaler> autoscalers) {

  public Hpa {
    autoscalers = Immutable.list(autoscalers);
  }

  /**
   * metrics-server.
   *
   * @param namespace its namespace
   * @param deployment its Deployment
   * @param apiService the APIService that must be Available
   * @param addInsecureTls add {@code --kubelet-insecure-tls} if absent (kubelets with self-signed certificates)
   * @param kubeletPreferredAddressTypes add {@code --kubelet-preferred-address-types=<these, comma-separated>} if
   *     metrics-server has no such argument; empty: leave the address types alone
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record MetricsServer(String namespace, String deployment, String apiService, Boolean addInsecureTls,
      List<String> kubeletPreferredAddressTypes) {

    /** The node address types metrics-server accepts ({@code --kubelet-preferred-address-types}). */
    public static final List<String> ADDRESS_TYPES = List.of("Hostname", "InternalDNS", "InternalIP", "ExternalDNS", "ExternalIP");

    public MetricsServer {
      kubeletPreferredAddressTypes = Immutable.list(kubeletPreferredAddressTypes);
    }

    /** Whether {@code --kubelet-insecure-tls} is wanted (absent: yes, as the default file says). */
    public boolean insecureTls() {
      return addInsecureTls == null || addInsecureTls;
    }
  }

  /**
   * One HPA ({@code autoscaling/v2}) scaling on CPU utilization.
   *
   * @param name the HPA
   * @param namespace its namespace (and its target's)
   * @param targetKind {@code Deployment} or {@code StatefulSet}
   * @param targetName the scaled workload
   * @param minReplicas lower bound
   * @param maxReplicas upper bound
   * @param cpuUtilization target average CPU utilization, percent of requests
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Autoscaler(
      String name,
      String namespace,
      String targetKind,
      String targetName,
      Integer minReplicas,
      Integer maxReplicas,
      Integer cpuUtilization) {}
}
