package io.carbon254.runbook.sso;

import io.carbon254.runbook.config.Cluster;
import io.carbon254.runbook.config.PlatformService;
import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.ChangesThePlatform;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.Verification;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * SSO phase 3 on the Kubernetes API: the services' ingresses carry the Access annotations, the
 * services that can trust a header do, and their workloads are rolled out with it.
 */
@ActivityInterface
public interface IntegrationActivities {

  /**
   * Read-only, the preflight consistency check first: per service, the header its auth trusts now
   * (Grafana's {@code auth.proxy header_name}, Superset's remote-user header) must be one its
   * ingress passes, and a header with an underscore must survive ingress-nginx ({@code
   * enable-underscores-in-headers}). Each mismatch is a plan item naming it and the fix the
   * configuration selects. Then per service the ingress annotations, the auth ConfigMap and the
   * Deployment mounts: CREATE, UPDATE with the drift, or KEEP. A preflight that the configuration
   * cannot fix fails non-retryably, naming the service, the header and the key to change.
   */
  List<PlanItem> planIntegration(Sso sso, List<PlatformService> services);

  /** Every object {@link #planIntegration} would change, as it is now (absent ones too). */
  List<ObjectSnapshot> snapshotIntegration(Sso sso, List<PlatformService> services);

  /** The ingress-nginx setting the identity headers need ({@code enable-underscores-in-headers: "true"}), when one has an underscore. */
  @ChangesThePlatform
  Changed.Result ensureIngressController(List<PlatformService> services);

  /**
   * The service's ingress: {@code auth-url} ({@code https://<teamDomain>/cdn-cgi/access/authorize}),
   * {@code auth-signin}, {@code auth-response-headers} (Access's JWT and the identity headers the
   * service is configured with), TLS for its hosts, {@code force-ssl-redirect}. A service without an
   * ingress gets one of {@code cluster.ingressClass}.
   */
  @ChangesThePlatform
  Changed.Result applyIngress(Sso sso, Cluster cluster, PlatformService service);

  /**
   * The service's header auth where it has one ({@code serviceAuth}): Grafana {@code auth.proxy}
   * (enabled, {@code header_name} = the configured header, auto sign-up, login form off) in its
   * ConfigMap; Superset remote-user ({@code AUTH_TYPE = AUTH_REMOTE_USER}) in its ConfigMap, mounted
   * into its Deployment. UNCHANGED when already so.
   */
  @ChangesThePlatform
  Changed.Result configureServiceAuth(PlatformService service);

  /**
   * Restarts the workloads of {@code serviceAuth.restart} (pod template annotation) and waits, with
   * heartbeats, until each rollout is complete and ready; failed with the rollout's state if not.
   */
  @ChangesThePlatform
  Verification restartAndWait(PlatformService service);

  /** Puts every object back as its snapshot recorded it (deleting those that did not exist). */
  @ChangesThePlatform
  Changed.Result restoreSnapshots(List<ObjectSnapshot> snapshots);
}
