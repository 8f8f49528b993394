package io.carbon254.runbook.sso;

import io.carbon254.runbook.config.Cluster;
import io.carbon254.runbook.config.PlatformService;
import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.Verification;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SSO side of the platform in memory, as the three SSO runbooks see it through their
 * activities: a Cloudflare account (applications by domain, reusable policies by name, the
 * one-time-PIN identity provider), the Kubernetes objects phase 3 touches (as manifest strings),
 * and the public hosts, whose answers follow both — as before phase 2: no Access application, the
 * ingresses without Access annotations, Grafana trusting {@code CF_Access-User}.
 */
public class SsoWorld implements AccessActivities, IntegrationActivities, AccessProbeActivities {

  static final String GRAFANA_CONFIG = "ConfigMap monitoring/grafana-config";
  static final String NGINX_CONFIG = "ConfigMap ingress-nginx/ingress-nginx-controller";

  /** An Access application as the account holds it. */
  record App(String id, String name, String domain, String sessionDuration, String policy, String aud) {}

  final Map<String, App> apps = Collections.synchronizedMap(new LinkedHashMap<>()); // domain → app
  final Map<String, String> policies = Collections.synchronizedMap(new LinkedHashMap<>()); // name → id
  volatile String identityProvider;
  final AtomicInteger cloudflareWrites = new AtomicInteger();
  final AtomicInteger ids = new AtomicInteger();

  /** Kubernetes objects phase 3 touches: "Kind namespace/name" → manifest; absent: not there. */
  final Map<String, String> objects = Collections.synchronizedMap(new LinkedHashMap<>());
  final AtomicInteger kubernetesWrites = new AtomicInteger();
  final List<String> restarts = Collections.synchronizedList(new ArrayList<>());
  /** Workloads whose new pods never become ready (e.g. a bad image). */
  final Set<String> neverReady = Collections.synchronizedSet(new LinkedHashSet<>());

  /** Domains whose application Cloudflare refuses to create (a token without the permission). */
  final Set<String> failingDomains = Collections.synchronizedSet(new LinkedHashSet<>());

  /** Hosts whose answers lack HSTS. */
  final Set<String> withoutHsts = Collections.synchronizedSet(new LinkedHashSet<>());

  SsoWorld() {
    objects.put(GRAFANA_CONFIG, "auth.proxy header_name=CF_Access-User");
    objects.put(NGINX_CONFIG, "enable-underscores-in-headers=false");
    objects.put("ConfigMap data-platform/superset-config-sso", "AUTH_TYPE=AUTH_DB");
    objects.put("Deployment monitoring/grafana", "restartedAt=never");
    objects.put("Deployment data-platform/superset", "restartedAt=never");
  }

  // ------------------------------------------------------------------------------- Cloudflare

  @Override
  public List<PlanItem> planAccess(Sso sso) {
    List<PlanItem> plan = new ArrayList<>();
    plan.add(identityProvider == null ? PlanItem.create("IdentityProvider", "One-time PIN", "onetimepin")
        : PlanItem.keep("IdentityProvider", "One-time PIN", identityProvider));
    for (AccessAppSpec spec : AccessAppSpec.of(sso)) {
      App app = apps.get(spec.domain());
      if (app == null) {
        plan.add(PlanItem.create("AccessApplication", spec.domain(), spec.name() + ", session " + spec.sessionDuration()
            + ", policy " + spec.policyName()));
      } else if (!app.sessionDuration().equals(spec.sessionDuration())) {
        plan.add(PlanItem.update("AccessApplication", spec.domain(), "session_duration " + app.sessionDuration() + " → "
            + spec.sessionDuration()));
      } else {
        plan.add(PlanItem.keep("AccessApplication", spec.domain(), app.id()));
      }
    }
    return plan;
  }

  @Override
  public AccessIdentityProvider ensureIdentityProvider(Sso sso) {
    if (identityProvider != null) {
      return new AccessIdentityProvider(identityProvider, false, Change.UNCHANGED, "One-time PIN " + identityProvider);
    }
    cloudflareWrites.incrementAndGet();
    identityProvider = "idp-" + ids.incrementAndGet();
    return new AccessIdentityProvider(identityProvider, true, Change.CREATED, "created One-time PIN " + identityProvider);
  }

  @Override
  public AccessApplication ensureApplication(Sso sso, AccessAppSpec spec, String idpId) {
    boolean policyCreated = !policies.containsKey(spec.policyName());
    if (policyCreated) {
      cloudflareWrites.incrementAndGet();
      policies.put(spec.policyName(), "policy-" + ids.incrementAndGet());
    }
    String policyId = policies.get(spec.policyName());
    App app = apps.get(spec.domain());
    Change change = Change.UNCHANGED;
    if (app == null && failingDomains.contains(spec.domain())) {
      if (policyCreated) {
        policies.remove(spec.policyName()); // as the adapter does: a failed call leaves no orphan policy
      }
      throw ApplicationFailure.newNonRetryableFailure("Cloudflare POST /accounts/" + sso.accountId()
          + "/access/apps: 403 (10000 Authentication error)", "CloudflareRefused");
    }
    if (app == null) {
      cloudflareWrites.incrementAndGet();
      int id = ids.incrementAndGet();
      app = new App("app-" + id, spec.name(), spec.domain(), spec.sessionDuration(), policyId, "aud" + id);
      change = Change.CREATED;
    } else if (!app.sessionDuration().equals(spec.sessionDuration())) {
      cloudflareWrites.incrementAndGet();
      app = new App(app.id(), spec.name(), spec.domain(), spec.sessionDuration(), policyId, app.aud());
      change = Change.UPDATED;
    }
    apps.put(spec.domain(), app);
    return new AccessApplication(app.name(), app.domain(), app.id(), app.aud(), policyId, change == Change.CREATED,
        policyCreated, change, change.name().toLowerCase() + " " + app.name() + " (aud " + app.aud() + ")");
  }

  @Override
  public Changed.Result deleteCreatedApplication(Sso sso, AccessApplication application) {
    Change change = Change.UNCHANGED;
    if (application.appCreated() && apps.remove(application.domain()) != null) {
      cloudflareWrites.incrementAndGet();
      change = Change.DELETED;
    }
    if (application.policyCreated() && policies.values().remove(application.policyId())) {
      cloudflareWrites.incrementAndGet();
      change = Change.DELETED;
    }
    return new Changed.Result(change, change + " " + application.name());
  }

  @Override
  public Changed.Result deleteCreatedIdentityProvider(Sso sso, AccessIdentityProvider created) {
    if (!created.created() || identityProvider == null) {
      return new Changed.Result(Change.UNCHANGED, "kept");
    }
    cloudflareWrites.incrementAndGet();
    identityProvider = null;
    return new Changed.Result(Change.DELETED, "deleted One-time PIN");
  }

  /** As a configured account: what a finished sso-access leaves. */
  SsoWorld accessConfigured(Sso sso) {
    ensureIdentityProvider(sso);
    AccessAppSpec.of(sso).forEach(spec -> ensureApplication(sso, spec, identityProvider));
    cloudflareWrites.set(0);
    return this;
  }

  // ------------------------------------------------------------------------------- Kubernetes

  @Override
  public List<PlanItem> planIntegration(Sso sso, List<PlatformService> services) {
    List<PlanItem> plan = new ArrayList<>();
    for (PlatformService service : services) {
      PlatformService.ServiceAuth auth = service.serviceAuth();
      if (auth != null && auth.kind() == PlatformService.ServiceAuthKind.GRAFANA_AUTH_PROXY) {
        String trusted = objects.get(GRAFANA_CONFIG).substring("auth.proxy header_name=".length());
        if (!service.identityHeaders().headers().contains(trusted)) {
          plan.add(PlanItem.update("ConfigMap", "monitoring/grafana-config", "MISMATCH: Grafana trusts " + trusted
              + " but its ingress passes " + String.join(", ", service.identityHeaders().headers())
              + "; fix from serviceAuth.userHeader: header_name = " + auth.userHeader()));
        }
      }
    }
    if (!objects.get(NGINX_CONFIG).endsWith("true")) {
      plan.add(PlanItem.update("ConfigMap", "ingress-nginx/ingress-nginx-controller",
          "enable-underscores-in-headers: \"true\" (CF_Access-User would be dropped)"));
    }
    for (PlatformService service : services) {
      if (!Boolean.FALSE.equals(service.ssoIngress()) && !ingressProtected(service)) {
        plan.add(PlanItem.update("Ingress", service.namespace() + "/" + service.id() + "-ingress", "+ auth-url "
            + "https://" + sso.teamDomain() + "/cdn-cgi/access/authorize"));
      }
    }
    return plan;
  }

  @Override
  public List<ObjectSnapshot> snapshotIntegration(Sso sso, List<PlatformService> services) {
    List<ObjectSnapshot> snapshots = new ArrayList<>();
    for (PlatformService service : services) {
      if (!Boolean.FALSE.equals(service.ssoIngress())) {
        snapshots.add(snapshot(ingressKey(service)));
      }
    }
    for (String key : List.of(GRAFANA_CONFIG, NGINX_CONFIG, "ConfigMap data-platform/superset-config-sso",
        "Deployment monitoring/grafana", "Deployment data-platform/superset")) {
      snapshots.add(snapshot(key));
    }
    return snapshots;
  }

  private ObjectSnapshot snapshot(String key) {
    String[] kindAndName = key.split(" ");
    String[] nsAndName = kindAndName[1].split("/");
    return new ObjectSnapshot("v1", kindAndName[0], nsAndName[0], nsAndName[1], objects.get(key));
  }

  @Override
  public Changed.Result ensureIngressController(List<PlatformService> services) {
    return write(NGINX_CONFIG, "enable-underscores-in-headers=true");
  }

  @Override
  public Changed.Result applyIngress(Sso sso, Cluster cluster, PlatformService service) {
    return write(ingressKey(service), "auth-url=https://" + sso.teamDomain() + "/cdn-cgi/access/authorize; headers="
        + String.join(",", service.identityHeaders().headers()));
  }

  @Override
  public Changed.Result configureServiceAuth(PlatformService service) {
    return switch (service.serviceAuth().kind()) {
      case GRAFANA_AUTH_PROXY -> write(GRAFANA_CONFIG, "auth.proxy header_name=" + service.serviceAuth().userHeader());
      case SUPERSET_REMOTE_USER -> write("ConfigMap data-platform/superset-config-sso",
          "AUTH_TYPE=AUTH_REMOTE_USER header=" + service.serviceAuth().userHeader());
    };
  }

  @Override
  public Verification restartAndWait(PlatformService service) {
    for (String workload : service.serviceAuth().restart()) {
      write("Deployment " + service.namespace() + "/" + workload, "restarted " + (restarts.size() + 1));
      restarts.add(workload);
      if (neverReady.contains(workload)) {
        return Verification.failed("Deployment " + service.namespace() + "/" + workload
            + ": 1 of 2 updated replicas ready after the wait (ImagePullBackOff)");
      }
    }
    return Verification.passed(String.join(", ", service.serviceAuth().restart()) + " rolled out, 2/2 ready");
  }

  @Override
  public Changed.Result restoreSnapshots(List<ObjectSnapshot> snapshots) {
    for (ObjectSnapshot snapshot : snapshots) {
      String key = snapshot.kind() + " " + snapshot.namespace() + "/" + snapshot.name();
      if (snapshot.existed()) {
        objects.put(key, snapshot.manifest());
      } else {
        objects.remove(key);
      }
    }
    kubernetesWrites.incrementAndGet();
    return new Changed.Result(Change.UPDATED, "restored " + snapshots.size() + " object(s)");
  }

  private Changed.Result write(String key, String manifest) {
    if (manifest.equals(objects.get(key))) {
      return new Changed.Result(Change.UNCHANGED, key + " already so");
    }
    kubernetesWrites.incrementAndGet();
    objects.put(key, manifest);
    return new Changed.Result(Change.UPDATED, key);
  }

  static String ingressKey(PlatformService service) {
    return "Ingress " + service.namespace() + "/" + service.id() + "-ingress";
  }

  boolean ingressProtected(PlatformService service) {
    String manifest = objects.get(ingressKey(service));
    return manifest != null && manifest.startsWith("auth-url=");
  }

  // ------------------------------------------------------------------------------- the public hosts

  @Override
  public Verification verifyAccessRedirects(Sso sso, List<String> hosts) {
    List<String> missing = hosts.stream().filter(h -> !apps.containsKey(h))
        .map(h -> h + ": 200, no Access application protects it yet").toList();
    return missing.isEmpty() ? Verification.passed(hosts.size() + " host(s) redirect to " + sso.teamDomain())
        : Verification.failed(String.join("; ", missing));
  }

  @Override
  public HostValidation validateHost(Sso sso, ProtectedHost host) {
    List<String> problems = new ArrayList<>();
    App app = apps.get(host.host());
    String location = app == null ? null : "https://" + sso.teamDomain() + "/cdn-cgi/access/login/" + host.host()
        + "?kid=" + app.aud();
    if (app == null) {
      problems.add("200: the service answers without Access — no Access application protects this host");
    }
    String hsts = withoutHsts.contains(host.host()) ? null : "max-age=31536000; includeSubDomains";
    if (hsts == null) {
      problems.add("no Strict-Transport-Security header");
    }
    return new HostValidation(host.host(), app == null ? 200 : 302, location, "308 → https://" + host.host() + "/",
        "2027-02-26 (89 d)", hsts, "not run: no sso.serviceToken configured", -1, problems);
  }
}
