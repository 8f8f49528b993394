package io.carbon254.runbook.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A table of broken configurations: each row changes one place of the default file and lists the
 * exact problems expected (as {@code path: message} lines), so every message an operator can see
 * is pinned here.
 */
class InvalidConfigTest {

  static final String DEFAULT = ConfigLoader.defaultYaml();

  /** A DNS subdomain of the greatest length, 253 characters. */
  static final String PREFIX_253 = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));

  /** The default file with {@code old} (which must occur exactly once) replaced by {@code replacement}. */
  static String defaultWith(String old, String replacement) {
    return replaceOnce(DEFAULT, old, replacement);
  }

  /** {@code text} with {@code old}, which must occur exactly once, replaced by {@code replacement}. */
  static String replaceOnce(String text, String old, String replacement) {
    int at = text.indexOf(old);
    assertThat(at).as("'%s' occurs in the file", old).isNotNegative();
    assertThat(text.indexOf(old, at + 1)).as("'%s' occurs once in the file", old).isNegative();
    return text.replace(old, replacement);
  }

  static int lineOf(String text) {
    return DEFAULT.substring(0, DEFAULT.indexOf(text)).split("\n", -1).length;
  }

  /**
   * A row of a table: the default file with {@code old} replaced by {@code replacement} has exactly the
   * {@code expected} problems. The file is made when the row runs, not when the table is listed: PIT
   * runs one row at a time, and JUnit lists the whole table for each.
   */
  static Arguments row(String old, String replacement, String... expected) {
    return Arguments.of(old + " -> " + replacement, old, replacement, List.of(expected));
  }

  /** What a row checks: the changed default file reports exactly {@code expected}, in order. */
  static void assertRow(String old, String replacement, List<String> expected) {
    assertThat(ConfigLoader.checkYaml(defaultWith(old, replacement))).extracting(ConfigProblem::toString)
        .containsExactlyElementsOf(expected);
  }

  static Stream<Arguments> brokenFiles() {
    return Stream.of(
        // unknown keys, with the closest key when one is close, else the list of keys
        row("  clusterName: 254carbon-cluster", "  clusterNmae: 254carbon-cluster",
            "cluster.clusterNmae: unknown key (did you mean 'clusterName'?)",
            "cluster.clusterName: must be set"),
        row("baseDomain: 254carbon.com", "baseDomain: 254carbon.com\nflavour: vanilla",
            "flavour: unknown key (known keys: name, approvals, notifications, baseDomain, cluster, namespaces, "
                + "services, sso, harbor, images, backup, ha, hpa, monitoring)"),
        row("  podCidr: 10.244.0.0/16", "  podCdir: 10.244.0.0/16",
            "cluster.podCdir: unknown key (did you mean 'podCidr'?)",
            "cluster.podCidr: must be set"),
        row("  bucket: 254carbon-backups", "  buc: 254carbon-backups",
            "backup.buc: unknown key (known keys: veleroNamespace, objectStore, bucket, versioning, storageLocation, "
                + "rehearsal, schedules)",
            "backup.bucket: must be set"),
        // wrong types
        row("    replicas: 2\n    port: 5432", "    replicas: two\n    port: 5432",
            "ha.postgres.replicas: expected an integer, got 'two'"),
        row("  versioning: true", "  versioning: [yes]",
            "backup.versioning: expected true or false, got a list"),
        row("    onTimeout: FAIL ", "    onTimeout: LATER ",
            "approvals.defaults.onTimeout: expected one of FAIL, SKIP_STEP, ABORT, got 'LATER'"),
        row("    mode: statefulset ", "    mode: operator ",
            "ha.postgres.mode: expected one of statefulset, cnpg, got 'operator'"),
        row("  bucket: 254carbon-backups", "  bucket: {name: 254carbon-backups}",
            "backup.bucket: expected a string, got a mapping"),
        row("namespaces:\n  - data-platform\n", "namespaces:\n  -\n  - data-platform\n",
            "namespaces[0]: empty list item"),
        row("    emails: []", "    emails: ops@254carbon.com", "sso.allow.emails: expected a list, got 'ops@254carbon.com'"),
        row("      labels: {workload: general}", "      labels: general", "ha.workers[0].labels: expected a mapping, got 'general'"),
        row("backend: {service: lakefs, port: 8000}", "backend: lakefs:8000",
            "services[9].backend: expected a mapping, got 'lakefs:8000'"),
        row("    onTimeout: FAIL ", "    onTimeout: 3 ", "approvals.defaults.onTimeout: expected one of FAIL, SKIP_STEP, ABORT, got 3"),
        row("    replicas: 2\n    port: 5432", "    replicas: 3000000000\n    port: 5432",
            "ha.postgres.replicas: expected an integer, got 3000000000"),
        // long values are cut after 40 characters
        row("    mode: statefulset ", "    mode: " + "x".repeat(40) + " ",
            "ha.postgres.mode: expected one of statefulset, cnpg, got '" + "x".repeat(40) + "'"),
        row("    mode: statefulset ", "    mode: " + "x".repeat(41) + " ",
            "ha.postgres.mode: expected one of statefulset, cnpg, got '" + "x".repeat(40) + "...'"),
        // missing values
        row("name: 254carbon\n", "", "name: must be set"),
        row("policyName: Allow Vault Access,", "policyName: ,",
            "sso.apps[3].policyName: must be set"),
        // names and hosts
        row("name: 254carbon\n", "name: 254Carbon Platform\n",
            "name: must be lowercase letters, digits and '-', starting with a letter or digit (it is part of workflow ids), "
                + "got '254Carbon Platform'"),
        row("host: vault.254carbon.com,", "host: vault_254carbon.com,",
            "sso.apps[3].host: must be a hostname, got 'vault_254carbon.com'"),
        row("host: doris.254carbon.com,", "host: doris.example.org,",
            "sso.apps[8].host: must be 254carbon.com or under it (baseDomain), got 'doris.example.org'"),
        row("  podCidr: 10.244.0.0/16", "  podCidr: 10.244.0.0",
            "cluster.podCidr: must be an IPv4 CIDR like 10.244.0.0/16, got '10.244.0.0'"),
        row("  url: https://harbor.254carbon.local", "  url: harbor.254carbon.local",
            "harbor.url: must be an http:// or https:// URL with a host, got 'harbor.254carbon.local'"),
        // durations
        row("sessionDuration: 2h,", "sessionDuration: 2 hours,",
            "sso.apps[3].sessionDuration: '2 hours' is not a duration (use e.g. 90s, 30m, 4h, 3d, 1h30m, 500ms)"),
        row("sessionDuration: 2h,", "sessionDuration: 1d,",
            "sso.apps[3].sessionDuration: '1d' uses days, which Cloudflare does not accept; use hours (e.g. 24h)"),
        row("      ttl: 720h", "      ttl: 30d",
            "backup.schedules[0].ttl: '30d' uses days, which Velero does not accept; use hours (e.g. 720h)"),
        row("  bootstrapTokenTtl: 2h ", "  bootstrapTokenTtl: 2h2h ",
            "ha.bootstrapTokenTtl: '2h2h' is not a duration: units must appear once each, largest first "
                + "(use e.g. 90s, 30m, 4h, 3d, 1h30m, 500ms)"),
        // cron
        row("cron: \"0 2 * * *\"", "cron: \"0 25 * * *\"",
            "backup.schedules[0].cron: '0 25 * * *': hour field '25': 25 is outside 0-23"),
        row("cron: \"0 */6 * * *\"", "cron: \"0 */6 * *\"",
            "backup.schedules[1].cron: '0 */6 * *' has 4 fields; a cron expression has 5 "
                + "(minute hour day-of-month month day-of-week)"),
        // duplicates
        row("  - name: critical-backup", "  - name: daily-backup",
            "backup.schedules[1].name: duplicate name 'daily-backup'"),
        row("    - hostname: worker-node-3", "    - hostname: worker-node-1",
            "ha.workers[2].hostname: duplicate hostname 'worker-node-1'"),
        row("  - id: lakefs", "  - id: trino",
            "services[9].id: duplicate id 'trino'",
            "sso.apps[9].service: unknown service 'lakefs' (services: datahub, dolphinscheduler, doris, grafana, minio, "
                + "portal, superset, trino, vault)"),
        row("name: DataHub.254Carbon,", "name: Trino.254Carbon,",
            "sso.apps[7].name: duplicate name 'Trino.254Carbon'"),
        row("  - busybox:latest", "  - alpine:latest", "images[34]: duplicate image 'alpine:latest'"),
        row("      url: {env: SLACK_WEBHOOK_URL}",
            "      url: {env: SLACK_WEBHOOK_URL}\n    - name: platform-ops\n      url: {env: OTHER_HOOK}",
            "notifications.webhooks[1].name: duplicate name 'platform-ops'"),
        // secret references
        row("      url: {env: SLACK_WEBHOOK_URL}", "      url: {}",
            "notifications.webhooks[0].url: must set either env or namespace/name/key"),
        row("      url: {env: SLACK_WEBHOOK_URL}", "      url: {env: SLACK_WEBHOOK_URL, name: slack}",
            "notifications.webhooks[0].url: must set either env or namespace/name/key, not both"),
        row("secretKey: {namespace: data-platform, name: minio-secret, key: secret-key}",
            "secretKey: {namespace: data-platform, name: minio-secret}",
            "backup.objectStore.secretKey: namespace, name and key must all be set (missing: key)"),
        row("  # apiToken: {env: CLOUDFLARE_API_TOKEN}", "  apiToken: {env: CLOUDFLARE-TOKEN}",
            "sso.apiToken.env: must be an environment variable name (letters, digits, '_'), got 'CLOUDFLARE-TOKEN'",
            "sso.accountId: must be set when sso.apiToken is set (API mode)"),
        // approvals
        row("      requiredApprovals: 2\n      approvers: [group:platform-admins]\n      forbidInitiator: true\n    # Switching",
            "      requiredApprovals: 4\n      approvers: [group:platform-admins]\n      forbidInitiator: true\n    # Switching",
            "approvals.gates.approve-plan.requiredApprovals: requires 4 approvals but only 3 distinct people may approve "
                + "(alice, bob, carol)"),
        row("    requiredApprovals: 1", "    requiredApprovals: 0",
            "approvals.defaults.requiredApprovals: must be at least 1, got 0"),
        row("      approvers: [group:sre-oncall, group:platform-admins]", "      approvers: [group:on-call]",
            "approvals.gates.backup-activation/activate-schedules.approvers[0]: unknown group 'on-call' "
                + "(groups: platform-admins, sre-oncall)"),
        row("    backup-activation/activate-schedules:", "    backups/activate-schedules:",
            "approvals.gates.backups/activate-schedules: unknown runbook 'backups' (runbooks: backup-activation, ha-join, "
                + "hpa-activation, image-mirror, minio-distributed, node-join, platform, platform-check, "
                + "postgres-replication, sso, sso-access, sso-integration, sso-validation)"),
        row("    approve-plan:", "    Approve Plan:",
            "approvals.gates[\"Approve Plan\"]: a gate override key must be <gate-id> or <runbook>/<gate-id> in lowercase "
                + "letters, digits and '-'"),
        row("    reminderEvery: 24h", "    reminderEvery: 96h",
            "approvals.defaults.reminderEvery: must be shorter than the deadline (72h), or no reminder would ever be sent"),
        row("    sre-oncall: [dave, erin]", "    sre-oncall: [dave, group:platform-admins]",
            "approvals.groups.sre-oncall[1]: groups cannot contain groups ('group:platform-admins'); list the people"),
        // cross-checks
        row("      userHeader: X-WEBAUTH-USER ", "      userHeader: CF_Access-User ",
            "services[1].serviceAuth.userHeader: 'CF_Access-User' is not passed by the ingress (identityHeaders x-webauth "
                + "passes X-WEBAUTH-USER, X-WEBAUTH-EMAIL, X-WEBAUTH-GROUPS); the service would never see the user"),
        row("    emailDomains: [254carbon.com] ", "    emailDomains: [] ",
            "sso.allow: must list at least one of emailDomains or emails (a policy without them admits nobody; "
                + "allowing everyone is deliberately not offered)"),
        row("    replicas: 4 ", "    replicas: 3 ",
            "ha.minio.replicas: must be at least 4 (erasure coding needs 4 or more drives on separate pods), got 3"),
        row("    replicas: 4 ", "    replicas: 17 ",
            "ha.minio.replicas: 17 pods cannot be split into equal erasure sets of 2-16 drives spread evenly over the pods"),
        // 18 pods make 2 sets of 9: refused while the rule knew only sets of 8 and 16
        row("    replicas: 4 ", "    replicas: 18 "),
        row("      maxReplicas: 4", "      maxReplicas: 1",
            "hpa.autoscalers[1].maxReplicas: must be at least minReplicas (2), got 1"),
        row("      includedNamespaces: [data-platform, vault-prod]", "      includedNamespaces: [data-platform, kafka]",
            "backup.schedules[1].includedNamespaces[1]: 'kafka' is not one of the platform namespaces (namespaces: "
                + "data-platform, monitoring, registry, cert-manager, cloudflare-tunnel, ingress-nginx, velero, vault-prod, "
                + "kube-system)"),
        row("    scratchNamespace: restore-test ", "    scratchNamespace: data-platform ",
            "backup.rehearsal.scratchNamespace: must not be a platform namespace (the rehearsal deletes it)"),
        // a label key's prefix may have 253 characters and its name 63: 317 in all, no more, no less
        row("      velero.254carbon.com/purpose: rehearsal", "      " + PREFIX_253 + "/" + "n".repeat(63) + ": rehearsal"),
        row("      velero.254carbon.com/purpose: rehearsal", "      " + PREFIX_253 + "x/purpose: rehearsal",
            "backup.rehearsal.labels[\"" + PREFIX_253 + "x/purpose\"]: '" + PREFIX_253 + "x/purpose' is not a valid label key"),
        row("      labels: {workload: general}", "      labels: {node-role.kubernetes.io/worker: \"yes please\"}",
            "ha.workers[0].labels[\"node-role.kubernetes.io/worker\"]: 'yes please' is not a valid label value "
                + "(at most 63 letters, digits, '-', '_', '.')"),
        row("    deployment: cloudflared", "    deployment: cloudflared\n    deployment: cloudflared-2",
            "(yaml): line " + (lineOf("    deployment: cloudflared") + 1) + ", column 15: Duplicate field 'deployment'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenFiles")
  void reportsExactlyTheExpectedProblems(String change, String old, String replacement, List<String> expected) {
    assertRow(old, replacement, expected);
  }

  @ParameterizedTest(name = "{0} pods: {1}")
  @CsvSource({"4, true", "16, true", "18, true", "34, true", "221, true", "17, false", "19, false", "289, false"})
  void minioErasureSetsHave2To16DrivesSpreadEvenlyOverThePods(int pods, boolean fits) {
    assertThat(ConfigValidator.erasureSetsFit(pods)).isEqualTo(fits);
  }

  @Test
  void everyProblemOfAFileIsReportedTogether() {
    String yaml = String.join("\n",
        "name: Bad Name",
        "baseDomain: 254carbon.com",
        "cluster: {clusterName: c, podCidr: 10.244.0.0/16, serviceCidr: 10.96.0.0/12, ingressClass: nginx, cni: 3, color: red}",
        "namespaces: [data-platform]",
        "services:",
        "  - {id: portal, displayName: Portal, namespace: data-platform, host: 254carbon.com, backend: {service: portal, port: 80}}",
        "sso:",
        "  teamDomain: qagi.example.com",
        "  allow: {emails: [ops@254carbon.com]}",
        "  apps:",
        "    - {name: Portal, host: 254carbon.com, sessionDuration: 24h, policyName: Allow Portal, service: portal}",
        "    - {name: Grafana, host: -grafana.254carbon.com, sessionDuration: forever, policyName: Allow Grafana}",
        "  validation: {certificateMinDays: -1, latencyBudget: 500ms}",
        "approvals:",
        "  groups: {admins: [alice, bob]}",
        "  gates:",
        "    approve-plan: {requiredApprovals: 3, approvers: [group:admins, alice]}",
        "");
    List<String> problems = ConfigLoader.checkYaml(yaml).stream().map(ConfigProblem::toString).toList();
    assertThat(problems).containsExactly(
        "cluster.color: unknown key (known keys: clusterName, controlPlaneEndpoint, podCidr, serviceCidr, cni, ingressClass)",
        "name: must be lowercase letters, digits and '-', starting with a letter or digit (it is part of workflow ids), got 'Bad Name'",
        "sso.teamDomain: must be <team>.cloudflareaccess.com",
        "sso.apps[1].host: must be a hostname, got '-grafana.254carbon.com'",
        "sso.apps[1].sessionDuration: 'forever' is not a duration (use e.g. 90s, 30m, 4h, 3d, 1h30m, 500ms)",
        "sso.validation.certificateMinDays: must be at least 0, got -1",
        "harbor: must be set",
        "images: must not be empty",
        "backup: must be set",
        "ha: must be set",
        "hpa: must be set",
        "monitoring: must be set",
        "approvals.gates.approve-plan.requiredApprovals: requires 3 approvals but only 2 distinct people may approve (alice, bob)");
  }

  @Test
  void loadThrowsOneExceptionListingEveryProblemOnePerLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, defaultWith("sessionDuration: 2h,", "sessionDuration: 1d,")
        .replace("  clusterName: 254carbon-cluster", "  clusterName: 254carbon-cluster\n  zone: eu"));
    assertThatThrownBy(() -> ConfigLoader.load(file))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
          assertThat(e.source()).isEqualTo(file.toString());
          assertThat(e.problems()).extracting(ConfigProblem::path).containsExactly("cluster.zone", "sso.apps[3].sessionDuration");
          assertThat(ConfigLoader.check(file)).isEqualTo(e.problems());
          assertThat(Arrays.asList(e.getMessage().split("\n"))).containsExactly(
              "invalid platform configuration " + file + " (2 problems):",
              "cluster.zone: unknown key (known keys: clusterName, controlPlaneEndpoint, podCidr, serviceCidr, cni, ingressClass)",
              "sso.apps[3].sessionDuration: '1d' uses days, which Cloudflare does not accept; use hours (e.g. 24h)");
        });
  }

  @Test
  void syntaxErrorsEmptyFilesAndMissingFilesAreProblemsNotStackTraces(@TempDir Path dir) {
    assertThat(ConfigLoader.checkYaml("name: [unclosed")).singleElement()
        .satisfies(p -> {
          assertThat(p.path()).isEqualTo("(yaml)");
          assertThat(p.message()).startsWith("line 1, column ");
        });
    assertThat(ConfigLoader.checkYaml("")).containsExactly(new ConfigProblem("(root)", "the configuration is empty"));
    assertThat(ConfigLoader.checkYaml("- a\n- b\n"))
        .containsExactly(new ConfigProblem("(root)", "expected a mapping, got a list"));
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(missing))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("(file): cannot read " + missing);
  }
}
