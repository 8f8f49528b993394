package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.carbon254.runbook.config.Cluster;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.config.PlatformService;
import io.carbon254.runbook.config.PlatformService.IdentityHeaders;
import io.carbon254.runbook.config.PlatformService.ServiceAuth;
import io.carbon254.runbook.config.PlatformService.ServiceAuthKind;
import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.Verification;
import io.carbon254.runbook.platformcheck.CheckResult;
import io.carbon254.runbook.sandbox.KubernetesMode;
import io.carbon254.runbook.sandbox.Sandbox;
import io.carbon254.runbook.sso.ObjectSnapshot;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * sso-integration's activities on the sandbox platform on the real API server, as the worker's
 * ServiceAccount ({@code deploy/rbac.yaml}): the seeded platform is as the status report found it
 * (Grafana trusting {@code CF_Access-User} while its ingress is to pass {@code X-WEBAUTH-*},
 * Superset's remote-user ConfigMap mounted nowhere, ingress-nginx dropping headers with
 * underscores, no Access annotations). Rollouts are real: kube-controller-manager's Deployment
 * controller and the sandbox's kubelet simulator.
 */
class KubernetesSsoIntegrationTest {

  private static final PlatformConfig CONFIG = ConfigLoader.loadDefault();
  private static final Sso SSO = CONFIG.sso();
  private static Sandbox sandbox;
  private static KubernetesClient admin;
  private static KubernetesClient worker;
  private static KubernetesSsoIntegration integration;

  /** A service the platform does not have yet: its ingress is created, and deleted again on restore. */
  /** A cluster whose ingress class is not the adapter's default: a created ingress takes the configured one. */
  private static final Cluster PUBLIC_CLASS = new Cluster("254carbon-cluster", null, null, null, null, "nginx-public");
  private static final PlatformService EXTRA = new PlatformService("extra", "Extra", "data-platform", "extra.254carbon.com",
      List.of(), new PlatformService.Backend("superset", 8088), List.of(), null, IdentityHeaders.X_WEBAUTH, true, null,
      List.of(), null);

  @BeforeAll
  static void start() {
    sandbox = Sandbox.builder(CONFIG).kubernetes(KubernetesMode.REAL).start();
    admin = sandbox.kubernetesClient();
    worker = new KubernetesClientBuilder().withConfig(sandbox.endpoints().kubernetesConfig()).build();
    integration = new KubernetesSsoIntegration(new KubernetesApi(worker),
        KubernetesSsoIntegration.Settings.defaults().withRollouts(Duration.ofMillis(200), Duration.ofMinutes(3)));
  }

  @AfterAll
  static void stop() {
    worker.close();
    sandbox.close();
  }

  @Test
  void thePlanFindsTheOriginalHeaderMismatchesThenApplyProtectsEveryServiceAndAnAbortPutsEveryObjectBackExactly() {
    List<PlatformService> services = new ArrayList<>(CONFIG.services());
    services.add(EXTRA);
    // The hosts by their real names on the sandbox's Access edge, as the worker reaches them.
    OkHttpClient edge = new ConnectToRoutes(sandbox.endpoints().connectTo(), sandbox.endpoints().connectToCa())
        .applyTo(new OkHttpClient.Builder()).build();
    KubernetesPlatformCheck check = new KubernetesPlatformCheck(worker, edge);
    assertThat(check.checkSso(SSO, CONFIG.services()).ok()).as("no Access annotations yet").isFalse();

    // ---- plan: the preflight first
    List<PlanItem> plan = integration.planIntegration(SSO, services);
    List<String> lines = plan.stream().map(PlanItem::line).toList();
    assertThat(lines.get(0)).isEqualTo("UPDATE ConfigMap ingress-nginx/ingress-nginx-controller — enable-underscores-in-headers"
        + " unset → \"true\": superset, lakefs pass CF_Access-User, CF_Access-Groups, which ingress-nginx drops unless"
        + " enable-underscores-in-headers is \"true\"");
    assertThat(lines.get(1)).isEqualTo("UPDATE ConfigMap monitoring/grafana-config — header mismatch: Grafana trusts"
        + " CF_Access-User (grafana.ini [auth.proxy] header_name) but its ingress passes X-WEBAUTH-USER, X-WEBAUTH-EMAIL,"
        + " X-WEBAUTH-GROUPS (services[grafana].identityHeaders: x-webauth; now no identity headers); fix: header_name ="
        + " X-WEBAUTH-USER (services[grafana].serviceAuth.userHeader); grafana.ini: [auth.proxy] header_name CF_Access-User"
        + " → X-WEBAUTH-USER, [auth.proxy] header_property (unset) → username");
    assertThat(lines.get(2)).isEqualTo("KEEP ConfigMap data-platform/superset-config-sso — superset_config.py: Superset trusts"
        + " CF_Access-User, which its ingress passes");
    assertThat(lines).contains(
        "UPDATE Ingress monitoring/grafana-ingress — auth-url (unset) → https://qagi.cloudflareaccess.com/cdn-cgi/access/authorize,"
            + " auth-signin (unset) → https://qagi.cloudflareaccess.com/cdn-cgi/access/login?redirect_url=$escaped_request_uri,"
            + " auth-response-headers (unset) → cf-access-jwt-assertion,X-WEBAUTH-USER,X-WEBAUTH-EMAIL,X-WEBAUTH-GROUPS",
        "UPDATE Ingress data-platform/lakefs-ingress — auth-url (unset) → https://qagi.cloudflareaccess.com/cdn-cgi/access/authorize,"
            + " auth-signin (unset) → https://qagi.cloudflareaccess.com/cdn-cgi/access/login?redirect_url=$escaped_request_uri,"
            + " auth-response-headers (unset) → cf-access-jwt-assertion,CF_Access-User,CF_Access-Groups",
        "CREATE Ingress data-platform/extra-ingress — hosts extra.254carbon.com → superset:8088, Access auth"
            + " (qagi.cloudflareaccess.com), passes cf-access-jwt-assertion,X-WEBAUTH-USER,X-WEBAUTH-EMAIL,X-WEBAUTH-GROUPS");
    assertThat(plan).filteredOn(i -> i.kind().equals("Ingress")).hasSize(10)
        .noneMatch(i -> i.target().contains("portal"));
    String hash = lines.stream().filter(l -> l.startsWith("UPDATE Deployment monitoring/grafana — restart with auth config "))
        .findFirst().orElseThrow().replaceAll(".*auth config (\\w+) .*", "$1");
    assertThat(lines).contains("UPDATE Deployment data-platform/superset — volume superset-config-sso from ConfigMap"
        + " superset-config-sso, mounted at /app/pythonpath/superset_config.py in container superset, restart with auth config "
        + KubernetesSsoIntegration.configHash(configMapData("data-platform", "superset-config-sso"))
        + " (pod template kubectl.kubernetes.io/restartedAt)");

    // ---- snapshot, as the objects are now
    List<ObjectSnapshot> snapshots = integration.snapshotIntegration(SSO, services);
    assertThat(snapshots).extracting(ObjectSnapshot::describe).contains("ConfigMap ingress-nginx/ingress-nginx-controller",
        "Ingress monitoring/grafana-ingress", "Ingress data-platform/extra-ingress", "ConfigMap monitoring/grafana-config",
        "Deployment monitoring/grafana", "ConfigMap data-platform/superset-config-sso", "Deployment data-platform/superset")
        .doesNotContain("Ingress data-platform/portal-ingress").hasSize(15);
    assertThat(snapshots).filteredOn(s -> !s.existed()).extracting(ObjectSnapshot::describe)
        .containsExactly("Ingress data-platform/extra-ingress");
    Map<String, String> before = new LinkedHashMap<>();
    for (ObjectSnapshot s : snapshots) {
      if (s.existed()) {
        before.put(s.describe(), json(s));
      }
    }
    String portalBefore = normalised(object("networking.k8s.io/v1", "Ingress", "data-platform", "portal-ingress"));

    // ---- apply
    assertThat(integration.ensureIngressController(services).change()).isEqualTo(Change.UPDATED);
    assertThat(integration.ensureIngressController(services).change()).isEqualTo(Change.UNCHANGED);
    assertThat(configMapData("ingress-nginx", "ingress-nginx-controller")).containsEntry("enable-underscores-in-headers", "true")
        .containsEntry("use-forwarded-headers", "true");
    for (PlatformService s : services) {
      Change expected = s.id().equals("portal") ? Change.UNCHANGED : s.id().equals("extra") ? Change.CREATED : Change.UPDATED;
      assertThat(integration.applyIngress(SSO, PUBLIC_CLASS, s).change()).as(s.id()).isEqualTo(expected);
    }
    for (PlatformService s : services) {
      assertThat(integration.applyIngress(SSO, PUBLIC_CLASS, s).change()).as("re-applied " + s.id()).isEqualTo(Change.UNCHANGED);
    }
    Map<String, String> grafana = ingress("monitoring", "grafana-ingress").getMetadata().getAnnotations();
    assertThat(grafana).containsEntry("nginx.ingress.kubernetes.io/auth-url",
            "https://qagi.cloudflareaccess.com/cdn-cgi/access/authorize")
        .containsEntry("nginx.ingress.kubernetes.io/auth-signin",
            "https://qagi.cloudflareaccess.com/cdn-cgi/access/login?redirect_url=$escaped_request_uri")
        .containsEntry("nginx.ingress.kubernetes.io/auth-response-headers",
            "cf-access-jwt-assertion,X-WEBAUTH-USER,X-WEBAUTH-EMAIL,X-WEBAUTH-GROUPS")
        .containsEntry("nginx.ingress.kubernetes.io/ssl-redirect", "true")
        .containsEntry("nginx.ingress.kubernetes.io/force-ssl-redirect", "true")
        .containsEntry("cert-manager.io/cluster-issuer", "letsencrypt-prod");
    assertThat(ingress("data-platform", "superset-ingress").getMetadata().getAnnotations())
        .containsEntry("nginx.ingress.kubernetes.io/auth-response-headers", "cf-access-jwt-assertion,CF_Access-User,CF_Access-Groups");
    Ingress extra = ingress("data-platform", "extra-ingress");
    assertThat(extra.getSpec().getIngressClassName()).as("cluster.ingressClass").isEqualTo("nginx-public");
    assertThat(extra.getSpec().getTls().get(0).getHosts()).containsExactly("extra.254carbon.com");
    assertThat(normalised(object("networking.k8s.io/v1", "Ingress", "data-platform", "portal-ingress")))
        .as("the portal (ssoIngress false) is not touched").isEqualTo(portalBefore);

    PlatformService grafanaService = CONFIG.service("grafana").orElseThrow();
    PlatformService superset = CONFIG.service("superset").orElseThrow();
    assertThat(integration.configureServiceAuth(grafanaService).summary()).isEqualTo("ConfigMap monitoring/grafana-config:"
        + " grafana.ini [auth.proxy] header_name CF_Access-User → X-WEBAUTH-USER, [auth.proxy] header_property (unset) → username");
    String ini = configMapData("monitoring", "grafana-config").get("grafana.ini");
    assertThat(ini).contains("[auth]\ndisable_login_form = true\n")
        .contains("[auth.proxy]\nenabled = true\nheader_name = X-WEBAUTH-USER\nauto_sign_up = true\nheader_property = username\n")
        .contains("[auth.basic]\nenabled = false\n").contains("[security]\nadmin_user = admin\n");
    assertThat(KubernetesSsoIntegration.configHash(configMapData("monitoring", "grafana-config"))).isEqualTo(hash);
    assertThat(integration.configureServiceAuth(superset).summary()).isEqualTo("Deployment data-platform/superset: volume"
        + " superset-config-sso from ConfigMap superset-config-sso, mounted at /app/pythonpath/superset_config.py in container superset");
    var pod = deployment("data-platform", "superset").getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes()).anySatisfy(v -> {
      assertThat(v.getName()).isEqualTo("superset-config-sso");
      assertThat(v.getConfigMap().getName()).isEqualTo("superset-config-sso");
    });
    assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getMountPath()).isEqualTo("/app/pythonpath/superset_config.py");
      assertThat(m.getSubPath()).isEqualTo("superset_config.py");
      assertThat(m.getReadOnly()).isTrue();
    });
    assertThat(configMapData("data-platform", "superset-config-sso").get("superset_config.py"))
        .contains("AUTH_TYPE = 3").contains("AUTH_REMOTE_USER_ENV_VAR = \"HTTP_CF_ACCESS_USER\"");
    assertThat(integration.configureServiceAuth(grafanaService).change()).isEqualTo(Change.UNCHANGED);
    assertThat(integration.configureServiceAuth(superset).change()).isEqualTo(Change.UNCHANGED);

    // ---- restart: once per configuration, however often the activity runs
    Verification grafanaRolledOut = integration.restartAndWait(grafanaService);
    assertThat(grafanaRolledOut.ok()).as(grafanaRolledOut.evidence()).isTrue();
    assertThat(grafanaRolledOut.evidence()).startsWith("grafana: restarted grafana for auth config " + hash + "; ")
        .contains("Deployment monitoring/grafana: 1 of 1 ready");
    assertThat(integration.restartAndWait(superset).ok()).isTrue();
    long generation = deployment("monitoring", "grafana").getMetadata().getGeneration();
    Verification again = integration.restartAndWait(grafanaService);
    assertThat(again.ok()).isTrue();
    assertThat(again.evidence()).startsWith("grafana: already running auth config " + hash + " (not restarted)");
    assertThat(deployment("monitoring", "grafana").getMetadata().getGeneration()).isEqualTo(generation);
    assertThat(deployment("monitoring", "grafana").getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("runbook.254carbon.io/sso-config-hash", hash).containsKey("kubectl.kubernetes.io/restartedAt");

    assertThat(integration.planIntegration(SSO, services)).extracting(PlanItem::action).containsOnly(PlanItem.Action.KEEP);
    // Phase 3 alone is not SSO: without Access applications (phase 2) the hosts do not send anyone to the login.
    CheckResult ingressesOnly = check.checkSso(SSO, CONFIG.services());
    assertThat(ingressesOnly.ok()).isFalse();
    assertThat(ingressesOnly.evidence()).isEqualTo("9 of 9 SSO ingresses protected by Access (qagi.cloudflareaccess.com);"
        + " but not every host is behind Access (see details)");
    assertThat(ingressesOnly.details()).last().asString().startsWith("Access: 10 of 10 hosts do not redirect to the Access login");
    SSO.apps().forEach(app -> sandbox.cloudflare().seedApplication(app.name(), app.host(), app.sessionDuration()));
    CheckResult both = check.checkSso(SSO, CONFIG.services());
    assertThat(both.ok()).as(both.details().toString()).isTrue();
    assertThat(both.evidence()).endsWith("; every host redirects to the Access login");

    // ---- abort: every object exactly as it was, the created ingress gone
    assertThat(integration.restoreSnapshots(snapshots).change()).isEqualTo(Change.UPDATED);
    for (ObjectSnapshot s : snapshots) {
      if (s.existed()) {
        assertThat(json(s)).as(s.describe()).isEqualTo(before.get(s.describe()));
      }
    }
    assertThat(ingress("data-platform", "extra-ingress")).isNull();
    assertThat(integration.restoreSnapshots(snapshots).change()).isEqualTo(Change.UNCHANGED);
    assertThat(integration.snapshotIntegration(SSO, services)).isEqualTo(snapshots);
    assertThat(check.checkSso(SSO, CONFIG.services()).ok()).isFalse();
  }

  @Test
  void aRolloutThatNeverBecomesReadyIsAFailedVerificationWithTheRolloutsStateAndARetryDoesNotRestartAgain() {
    // No node has the label its pods select: they stay Pending, as on a cluster without room for them.
    admin.resource(new DeploymentBuilder()
        .withNewMetadata().withName("sso-stuck").withNamespace("data-platform").endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "sso-stuck").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "sso-stuck").endMetadata()
        .withNewSpec().addToNodeSelector("sandbox.254carbon.io/never", "true")
        .addNewContainer().withName("sso-stuck").withImage("apache/superset:4.0.1").endContainer().endSpec().endTemplate()
        .endSpec().build()).create();
    // As on a cluster where it has run for a while: the controller has seen it (and stops writing its status).
    admin.apps().deployments().inNamespace("data-platform").withName("sso-stuck").waitUntilCondition(d -> d.getStatus() != null
        && d.getStatus().getObservedGeneration() != null && d.getStatus().getObservedGeneration() >= 1
        && d.getStatus().getConditions() != null && d.getStatus().getConditions().size() >= 2, 1, TimeUnit.MINUTES);
    PlatformService stuck = new PlatformService("stuck", "Stuck", "data-platform", "stuck.254carbon.com", List.of(),
        new PlatformService.Backend("superset", 8088), List.of(), null, IdentityHeaders.CF_ACCESS, true,
        new ServiceAuth(ServiceAuthKind.SUPERSET_REMOTE_USER, "superset-config-sso", "CF_Access-User", List.of("sso-stuck")),
        List.of(), null);
    KubernetesSsoIntegration impatient = new KubernetesSsoIntegration(new KubernetesApi(worker),
        KubernetesSsoIntegration.Settings.defaults().withRollouts(Duration.ofMillis(100), Duration.ofSeconds(2)));

    Verification failed = impatient.restartAndWait(stuck);

    assertThat(failed.ok()).isFalse();
    assertThat(failed.evidence()).startsWith("stuck: restarted sso-stuck for auth config ")
        .contains("; not rolled out after 2 s: Deployment data-platform/sso-stuck: ")
        .contains("0 ready")
        .endsWith("See kubectl -n data-platform rollout status deployment/sso-stuck and kubectl -n data-platform describe pods"
            + " -l app=sso-stuck");
    long generation = deployment("data-platform", "sso-stuck").getMetadata().getGeneration();
    Verification retried = impatient.restartAndWait(stuck);
    assertThat(retried.ok()).isFalse();
    assertThat(retried.evidence()).startsWith("stuck: already running auth config ");
    assertThat(deployment("data-platform", "sso-stuck").getMetadata().getGeneration()).as("not restarted again")
        .isEqualTo(generation);
  }

  @Test
  void aServiceConfiguredToTrustAHeaderItsIngressDoesNotPassIsRefusedNamingServiceHeaderAndKey() {
    PlatformService grafana = CONFIG.service("grafana").orElseThrow();
    PlatformService wrong = new PlatformService(grafana.id(), grafana.displayName(), grafana.namespace(), grafana.host(),
        grafana.aliases(), grafana.backend(), grafana.paths(), grafana.healthPath(), grafana.identityHeaders(), true,
        new ServiceAuth(ServiceAuthKind.GRAFANA_AUTH_PROXY, "grafana-config", "CF_Access-User", List.of("grafana")),
        grafana.workloads(), null);

    ApplicationFailure refused = catchThrowableOfType(ApplicationFailure.class,
        () -> integration.planIntegration(SSO, List.of(wrong)));

    assertThat(refused.isNonRetryable()).isTrue();
    assertThat(refused.getType()).isEqualTo("SsoConfigInconsistent");
    assertThat(refused.getOriginalMessage()).isEqualTo("Grafana (grafana): services[grafana].serviceAuth.userHeader is"
        + " CF_Access-User, but services[grafana].identityHeaders (x-webauth) passes X-WEBAUTH-USER, X-WEBAUTH-EMAIL,"
        + " X-WEBAUTH-GROUPS: the service would trust a header its ingress never sends. Set"
        + " services[grafana].serviceAuth.userHeader to one of X-WEBAUTH-USER, X-WEBAUTH-EMAIL, X-WEBAUTH-GROUPS, or"
        + " services[grafana].identityHeaders to cf-access, then plan again");
    assertThat(catchThrowableOfType(ApplicationFailure.class, () -> integration.configureServiceAuth(wrong)).getType())
        .isEqualTo("SsoConfigInconsistent");
  }

  // ------------------------------------------------------------------------------------------------

  private static String json(ObjectSnapshot s) {
    return normalised(object(s.apiVersion(), s.kind(), s.namespace(), s.name()));
  }

  private static GenericKubernetesResource object(String apiVersion, String kind, String namespace, String name) {
    return admin.genericKubernetesResources(apiVersion, kind).inNamespace(namespace).withName(name).get();
  }

  /** The object's JSON without status, what the server sets, and the Deployment controller's revision. */
  @SuppressWarnings("unchecked")
  private static String normalised(GenericKubernetesResource object) {
    Map<String, Object> map = new LinkedHashMap<>(admin.getKubernetesSerialization().convertValue(object, Map.class));
    map.remove("status");
    Map<String, Object> metadata = new LinkedHashMap<>((Map<String, Object>) map.get("metadata"));
    for (String serverSet : List.of("resourceVersion", "managedFields", "generation", "uid", "creationTimestamp")) {
      metadata.remove(serverSet);
    }
    if (metadata.get("annotations") instanceof Map<?, ?> annotations) {
      Map<String, Object> kept = new LinkedHashMap<>((Map<String, Object>) annotations);
      kept.remove("deployment.kubernetes.io/revision");
      metadata.put("annotations", kept);
    }
    map.put("metadata", metadata);
    return admin.getKubernetesSerialization().asJson(map);
  }

  private static Map<String, String> configMapData(String namespace, String name) {
    return admin.configMaps().inNamespace(namespace).withName(name).get().getData();
  }

  private static Ingress ingress(String namespace, String name) {
    return admin.network().v1().ingresses().inNamespace(namespace).withName(name).get();
  }

  private static Deployment deployment(String namespace, String name) {
    return admin.apps().deployments().inNamespace(namespace).withName(name).get();
  }
}
