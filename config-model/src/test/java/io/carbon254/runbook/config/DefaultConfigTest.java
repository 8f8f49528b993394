package io.carbon254.runbook.config;

import static io.carbon254.runbook.config.InvalidConfigTest.replaceOnce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped config/254carbon.yaml is valid and says what PLATFORM.md says. */
class DefaultConfigTest {

  static final Path FILE = Path.of("..", "config", "254carbon.yaml");
  final PlatformConfig config = ConfigLoader.load(FILE);

  @Test
  void theDefaultFileHasNoProblems() {
    assertThat(ConfigLoader.check(FILE)).isEmpty();
  }

  @Test
  void theClasspathCopyIsTheRepositoryFile() throws Exception {
    assertThat(ConfigLoader.defaultYaml()).isEqualTo(Files.readString(FILE));
    assertThat(ConfigLoader.loadDefault()).isEqualTo(config);
  }

  @Test
  void platformAndCluster() {
    assertThat(config.name()).isEqualTo("254carbon");
    assertThat(config.baseDomain()).isEqualTo("254carbon.com");
    assertThat(config.cluster().clusterName()).isEqualTo("254carbon-cluster");
    assertThat(config.cluster().controlPlaneEndpoint()).isNull();
    assertThat(config.cluster().podCidr()).isEqualTo("10.244.0.0/16");
    assertThat(config.cluster().serviceCidr()).isEqualTo("10.96.0.0/12");
    assertThat(config.namespaces()).containsExactly(
        "data-platform", "monitoring", "registry", "cert-manager", "cloudflare-tunnel", "ingress-nginx",
        "velero", "vault-prod", "kube-system");
  }

  @Test
  void theNineSsoServicesAndThePortal() {
    assertThat(config.services()).hasSize(10);
    assertThat(config.services())
        .extracting(PlatformService::id, PlatformService::namespace, s -> s.backend().service(), s -> s.backend().port(),
            PlatformService::host, PlatformService::healthPath)
        .containsExactly(
            tuple("portal", "data-platform", "portal", 8080, "254carbon.com", null),
            tuple("grafana", "monitoring", "grafana", 3000, "grafana.254carbon.com", "/api/health"),
            tuple("superset", "data-platform", "superset", 8088, "superset.254carbon.com", "/health"),
            tuple("datahub", "data-platform", "datahub-frontend", 9002, "datahub.254carbon.com", "/api/v2/health"),
            tuple("trino", "data-platform", "trino", 8080, "trino.254carbon.com", "/v1/info"),
            tuple("doris", "data-platform", "doris-fe-service", 8030, "doris.254carbon.com", null),
            tuple("vault", "data-platform", "vault", 8200, "vault.254carbon.com", "/v1/sys/health"),
            tuple("minio", "data-platform", "minio-console", 9001, "minio.254carbon.com", "/minio/health/live"),
            tuple("dolphinscheduler", "data-platform", "dolphinscheduler-api", 12345, "dolphin.254carbon.com",
                "/dolphinscheduler/actuator/health"),
            tuple("lakefs", "data-platform", "lakefs", 8000, "lakefs.254carbon.com", null));
    PlatformService portal = config.service("portal").orElseThrow();
    assertThat(portal.ssoIngress()).isFalse();
    assertThat(portal.aliases()).containsExactly("www.254carbon.com", "portal.254carbon.com");
    assertThat(portal.latencyBudget()).isEqualTo("100ms");
    assertThat(config.service("datahub").orElseThrow().paths())
        .containsExactly(new PlatformService.PathRoute("/api", "datahub-gms", 8080));
    assertThat(config.service("superset").orElseThrow().identityHeaders()).isEqualTo(PlatformService.IdentityHeaders.CF_ACCESS);
    assertThat(config.service("lakefs").orElseThrow().identityHeaders()).isEqualTo(PlatformService.IdentityHeaders.CF_ACCESS);
    PlatformService grafana = config.service("grafana").orElseThrow();
    assertThat(grafana.identityHeaders()).isEqualTo(PlatformService.IdentityHeaders.X_WEBAUTH);
    // the fix of the old mismatch: Grafana trusts the header its ingress passes
    assertThat(grafana.serviceAuth().userHeader()).isEqualTo("X-WEBAUTH-USER");
    assertThat(grafana.serviceAuth().configMap()).isEqualTo("grafana-config");
    assertThat(config.service("superset").orElseThrow().serviceAuth().configMap()).isEqualTo("superset-config-sso");
  }

  @Test
  void theTenAccessAppsWithTheirSessionDurations() {
    Sso sso = config.sso();
    assertThat(sso.teamDomain()).isEqualTo("qagi.cloudflareaccess.com");
    assertThat(sso.isApiMode()).isFalse();
    assertThat(sso.allow().emailDomains()).containsExactly("254carbon.com");
    assertThat(sso.acmeBypass()).isFalse();
    assertThat(sso.apps())
        .extracting(Sso.AccessApp::name, Sso.AccessApp::host, Sso.AccessApp::sessionDuration)
        .containsExactly(
            tuple("254Carbon Portal", "254carbon.com", "24h"),
            tuple("Grafana.254Carbon", "grafana.254carbon.com", "24h"),
            tuple("Superset.254Carbon", "superset.254carbon.com", "24h"),
            tuple("Vault.254Carbon", "vault.254carbon.com", "2h"),
            tuple("MinIO.254Carbon", "minio.254carbon.com", "8h"),
            tuple("DolphinScheduler.254Carbon", "dolphin.254carbon.com", "12h"),
            tuple("DataHub.254Carbon", "datahub.254carbon.com", "12h"),
            tuple("Trino.254Carbon", "trino.254carbon.com", "8h"),
            tuple("Doris.254Carbon", "doris.254carbon.com", "8h"),
            tuple("LakeFS.254Carbon", "lakefs.254carbon.com", "12h"));
    assertThat(sso.apps()).extracting(Sso.AccessApp::policyName).contains("Allow Grafana Access", "Allow Vault Access");
    assertThat(sso.validation().latencyBudget()).isEqualTo("500ms");
    assertThat(sso.tunnel().origin()).isEqualTo("ingress-nginx-controller.ingress-nginx:80");
  }

  @Test
  void harborAndTheThirtyFiveImages() {
    Harbor h = config.harbor();
    assertThat(h.project()).isEqualTo("254carbon");
    assertThat(h.robot()).isEqualTo("docker-mirror-robot");
    assertThat(h.pullSecret()).isEqualTo("harbor-credentials");
    assertThat(h.registryHost()).isEqualTo("harbor.254carbon.local");
    assertThat(h.switchNamespaces()).containsExactly("data-platform");
    assertThat(config.images()).hasSize(35).doesNotHaveDuplicates();
    assertThat(config.images()).startsWith("registry.k8s.io/ingress-nginx/controller:v1.8.1")
        .endsWith("alpine:latest")
        .contains("quay.io/jetstack/cert-manager-cainjector:v1.13.0", "minio/minio:RELEASE.2024-01-11T08-13-15Z",
            "apache/dolphinscheduler-worker:3.1.5", "apache/hudi:hudi-0.13.0", "trinodb/trino:424");
  }

  @Test
  void backupBucketLocationAndTheThreeSchedules() {
    Backup b = config.backup();
    assertThat(b.veleroNamespace()).isEqualTo("velero");
    assertThat(b.bucket()).isEqualTo("254carbon-backups");
    assertThat(b.objectStore().accessKey()).isEqualTo(SecretRef.kubernetes("data-platform", "minio-secret", "access-key"));
    assertThat(b.objectStore().secretKey()).isEqualTo(SecretRef.kubernetes("data-platform", "minio-secret", "secret-key"));
    assertThat(b.storageLocation().name()).isEqualTo("default");
    assertThat(b.storageLocation().provider()).isEqualTo("aws");
    assertThat(b.storageLocation().prefix()).isEqualTo("cluster-backups");
    assertThat(b.storageLocation().credential()).isEqualTo(new Backup.SecretKey("minio-backup-credentials", "cloud"));
    assertThat(b.storageLocation().config()).containsEntry("s3ForcePathStyle", "true")
        .containsEntry("insecureSkipTLSVerify", "true")
        .containsEntry("s3Url", "http://minio-service.data-platform.svc.cluster.local:9000");
    assertThat(b.rehearsal().scratchNamespace()).isEqualTo("restore-test");
    assertThat(b.rehearsal().labels()).containsExactly(Map.entry("velero.254carbon.com/purpose", "rehearsal"));
    assertThat(b.schedules())
        .extracting(Backup.Schedule::name, Backup.Schedule::cron, Backup.Schedule::ttl, Backup.Schedule::includedNamespaces)
        .containsExactly(
            tuple("daily-backup", "0 2 * * *", "720h",
                List.of("data-platform", "monitoring", "registry", "vault-prod", "cloudflare-tunnel")),
            tuple("critical-backup", "0 */6 * * *", "168h", List.of("data-platform", "vault-prod")),
            tuple("postgres-backup", "0 3 * * *", "168h", List.of("data-platform")));
    assertThat(b.schedules().get(2).labelSelector()).containsExactly(Map.entry("app", "postgres-shared"));
  }

  @Test
  void haHpaAndMonitoring() {
    assertThat(config.ha().workers())
        .extracting(Ha.Worker::hostname, Ha.Worker::labels)
        .containsExactly(
            tuple("worker-node-1", Map.of("workload", "general")),
            tuple("worker-node-2", Map.of("workload", "data-intensive")),
            tuple("worker-node-3", Map.of("workload", "high-memory")));
    Ha.Postgres pg = config.ha().postgres();
    assertThat(pg.mode()).isEqualTo(Ha.PostgresMode.STATEFULSET);
    assertThat(pg.name()).isEqualTo("postgres-shared");
    assertThat(pg.replicas()).isEqualTo(2);
    assertThat(pg.replicationUser()).isEqualTo("replicator");
    assertThat(pg.primaryService()).isEqualTo("postgres-shared-primary");
    assertThat(pg.standbyService()).isEqualTo("postgres-shared-standby");
    assertThat(config.ha().minio().replicas()).isGreaterThanOrEqualTo(4);
    assertThat(config.ha().minio().switchService()).isEqualTo("minio-service");
    assertThat(config.hpa().metricsServer().namespace()).isEqualTo("kube-system");
    assertThat(config.hpa().metricsServer().insecureTls()).isTrue();
    assertThat(config.hpa().metricsServer().kubeletPreferredAddressTypes()).containsExactly("InternalIP", "ExternalIP", "Hostname");
    assertThat(config.hpa().autoscalers())
        .extracting(Hpa.Autoscaler::targetName, Hpa.Autoscaler::minReplicas, Hpa.Autoscaler::maxReplicas,
            Hpa.Autoscaler::cpuUtilization)
        .containsExactly(tuple("trino-worker", 2, 5, 70), tuple("superset", 2, 4, 75));
    assertThat(config.monitoring().minActiveTargets()).isEqualTo(16);
  }

  @Test
  void approvalsAndNotifications() {
    GatePolicy plan = config.approvals().policyFor("backup-activation", "approve-plan");
    assertThat(plan.requiredApprovals()).isEqualTo(2);
    assertThat(plan.forbidInitiator()).isTrue();
    assertThat(plan.deadline()).isEqualTo("72h");
    assertThat(ConfigValidator.people(plan, config.approvals())).containsExactly("alice", "bob", "carol");
    assertThat(config.approvals().policyFor("backup-activation", "activate-schedules").onTimeout())
        .isEqualTo(TimeoutOutcome.SKIP_STEP);
    assertThat(config.notifications().webhooks())
        .containsExactly(new Notifications.Webhook("platform-ops", SecretRef.env("SLACK_WEBHOOK_URL")));
  }

  @Test
  void absentFlagsTakeTheirDocumentedDefaultsAndSetOnesAreReadAsSet() {
    String yaml = ConfigLoader.defaultYaml();
    String appSettings = "  appSettings:\n    httpOnlyCookie: true\n    appLauncherVisible: true\n"
        + "    autoRedirectToIdentity: false   # users pick email one-time PIN on the login page\n";
    PlatformConfig absent = ConfigLoader.fromYaml(replaceOnce(replaceOnce(replaceOnce(yaml,
        "  versioning: true\n", ""),
        "  acmeBypass: false\n", ""),
        appSettings, "  appSettings: {}\n"));
    // versioning, acmeBypass, httpOnlyCookie, appLauncherVisible, autoRedirectToIdentity
    assertThat(flags(absent)).containsExactly(true, false, true, true, false);
    PlatformConfig flipped = ConfigLoader.fromYaml(replaceOnce(replaceOnce(replaceOnce(yaml,
        "  versioning: true\n", "  versioning: false\n"),
        "  acmeBypass: false\n", "  acmeBypass: true\n"),
        appSettings, "  appSettings: {httpOnlyCookie: false, appLauncherVisible: false, autoRedirectToIdentity: true}\n"));
    assertThat(flags(flipped)).containsExactly(false, true, false, false, true);
  }

  static List<Boolean> flags(PlatformConfig c) {
    Sso.AppSettings app = c.sso().appSettings();
    return List.of(c.backup().versioning(), c.sso().acmeBypass(), app.httpOnlyCookie(), app.appLauncherVisible(),
        app.autoRedirectToIdentity());
  }

  @Test
  void aNumberOrBooleanWhereTextIsExpectedIsReadAsItsText() {
    PlatformConfig c = ConfigLoader.fromYaml(replaceOnce(replaceOnce(ConfigLoader.defaultYaml(),
        "  project: 254carbon\n", "  project: 2024\n"),
        "    provider: aws\n", "    provider: true\n"));
    assertThat(c.harbor().project()).isEqualTo("2024");
    assertThat(c.backup().storageLocation().provider()).isEqualTo("true");
  }

  @Test
  void roundTripsThroughAPlainObjectMapperAsTemporalUsesIt() throws Exception {
    ObjectMapper temporalLike = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    String json = temporalLike.writeValueAsString(config);
    assertThat(temporalLike.readValue(json, PlatformConfig.class)).isEqualTo(config);
    // no derived getters leak into the payload
    assertThat(json).doesNotContain("apiMode").doesNotContain("\"headers\"");
    // strict mapper too: what is written is exactly the record components
    assertThat(new ObjectMapper().readValue(json, PlatformConfig.class)).isEqualTo(config);
  }

  @Test
  void roundTripsThroughYaml() {
    assertThat(ConfigLoader.fromYaml(ConfigLoader.toYaml(config))).isEqualTo(config);
  }

  @Test
  void theEngineFactoryStillWorks() throws Exception {
    PlatformConfig minimal = PlatformConfig.of("test", Approvals.anyone(), Notifications.none());
    assertThat(minimal.name()).isEqualTo("test");
    assertThat(minimal.sso()).isNull();
    assertThat(minimal.images()).isEmpty();
    assertThat(minimal.approvals().policyFor("x", "approve-plan")).isEqualTo(GatePolicy.BUILT_IN);
    assertThat(PlatformConfig.of("test", null, null).approvals()).as("no policy is assumed: validation requires one").isNull();
    ObjectMapper mapper = new ObjectMapper();
    assertThat(mapper.readValue(mapper.writeValueAsString(minimal), PlatformConfig.class)).isEqualTo(minimal);
  }

  @Test
  void kubeletInsecureTlsIsAddedUnlessTheConfigurationSaysNo() {
    assertThat(new Hpa.MetricsServer("kube-system", "metrics-server", "v1beta1.metrics.k8s.io", null, null).insecureTls())
        .as("absent: as the default file").isTrue();
    assertThat(new Hpa.MetricsServer("kube-system", "metrics-server", "v1beta1.metrics.k8s.io", true, null).insecureTls()).isTrue();
    assertThat(new Hpa.MetricsServer("kube-system", "metrics-server", "v1beta1.metrics.k8s.io", false, null).insecureTls()).isFalse();
    assertThat(new Hpa.MetricsServer("kube-system", "metrics-server", "v1beta1.metrics.k8s.io", false, null)
        .kubeletPreferredAddressTypes()).as("absent: none added").isEmpty();
  }
}
