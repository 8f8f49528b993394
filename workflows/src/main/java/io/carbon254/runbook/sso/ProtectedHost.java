package io.carbon254.runbook.sso;

import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.config.PlatformService;
import io.carbon254.runbook.config.Sso;
import java.util.ArrayList;
import java.util.List;

/**
 * A host behind Access as phase 4 probes it. Computed from the configuration alone.
 *
 * @param host the host name, e.g. {@code grafana.254carbon.com}
 * @param service the platform service id serving it (null when no service of the configuration does)
 * @param healthPath the service's health path; null: only the redirect, TLS and HSTS are checked
 * @param latencyBudget the service's budget for the authenticated health request (a duration)
 */
public record ProtectedHost(String host, String service, String healthPath, String latencyBudget) {

  /** One per {@code sso.apps} host, with the service's health path and its latency budget (else {@code sso.validation.latencyBudget}). */
  public static List<ProtectedHost> of(PlatformConfig platform) {
    Sso sso = platform.sso();
    String defaultBudget = sso.validation() != null && sso.validation().latencyBudget() != null
        ? sso.validation().latencyBudget() : "500ms";
    List<ProtectedHost> hosts = new ArrayList<>();
    for (Sso.AccessApp app : sso.apps()) {
      PlatformService service = platform.services().stream()
          .filter(s -> s.id().equals(app.service()) || app.host().equals(s.host()))
          .findFirst().orElse(null);
      hosts.add(new ProtectedHost(app.host(), service == null ? null : service.id(),
          service == null ? null : service.healthPath(),
          service != null && service.latencyBudget() != null ? service.latencyBudget() : defaultBudget));
    }
    return List.copyOf(hosts);
  }
}
