package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Optional;

/**
 * The description of one platform: everything the runbooks need to know, and no secret values.
 * Loaded from YAML by {@link ConfigLoader}; the default is {@code config/254carbon.yaml}
 * ({@link ConfigLoader#loadDefault()}). The reference of every key is {@code docs/configuration.md}.
 *
 * @param name the platform id, used in workflow ids ({@code <name>/<runbook>})
 * @param approvals who answers gates, answers failed steps and may sign decisions: required
 * @param notifications where gates and operator waits are announced; absent means none
 * @param baseDomain the public DNS domain of the platform ({@code 254carbon.com})
 * @param cluster the Kubernetes cluster itself
 * @param namespaces the platform namespaces (in scope for checks, discovery and backups)
 * @param services the web services behind SSO, and the portal
 * @param sso Cloudflare Access (phases 2–4)
 * @param harbor the Harbor registry that the images are mirrored into
 * @param images source images to mirror (besides those discovered in the platform namespaces)
 * @param backup Velero + MinIO
 * @param ha worker nodes, PostgreSQL replication, distributed MinIO
 * @param hpa metrics-server and the horizontal pod autoscalers
 * @param monitoring Prometheus expectations of the readiness check
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlatformConfig(
    String name,
    Approvals approvals,
    Notifications notifications,
    String baseDomain,
    Cluster cluster,
    List<String> namespaces,
    List<PlatformService> services,
    Sso sso,
    Harbor harbor,
    List<String> images,
    Backup backup,
    Ha ha,
    Hpa hpa,
    Monitoring monitoring) {

  public PlatformConfig {
    notifications = notifications == null ? Notifications.none() : notifications;
    namespaces = Immutable.list(namespaces);
    services = Immutable.list(services);
    images = Immutable.list(images);
  }

  /** A platform with only the sections the runbook engine reads; other sections are null or empty. */
  public static PlatformConfig of(String name, Approvals approvals, Notifications notifications) {
    return new PlatformConfig(
        name, approvals, notifications, null, null, List.of(), List.of(), null, null, List.of(), null, null, null, null);
  }

  /** This platform with other approval policies (tests, the sandbox's signers). */
  public PlatformConfig withApprovals(Approvals other) {
    return new PlatformConfig(name, other, notifications, baseDomain, cluster, namespaces, services, sso, harbor, images,
        backup, ha, hpa, monitoring);
  }

  /** This platform with another SSO section (the demo's API access to the sandbox's Cloudflare). */
  public PlatformConfig withSso(Sso other) {
    return new PlatformConfig(name, approvals, notifications, baseDomain, cluster, namespaces, services, other, harbor,
        images, backup, ha, hpa, monitoring);
  }

  /** The service with this id. */
  public Optional<PlatformService> service(String id) {
    return services.stream().filter(s -> id.equals(s.id())).findFirst();
  }
}
