package io.carbon254.runbook.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import io.carbon254.runbook.trust.AllowedSigners;

/**
 * Checks a {@link PlatformConfig} for everything that would make a runbook fail later: missing
 * values, malformed names, hosts, durations and cron expressions, duplicate ids, dangling
 * references, secret references of neither or both forms, and approval policies nobody can
 * satisfy. Returns every problem at once; never throws for a bad configuration.
 */
public final class ConfigValidator {

  /** Runbook ids that may prefix a gate override key ({@code backup-activation/activate-schedules}). */
  public static final Set<String> KNOWN_RUNBOOKS = Set.of(
      "sso-access", "sso-integration", "sso-validation", "sso", "image-mirror", "backup-activation",
      "ha-join", "node-join", "postgres-replication", "minio-distributed", "hpa-activation",
      "platform-check", "platform");

  static final Pattern PLATFORM_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
  static final Pattern ID = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
  static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  static final Pattern HOSTNAME = Pattern.compile(
      "(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  static final Pattern ENV_VAR = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
  static final Pattern LABEL_KEY = Pattern.compile(
      "(([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
  static final Pattern CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");
  static final Pattern HOST_PORT = Pattern.compile("([a-z0-9.-]+|\\[[0-9a-fA-F:]+\\]):(\\d{1,5})");
  static final Pattern WORKLOAD = Pattern.compile("(deployment|statefulset|daemonset)/[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
  static final Pattern IMAGE = Pattern.compile(
      "([a-z0-9.-]+(:\\d+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?");
  static final Pattern ACCOUNT_ID = Pattern.compile("[0-9a-f]{32}");
  static final Pattern QUANTITY = Pattern.compile("\\d+(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?");
  static final Pattern HARBOR_NAME = Pattern.compile("[a-z0-9]+([._-][a-z0-9]+)*");
  /** The longest text matched against a pattern: see {@link #matches}. */
  static final int MAX_MATCHED = 1024;

  static final Pattern HEADER = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private final List<ConfigProblem> problems = new ArrayList<>();

  private ConfigValidator() {}

  /** Every problem of the configuration; empty when it is valid. */
  public static List<ConfigProblem> validate(PlatformConfig config) {
    ConfigValidator v = new ConfigValidator();
    v.platform(config);
    return List.copyOf(v.problems);
  }

  /** Problems of one secret reference at {@code path} (used for every SecretRef of the file). */
  public static List<ConfigProblem> validateSecretRef(String path, SecretRef ref) {
    ConfigValidator v = new ConfigValidator();
    v.secretRef(path, ref, true);
    return List.copyOf(v.problems);
  }

  /** Problems of the approval policies (groups, defaults and every gate override). */
  public static List<ConfigProblem> validateApprovals(Approvals approvals) {
    ConfigValidator v = new ConfigValidator();
    v.approvals("approvals", approvals);
    return List.copyOf(v.problems);
  }

  // ---------------------------------------------------------------- the sections

  private void platform(PlatformConfig c) {
    if (require("name", c.name())) {
      match("name", c.name(), PLATFORM_NAME,
          "must be lowercase letters, digits and '-', starting with a letter or digit (it is part of workflow ids)");
    }
    if (require("baseDomain", c.baseDomain())) {
      hostname("baseDomain", c.baseDomain());
    }
    if (require("cluster", c.cluster())) {
      cluster(c.cluster());
    }
    Set<String> namespaces = new LinkedHashSet<>(c.namespaces());
    if (nonEmpty("namespaces", c.namespaces())) {
      eachDnsLabel("namespaces", c.namespaces());
      duplicates("namespaces", c.namespaces(), s -> s, "namespace");
    }
    Set<String> serviceIds = new HashSet<>();
    if (nonEmpty("services", c.services())) {
      for (int i = 0; i < c.services().size(); i++) {
        service(ConfigLoader.index("services", i), c.services().get(i), c.baseDomain(), namespaces);
        if (c.services().get(i).id() != null) {
          serviceIds.add(c.services().get(i).id());
        }
      }
      duplicates("services", c.services(), PlatformService::id, "id");
      duplicates("services", c.services(), PlatformService::host, "host");
    }
    if (require("sso", c.sso())) {
      sso(c.sso(), c.baseDomain(), serviceIds);
    }
    if (require("harbor", c.harbor())) {
      harbor(c.harbor(), namespaces);
    }
    if (nonEmpty("images", c.images())) {
      for (int i = 0; i < c.images().size(); i++) {
        match(ConfigLoader.index("images", i), c.images().get(i), IMAGE,
            "must be an image reference like registry/repository:tag");
      }
      duplicates("images", c.images(), s -> s, "image");
    }
    if (require("backup", c.backup())) {
      backup(c.backup(), namespaces);
    }
    if (require("ha", c.ha())) {
      ha(c.ha());
    }
    if (require("hpa", c.hpa())) {
      hpa(c.hpa(), namespaces);
    }
    if (require("monitoring", c.monitoring())) {
      monitoring(c.monitoring());
    }
    if (c.approvals() == null) {
      add("approvals", "required: who approves gates, answers failed steps and may sign decisions (groups, defaults,"
          + " signers); a platform without it would let anyone approve anything");
    } else {
      approvals("approvals", c.approvals());
    }
    notifications(c.notifications());
  }

  private void cluster(Cluster c) {
    if (require("cluster.clusterName", c.clusterName())) {
      match("cluster.clusterName", c.clusterName(), DNS_SUBDOMAIN, "must be a DNS name (lowercase letters, digits, '-', '.')");
    }
    if (c.controlPlaneEndpoint() != null) {
      hostPort("cluster.controlPlaneEndpoint", c.controlPlaneEndpoint());
    }
    if (require("cluster.podCidr", c.podCidr())) {
      cidr("cluster.podCidr", c.podCidr());
    }
    if (require("cluster.serviceCidr", c.serviceCidr())) {
      cidr("cluster.serviceCidr", c.serviceCidr());
    }
    if (require("cluster.ingressClass", c.ingressClass())) {
      dnsSubdomain("cluster.ingressClass", c.ingressClass());
    }
  }

  private void service(String path, PlatformService s, String baseDomain, Set<String> namespaces) {
    if (require(path + ".id", s.id())) {
      match(path + ".id", s.id(), ID, "must be lowercase letters, digits and '-'");
    }
    require(path + ".displayName", s.displayName());
    if (require(path + ".namespace", s.namespace())) {
      platformNamespace(path + ".namespace", s.namespace(), namespaces);
    }
    if (require(path + ".host", s.host())) {
      hostUnder(path + ".host", s.host(), baseDomain);
    }
    for (int i = 0; i < s.aliases().size(); i++) {
      hostUnder(ConfigLoader.index(path + ".aliases", i), s.aliases().get(i), baseDomain);
    }
    if (require(path + ".backend", s.backend())) {
      backend(path + ".backend", s.backend().service(), s.backend().port());
    }
    for (int i = 0; i < s.paths().size(); i++) {
      String p = ConfigLoader.index(path + ".paths", i);
      PlatformService.PathRoute r = s.paths().get(i);
      if (require(p + ".path", r.path())) {
        httpPath(p + ".path", r.path());
      }
      backend(p, r.service(), r.port());
    }
    if (s.healthPath() != null) {
      httpPath(path + ".healthPath", s.healthPath());
    }
    if (s.serviceAuth() != null) {
      String p = path + ".serviceAuth";
      PlatformService.ServiceAuth a = s.serviceAuth();
      require(p + ".kind", a.kind());
      if (require(p + ".configMap", a.configMap())) {
        dnsSubdomain(p + ".configMap", a.configMap());
      }
      if (require(p + ".userHeader", a.userHeader()) && !s.identityHeaders().headers().contains(a.userHeader())) {
        add(p + ".userHeader", "'" + a.userHeader() + "' is not passed by the ingress (identityHeaders "
            + s.identityHeaders().yaml() + " passes "
            + (s.identityHeaders().headers().isEmpty() ? "no headers" : String.join(", ", s.identityHeaders().headers()))
            + "); the service would never see the user");
      }
      for (int i = 0; i < a.restart().size(); i++) {
        dnsSubdomain(ConfigLoader.index(p + ".restart", i), a.restart().get(i));
      }
    }
    for (int i = 0; i < s.workloads().size(); i++) {
      match(ConfigLoader.index(path + ".workloads", i), s.workloads().get(i), WORKLOAD,
          "must be deployment/<name>, statefulset/<name> or daemonset/<name>");
    }
    if (s.latencyBudget() != null) {
      duration(path + ".latencyBudget", s.latencyBudget());
    }
  }

  private void sso(Sso s, String baseDomain, Set<String> serviceIds) {
    if (require("sso.teamDomain", s.teamDomain()) && hostname("sso.teamDomain", s.teamDomain())
        && !s.teamDomain().endsWith(".cloudflareaccess.com")) {
      add("sso.teamDomain", "must be <team>.cloudflareaccess.com");
    }
    if (s.apiToken() != null) {
      secretRef("sso.apiToken", s.apiToken(), true);
      if (require("sso.accountId", s.accountId(), "must be set when sso.apiToken is set (API mode)")) {
        match("sso.accountId", s.accountId(), ACCOUNT_ID, "must be the 32 hex digits of a Cloudflare account id");
      }
    } else if (s.accountId() != null) {
      match("sso.accountId", s.accountId(), ACCOUNT_ID, "must be the 32 hex digits of a Cloudflare account id");
    }
    if (require("sso.allow", s.allow())) {
      Sso.Allow a = s.allow();
      if (a.emailDomains().isEmpty() && a.emails().isEmpty()) {
        add("sso.allow", "must list at least one of emailDomains or emails (a policy without them admits nobody; "
            + "allowing everyone is deliberately not offered)");
      }
      for (int i = 0; i < a.emailDomains().size(); i++) {
        hostname(ConfigLoader.index("sso.allow.emailDomains", i), a.emailDomains().get(i));
      }
      for (int i = 0; i < a.emails().size(); i++) {
        String e = a.emails().get(i);
        int at = e.indexOf('@');
        if (at < 1 || e.indexOf('@', at + 1) >= 0 || !matches(HOSTNAME, e.substring(at + 1))) {
          add(ConfigLoader.index("sso.allow.emails", i), "must be an email address, got '" + e + "'");
        }
      }
    }
    if (nonEmpty("sso.apps", s.apps())) {
      for (int i = 0; i < s.apps().size(); i++) {
        String p = ConfigLoader.index("sso.apps", i);
        Sso.AccessApp app = s.apps().get(i);
        require(p + ".name", app.name());
        if (require(p + ".host", app.host())) {
          hostUnder(p + ".host", app.host(), baseDomain);
        }
        if (require(p + ".sessionDuration", app.sessionDuration())) {
          goDuration(p + ".sessionDuration", app.sessionDuration(), "Cloudflare");
        }
        require(p + ".policyName", app.policyName());
        if (app.service() != null && !serviceIds.contains(app.service())) {
          add(p + ".service", "unknown service '" + app.service() + "' (services: " + String.join(", ", new TreeSet<>(serviceIds)) + ")");
        }
      }
      duplicates("sso.apps", s.apps(), Sso.AccessApp::name, "name");
      duplicates("sso.apps", s.apps(), Sso.AccessApp::host, "host");
    }
    if (s.acmeBypassSessionDuration() != null) {
      goDuration("sso.acmeBypassSessionDuration", s.acmeBypassSessionDuration(), "Cloudflare");
    }
    if (s.serviceToken() != null) {
      secretRef("sso.serviceToken.clientId", s.serviceToken().clientId(), true);
      secretRef("sso.serviceToken.clientSecret", s.serviceToken().clientSecret(), true);
    }
    if (require("sso.validation", s.validation())) {
      Sso.Validation v = s.validation();
      if (require("sso.validation.certificateMinDays", v.certificateMinDays())) {
        atLeast("sso.validation.certificateMinDays", v.certificateMinDays(), 0);
      }
      if (require("sso.validation.latencyBudget", v.latencyBudget())) {
        duration("sso.validation.latencyBudget", v.latencyBudget());
      }
      if (v.requestTimeout() != null) {
        duration("sso.validation.requestTimeout", v.requestTimeout());
      }
      if (v.parallelism() != null) {
        atLeast("sso.validation.parallelism", v.parallelism(), 1);
      }
      if (v.cookieDomain() != null && !matches(HOSTNAME, v.cookieDomain().replaceFirst("^\\.", ""))) {
        add("sso.validation.cookieDomain", "must be a domain like .254carbon.com");
      }
    }
    if (s.tunnel() != null) {
      Sso.Tunnel t = s.tunnel();
      require("sso.tunnel.name", t.name());
      if (require("sso.tunnel.namespace", t.namespace())) {
        dnsLabel("sso.tunnel.namespace", t.namespace());
      }
      if (require("sso.tunnel.deployment", t.deployment())) {
        dnsSubdomain("sso.tunnel.deployment", t.deployment());
      }
      if (t.replicas() != null) {
        atLeast("sso.tunnel.replicas", t.replicas(), 1);
      }
      if (t.origin() != null) {
        hostPort("sso.tunnel.origin", t.origin());
      }
    }
  }

  private void harbor(Harbor h, Set<String> namespaces) {
    if (require("harbor.namespace", h.namespace())) {
      dnsLabel("harbor.namespace", h.namespace());
    }
    if (require("harbor.url", h.url())) {
      url("harbor.url", h.url());
    }
    if (require("harbor.registryHost", h.registryHost())) {
      hostname("harbor.registryHost", h.registryHost());
    }
    for (int i = 0; i < h.alternateHosts().size(); i++) {
      hostname(ConfigLoader.index("harbor.alternateHosts", i), h.alternateHosts().get(i));
    }
    if (require("harbor.project", h.project())) {
      match("harbor.project", h.project(), HARBOR_NAME, "must be lowercase letters and digits separated by '.', '_' or '-'");
    }
    if (require("harbor.robot", h.robot())) {
      match("harbor.robot", h.robot(), HARBOR_NAME, "must be lowercase letters and digits separated by '.', '_' or '-'");
    }
    if (require("harbor.admin", h.admin())) {
      secretRef("harbor.admin.username", h.admin().username(), true);
      secretRef("harbor.admin.password", h.admin().password(), true);
    }
    if (require("harbor.pullSecret", h.pullSecret())) {
      dnsSubdomain("harbor.pullSecret", h.pullSecret());
    }
    if (nonEmpty("harbor.switchNamespaces", h.switchNamespaces())) {
      for (int i = 0; i < h.switchNamespaces().size(); i++) {
        platformNamespace(ConfigLoader.index("harbor.switchNamespaces", i), h.switchNamespaces().get(i), namespaces);
      }
    }
    if (h.parallelism() != null) {
      atLeast("harbor.parallelism", h.parallelism(), 1);
    }
  }

  private void backup(Backup b, Set<String> namespaces) {
    if (require("backup.veleroNamespace", b.veleroNamespace())) {
      dnsLabel("backup.veleroNamespace", b.veleroNamespace());
    }
    if (require("backup.objectStore", b.objectStore())) {
      Backup.ObjectStore o = b.objectStore();
      if (require("backup.objectStore.endpoint", o.endpoint())) {
        url("backup.objectStore.endpoint", o.endpoint());
      }
      secretRef("backup.objectStore.accessKey", o.accessKey(), true);
      secretRef("backup.objectStore.secretKey", o.secretKey(), true);
    }
    if (require("backup.bucket", b.bucket())) {
      match("backup.bucket", b.bucket(), Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"),
          "must be an S3 bucket name (3-63 lowercase letters, digits, '.', '-')");
    }
    if (require("backup.storageLocation", b.storageLocation())) {
      Backup.StorageLocation l = b.storageLocation();
      if (require("backup.storageLocation.name", l.name())) {
        dnsSubdomain("backup.storageLocation.name", l.name());
      }
      require("backup.storageLocation.provider", l.provider());
      if (require("backup.storageLocation.credential", l.credential())) {
        if (require("backup.storageLocation.credential.name", l.credential().name())) {
          dnsSubdomain("backup.storageLocation.credential.name", l.credential().name());
        }
        if (require("backup.storageLocation.credential.key", l.credential().key())) {
          match("backup.storageLocation.credential.key", l.credential().key(), SECRET_KEY,
              "must be a Secret key (letters, digits, '-', '_', '.')");
        }
      }
    }
    if (require("backup.rehearsal", b.rehearsal())) {
      Backup.Rehearsal r = b.rehearsal();
      if (require("backup.rehearsal.canaryNamespace", r.canaryNamespace())) {
        dnsLabel("backup.rehearsal.canaryNamespace", r.canaryNamespace());
        if (namespaces.contains(r.canaryNamespace())) {
          add("backup.rehearsal.canaryNamespace", "must not be a platform namespace (the rehearsal deletes it)");
        }
      }
      if (require("backup.rehearsal.canaryConfigMap", r.canaryConfigMap())) {
        dnsSubdomain("backup.rehearsal.canaryConfigMap", r.canaryConfigMap());
      }
      if (require("backup.rehearsal.scratchNamespace", r.scratchNamespace())) {
        dnsLabel("backup.rehearsal.scratchNamespace", r.scratchNamespace());
        if (namespaces.contains(r.scratchNamespace())) {
          add("backup.rehearsal.scratchNamespace", "must not be a platform namespace (the rehearsal deletes it)");
        } else if (r.scratchNamespace().equals(r.canaryNamespace())) {
          add("backup.rehearsal.scratchNamespace", "must differ from canaryNamespace (the restore must not overwrite the canary)");
        }
      }
      labels("backup.rehearsal.labels", r.labels());
      if (r.existingResourcePolicy() != null && !Set.of("none", "update").contains(r.existingResourcePolicy())) {
        add("backup.rehearsal.existingResourcePolicy", "must be none or update");
      }
      if (r.backupTtl() != null) {
        goDuration("backup.rehearsal.backupTtl", r.backupTtl(), "Velero");
      }
      if (r.timeout() != null) {
        duration("backup.rehearsal.timeout", r.timeout());
      }
    }
    if (nonEmpty("backup.schedules", b.schedules())) {
      for (int i = 0; i < b.schedules().size(); i++) {
        String p = ConfigLoader.index("backup.schedules", i);
        Backup.Schedule s = b.schedules().get(i);
        if (require(p + ".name", s.name())) {
          dnsSubdomain(p + ".name", s.name());
        }
        if (require(p + ".cron", s.cron())) {
          try {
            Cron.validate(s.cron());
          } catch (IllegalArgumentException e) {
            add(p + ".cron", e.getMessage());
          }
        }
        if (require(p + ".ttl", s.ttl())) {
          goDuration(p + ".ttl", s.ttl(), "Velero");
        }
        if (nonEmpty(p + ".includedNamespaces", s.includedNamespaces())) {
          for (int j = 0; j < s.includedNamespaces().size(); j++) {
            platformNamespace(ConfigLoader.index(p + ".includedNamespaces", j), s.includedNamespaces().get(j), namespaces);
          }
        }
        labels(p + ".labelSelector", s.labelSelector());
      }
      duplicates("backup.schedules", b.schedules(), Backup.Schedule::name, "name");
    }
  }

  private void ha(Ha h) {
    if (nonEmpty("ha.workers", h.workers())) {
      for (int i = 0; i < h.workers().size(); i++) {
        String p = ConfigLoader.index("ha.workers", i);
        Ha.Worker w = h.workers().get(i);
        if (require(p + ".hostname", w.hostname())) {
          dnsSubdomain(p + ".hostname", w.hostname());
        }
        labels(p + ".labels", w.labels());
      }
      duplicates("ha.workers", h.workers(), Ha.Worker::hostname, "hostname");
    }
    if (require("ha.bootstrapTokenTtl", h.bootstrapTokenTtl())) {
      duration("ha.bootstrapTokenTtl", h.bootstrapTokenTtl());
    }
    if (h.nodeReadyTimeout() != null) {
      duration("ha.nodeReadyTimeout", h.nodeReadyTimeout());
    }
    if (require("ha.postgres", h.postgres())) {
      Ha.Postgres pg = h.postgres();
      String p = "ha.postgres";
      require(p + ".mode", pg.mode());
      if (require(p + ".namespace", pg.namespace())) {
        dnsLabel(p + ".namespace", pg.namespace());
      }
      if (require(p + ".name", pg.name())) {
        dnsLabel(p + ".name", pg.name());
      }
      if (pg.image() != null) {
        match(p + ".image", pg.image(), IMAGE, "must be an image reference like registry/repository:tag");
      }
      if (require(p + ".replicas", pg.replicas())) {
        atLeast(p + ".replicas", pg.replicas(), 2, "must be at least 2 (a primary and a standby)");
      }
      if (pg.port() != null) {
        port(p + ".port", pg.port());
      }
      require(p + ".superuser", pg.superuser());
      secretRef(p + ".superuserPassword", pg.superuserPassword(), true);
      if (require(p + ".replicationUser", pg.replicationUser())) {
        match(p + ".replicationUser", pg.replicationUser(), Pattern.compile("[a-z_][a-z0-9_]*"),
            "must be a PostgreSQL role name (lowercase letters, digits, '_')");
      }
      secretRef(p + ".replicationPassword", pg.replicationPassword(), true);
      if (require(p + ".primaryService", pg.primaryService())) {
        dnsLabel(p + ".primaryService", pg.primaryService());
      }
      if (require(p + ".standbyService", pg.standbyService())) {
        dnsLabel(p + ".standbyService", pg.standbyService());
      }
      if (require(p + ".maxReplayLagBytes", pg.maxReplayLagBytes()) && pg.maxReplayLagBytes() < 0) {
        add(p + ".maxReplayLagBytes", "must not be negative");
      }
    }
    if (require("ha.minio", h.minio())) {
      Ha.MinioDistributed m = h.minio();
      String p = "ha.minio";
      if (require(p + ".namespace", m.namespace())) {
        dnsLabel(p + ".namespace", m.namespace());
      }
      if (require(p + ".statefulSet", m.statefulSet())) {
        dnsLabel(p + ".statefulSet", m.statefulSet());
      }
      if (require(p + ".headlessService", m.headlessService())) {
        dnsLabel(p + ".headlessService", m.headlessService());
      }
      if (m.drivesPerPod() != null) {
        atLeast(p + ".drivesPerPod", m.drivesPerPod(), 1);
      }
      if (require(p + ".replicas", m.replicas())) {
        if (m.replicas() < 4) {
          add(p + ".replicas", "must be at least 4 (erasure coding needs 4 or more drives on separate pods), got " + m.replicas());
        } else if (!erasureSetsFit(m.replicas())) {
          add(p + ".replicas", m.replicas() + " pods cannot be split into equal erasure sets of 2-16 drives spread evenly "
              + "over the pods");
        }
      }
      if (m.volumeSize() != null) {
        match(p + ".volumeSize", m.volumeSize(), QUANTITY, "must be a storage quantity like 100Gi");
      }
      if (m.image() != null) {
        match(p + ".image", m.image(), IMAGE, "must be an image reference like registry/repository:tag");
      }
      if (require(p + ".standaloneStatefulSet", m.standaloneStatefulSet())) {
        dnsLabel(p + ".standaloneStatefulSet", m.standaloneStatefulSet());
        if (m.standaloneStatefulSet().equals(m.statefulSet())) {
          add(p + ".statefulSet", "must differ from standaloneStatefulSet (the standalone cannot be converted in place)");
        }
      }
      if (require(p + ".switchService", m.switchService())) {
        dnsLabel(p + ".switchService", m.switchService());
      }
    }
  }

  /**
   * Whether MinIO can split the drives of {@code pods} pods into erasure sets of 2 to 16 drives spread
   * evenly over the pods. However many drives each pod has, that is so exactly when some size of 2 to
   * 16 divides the number of pods: each set then takes one drive from each pod of a group of that size
   * (and a set taking several drives from every pod needs at most 16 pods, which one of those sizes
   * divides).
   */
  static boolean erasureSetsFit(int pods) {
    for (int size = 2; size <= 16; size++) {
      if (pods % size == 0) {
        return true;
      }
    }
    return false;
  }

  private void hpa(Hpa h, Set<String> namespaces) {
    if (require("hpa.metricsServer", h.metricsServer())) {
      Hpa.MetricsServer m = h.metricsServer();
      if (require("hpa.metricsServer.namespace", m.namespace())) {
        dnsLabel("hpa.metricsServer.namespace", m.namespace());
      }
      if (require("hpa.metricsServer.deployment", m.deployment())) {
        dnsSubdomain("hpa.metricsServer.deployment", m.deployment());
      }
      if (require("hpa.metricsServer.apiService", m.apiService())) {
        dnsSubdomain("hpa.metricsServer.apiService", m.apiService());
      }
      for (int i = 0; i < m.kubeletPreferredAddressTypes().size(); i++) {
        String type = m.kubeletPreferredAddressTypes().get(i);
        if (!Hpa.MetricsServer.ADDRESS_TYPES.contains(type)) {
          add(ConfigLoader.index("hpa.metricsServer.kubeletPreferredAddressTypes", i),
              "must be one of " + String.join(", ", Hpa.MetricsServer.ADDRESS_TYPES) + ", got '" + type + "'");
        }
      }
      duplicates("hpa.metricsServer.kubeletPreferredAddressTypes", m.kubeletPreferredAddressTypes(), t -> t, "address type");
    }
    if (nonEmpty("hpa.autoscalers", h.autoscalers())) {
      for (int i = 0; i < h.autoscalers().size(); i++) {
        String p = ConfigLoader.index("hpa.autoscalers", i);
        Hpa.Autoscaler a = h.autoscalers().get(i);
        if (require(p + ".name", a.name())) {
          dnsSubdomain(p + ".name", a.name());
        }
        if (require(p + ".namespace", a.namespace())) {
          platformNamespace(p + ".namespace", a.namespace(), namespaces);
        }
        if (require(p + ".targetKind", a.targetKind()) && !Set.of("Deployment", "StatefulSet").contains(a.targetKind())) {
          add(p + ".targetKind", "must be Deployment or StatefulSet, got '" + a.targetKind() + "'");
        }
        if (require(p + ".targetName", a.targetName())) {
          dnsSubdomain(p + ".targetName", a.targetName());
        }
        boolean min = require(p + ".minReplicas", a.minReplicas()) && atLeast(p + ".minReplicas", a.minReplicas(), 1);
        boolean max = require(p + ".maxReplicas", a.maxReplicas());
        if (min && max && a.maxReplicas() < a.minReplicas()) {
          add(p + ".maxReplicas", "must be at least minReplicas (" + a.minReplicas() + "), got " + a.maxReplicas());
        }
        if (require(p + ".cpuUtilization", a.cpuUtilization())) {
          atLeast(p + ".cpuUtilization", a.cpuUtilization(), 1, "must be a percentage of the CPU request, at least 1");
        }
      }
      duplicates("hpa.autoscalers", h.autoscalers(), a -> a.namespace() + "/" + a.name(), "namespace/name");
    }
  }

  private void monitoring(Monitoring m) {
    if (require("monitoring.namespace", m.namespace())) {
      dnsLabel("monitoring.namespace", m.namespace());
    }
    if (m.prometheusUrl() != null) {
      url("monitoring.prometheusUrl", m.prometheusUrl());
    } else if (require("monitoring.prometheusService", m.prometheusService(),
        "must be set (or monitoring.prometheusUrl)")) {
      dnsLabel("monitoring.prometheusService", m.prometheusService());
      if (require("monitoring.prometheusPort", m.prometheusPort())) {
        port("monitoring.prometheusPort", m.prometheusPort());
      }
    }
    if (require("monitoring.minActiveTargets", m.minActiveTargets())) {
      atLeast("monitoring.minActiveTargets", m.minActiveTargets(), 0);
    }
    if (m.minLoggedPods() != null) {
      atLeast("monitoring.minLoggedPods", m.minLoggedPods(), 0);
    }
  }

  private void notifications(Notifications n) {
    for (int i = 0; i < n.webhooks().size(); i++) {
      String p = ConfigLoader.index("notifications.webhooks", i);
      Notifications.Webhook w = n.webhooks().get(i);
      if (require(p + ".name", w.name())) {
        match(p + ".name", w.name(), ID, "must be lowercase letters, digits and '-'");
      }
      secretRef(p + ".url", w.url(), true);
    }
    duplicates("notifications.webhooks", n.webhooks(), Notifications.Webhook::name, "name");
  }

  // ---------------------------------------------------------------- approvals

  private void approvals(String path, Approvals a) {
    for (Map.Entry<String, List<String>> g : a.groups().entrySet()) {
      String p = ConfigLoader.child(path + ".groups", g.getKey());
      match(p, g.getKey(), ID, "group names must be lowercase letters, digits and '-'");
      List<String> members = g.getValue() == null ? List.of() : g.getValue();
      if (members.isEmpty()) {
        add(p, "a group must have at least one member");
      }
      for (int i = 0; i < members.size(); i++) {
        String m = members.get(i);
        if (m == null || m.isBlank()) {
          add(ConfigLoader.index(p, i), "must be a user name");
        } else if (m.startsWith("group:")) {
          add(ConfigLoader.index(p, i), "groups cannot contain groups ('" + m + "'); list the people");
        }
      }
    }
    if (a.defaults() != null) {
      policy(path + ".defaults", a.defaults(), a.defaults().mergedOver(GatePolicy.BUILT_IN), a, true);
    }
    for (Map.Entry<String, GatePolicy> g : a.gates().entrySet()) {
      String key = g.getKey();
      String p = ConfigLoader.child(path + ".gates", key);
      GatePolicy own = g.getValue();
      if (own == null) {
        add(p, "has no policy");
        continue;
      }
      String[] parts = key.split("/", -1);
      GatePolicy effective;
      if (parts.length == 1 && matches(ID, key)) {
        effective = a.policyFor("", key);
      } else if (parts.length == 2 && matches(ID, parts[0]) && matches(ID, parts[1])) {
        if (!KNOWN_RUNBOOKS.contains(parts[0])) {
          add(p, "unknown runbook '" + parts[0] + "' (runbooks: " + String.join(", ", new TreeSet<>(KNOWN_RUNBOOKS)) + ")");
        }
        effective = a.policyFor(parts[0], parts[1]);
      } else {
        add(p, "a gate override key must be <gate-id> or <runbook>/<gate-id> in lowercase letters, digits and '-'");
        effective = own.mergedOver(a.defaults() == null ? GatePolicy.BUILT_IN : a.defaults().mergedOver(GatePolicy.BUILT_IN));
      }
      policy(p, own, effective, a, own.requiredApprovals() != null || own.approvers() != null);
    }
    signersAndOperators(path, a);
  }

  /** The allowed signers, each line as OpenSSH reads it; and the operators, like approvers. */
  private void signersAndOperators(String path, Approvals a) {
    for (int i = 0; i < a.signers().size(); i++) {
      try {
        AllowedSigners.parse(List.of(a.signers().get(i) == null ? "" : a.signers().get(i)));
        if (a.signers().get(i) == null || a.signers().get(i).isBlank()) {
          add(ConfigLoader.index(path + ".signers", i), "an empty line: write 'principal keytype base64-key'");
        }
      } catch (IllegalArgumentException e) {
        add(ConfigLoader.index(path + ".signers", i), e.getMessage().replaceFirst("^\\[0]: ", ""));
      }
    }
    people(path + ".operators.defaults", a.operators().defaults(), a);
    for (Map.Entry<String, List<String>> step : a.operators().steps().entrySet()) {
      String p = ConfigLoader.child(path + ".operators.steps", step.getKey());
      String[] parts = step.getKey().split("/", -1);
      if (!(parts.length == 1 && matches(ID, parts[0]))
          && !(parts.length == 2 && matches(ID, parts[0]) && matches(ID, parts[1]))) {
        add(p, "a step key must be <step-id> or <runbook>/<step-id> in lowercase letters, digits and '-'");
      }
      people(p, step.getValue() == null ? List.of() : step.getValue(), a);
    }
  }

  /** A list of people and group:<name>s. */
  private void people(String path, List<String> entries, Approvals a) {
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      String p = ConfigLoader.index(path, i);
      if (entry == null || entry.isBlank()) {
        add(p, "must be a user name or group:<name>");
      } else if (entry.startsWith("group:") && !a.groups().containsKey(entry.substring(6))) {
        add(p, "unknown group '" + entry.substring(6) + "' (groups: "
            + (a.groups().isEmpty() ? "none defined" : String.join(", ", new TreeSet<>(a.groups().keySet()))) + ")");
      }
    }
  }

  /**
   * What is valid but weak, for {@code runbook validate} and the worker's start-up to say: typed
   * names instead of signed decisions, or signed decisions with nobody who may sign.
   */
  public static List<ConfigProblem> warnings(PlatformConfig config) {
    List<ConfigProblem> warnings = new ArrayList<>();
    Approvals a = config.approvals();
    if (a != null && a.identity() == Identity.ASSERTED) {
      warnings.add(new ConfigProblem("approvals.identity", "ASSERTED takes typed names as they are: anyone who can"
          + " reach Temporal may approve under any name. For a sandbox only; a real platform uses SIGNED with signers"));
    } else if (a != null && a.signers().isEmpty()) {
      warnings.add(new ConfigProblem("approvals.signers", "no allowed signer: every signed start, approval and operator"
          + " answer is refused until this lists the team's SSH public keys ('alice ssh-ed25519 AAAA...')"));
    }
    return warnings;
  }

  /**
   * Checks the fields {@code own} sets, and whether {@code effective} can be satisfied; the latter
   * only when {@code checkSatisfiable} (the policy itself changes who or how many).
   */
  private void policy(String path, GatePolicy own, GatePolicy effective, Approvals a, boolean checkSatisfiable) {
    if (own.requiredApprovals() != null && own.requiredApprovals() < 1) {
      add(path + ".requiredApprovals", "must be at least 1, got " + own.requiredApprovals());
      checkSatisfiable = false;
    }
    boolean groupsKnown = true;
    if (own.approvers() != null) {
      for (int i = 0; i < own.approvers().size(); i++) {
        String entry = own.approvers().get(i);
        String p = ConfigLoader.index(path + ".approvers", i);
        if (entry == null || entry.isBlank()) {
          add(p, "must be a user name or group:<name>");
          groupsKnown = false;
        } else if (entry.startsWith("group:") && !a.groups().containsKey(entry.substring(6))) {
          add(p, "unknown group '" + entry.substring(6) + "' (groups: "
              + (a.groups().isEmpty() ? "none defined" : String.join(", ", new TreeSet<>(a.groups().keySet()))) + ")");
          groupsKnown = false;
        }
      }
    }
    if (own.deadline() != null) {
      duration(path + ".deadline", own.deadline());
    }
    if (own.reminderEvery() != null) {
      duration(path + ".reminderEvery", own.reminderEvery());
    }
    if (effective.deadline() != null && effective.reminderEvery() != null
        && (own.deadline() != null || own.reminderEvery() != null)
        && Durations.isValid(effective.deadline()) && Durations.isValid(effective.reminderEvery())
        && Durations.parse(effective.reminderEvery()).compareTo(Durations.parse(effective.deadline())) >= 0) {
      add(path + ".reminderEvery", "must be shorter than the deadline (" + effective.deadline()
          + "), or no reminder would ever be sent");
    }
    if (checkSatisfiable && groupsKnown) {
      Set<String> people = people(effective, a);
      int required = effective.requiredApprovals() == null ? 1 : effective.requiredApprovals();
      if (!effective.approvers().isEmpty() && required > people.size()) {
        add(path + ".requiredApprovals", "requires " + required + " approvals but only " + people.size()
            + (people.size() == 1 ? " person" : " distinct people") + " may approve (" + String.join(", ", people) + ")");
      }
    }
  }

  /** The distinct people a policy's approver list allows, groups expanded. Empty: anyone. */
  public static Set<String> people(GatePolicy policy, Approvals approvals) {
    Set<String> people = new TreeSet<>();
    if (policy.approvers() == null) {
      return people;
    }
    for (String entry : policy.approvers()) {
      if (entry == null) {
        continue;
      }
      if (entry.startsWith("group:")) {
        List<String> members = approvals.groups().get(entry.substring(6));
        if (members != null) {
          members.stream().filter(m -> m != null && !m.isBlank()).forEach(people::add);
        }
      } else if (!entry.isBlank()) {
        people.add(entry);
      }
    }
    return people;
  }

  // ---------------------------------------------------------------- secret references

  private void secretRef(String path, SecretRef ref, boolean required) {
    if (ref == null) {
      if (required) {
        add(path, "must be set (a secret reference: env, or namespace/name/key)");
      }
      return;
    }
    boolean hasEnv = ref.env() != null;
    boolean hasK8s = ref.namespace() != null || ref.name() != null || ref.key() != null;
    if (hasEnv && hasK8s) {
      add(path, "must set either env or namespace/name/key, not both");
      return;
    }
    if (!hasEnv && !hasK8s) {
      add(path, "must set either env or namespace/name/key");
      return;
    }
    if (hasEnv) {
      match(path + ".env", ref.env(), ENV_VAR, "must be an environment variable name (letters, digits, '_')");
      return;
    }
    List<String> missing = new ArrayList<>();
    if (ref.namespace() == null) {
      missing.add("namespace");
    }
    if (ref.name() == null) {
      missing.add("name");
    }
    if (ref.key() == null) {
      missing.add("key");
    }
    if (!missing.isEmpty()) {
      add(path, "namespace, name and key must all be set (missing: " + String.join(", ", missing) + ")");
      return;
    }
    dnsLabel(path + ".namespace", ref.namespace());
    dnsSubdomain(path + ".name", ref.name());
    match(path + ".key", ref.key(), SECRET_KEY, "must be a Secret key (letters, digits, '-', '_', '.')");
  }

  // ---------------------------------------------------------------- small checks

  private void add(String path, String message) {
    problems.add(new ConfigProblem(path, message));
  }

  private boolean require(String path, Object value) {
    return require(path, value, "must be set");
  }

  private boolean require(String path, Object value, String message) {
    if (value == null || (value instanceof String s && s.isBlank())) {
      add(path, message);
      return false;
    }
    return true;
  }

  private boolean nonEmpty(String path, Collection<?> values) {
    if (values == null || values.isEmpty()) {
      add(path, "must not be empty");
      return false;
    }
    return true;
  }

  /**
   * Whether {@code value} matches {@code pattern}. No name, host, label or image reference is
   * longer than {@value #MAX_MATCHED} characters, and a longer text is not handed to the regular
   * expression: Java matches a repeated group by recursion, and a 100 000-character value ran it out
   * of stack (StackOverflowError instead of a problem).
   */
  static boolean matches(Pattern pattern, String value) {
    return value.length() <= MAX_MATCHED && pattern.matcher(value).matches();
  }

  private boolean match(String path, String value, Pattern pattern, String message) {
    if (value == null || !matches(pattern, value)) {
      add(path, message + (value == null ? "" : ", got '" + value + "'"));
      return false;
    }
    return true;
  }

  private boolean hostname(String path, String value) {
    return match(path, value, HOSTNAME, "must be a hostname");
  }

  private void hostUnder(String path, String value, String baseDomain) {
    if (hostname(path, value) && baseDomain != null && matches(HOSTNAME, baseDomain)
        && !value.equals(baseDomain) && !value.endsWith("." + baseDomain)) {
      add(path, "must be " + baseDomain + " or under it (baseDomain), got '" + value + "'");
    }
  }

  private void dnsLabel(String path, String value) {
    match(path, value, DNS_LABEL, "must be a Kubernetes name (lowercase letters, digits, '-'; at most 63)");
  }

  private void dnsSubdomain(String path, String value) {
    match(path, value, DNS_SUBDOMAIN, "must be a Kubernetes name (lowercase letters, digits, '-', '.')");
  }

  private void eachDnsLabel(String path, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      dnsLabel(ConfigLoader.index(path, i), values.get(i));
    }
  }

  private void platformNamespace(String path, String value, Set<String> namespaces) {
    dnsLabel(path, value);
    if (!namespaces.isEmpty() && matches(DNS_LABEL, value) && !namespaces.contains(value)) {
      add(path, "'" + value + "' is not one of the platform namespaces (namespaces: " + String.join(", ", namespaces) + ")");
    }
  }

  private void duration(String path, String value) {
    try {
      Durations.parse(value);
    } catch (IllegalArgumentException e) {
      add(path, e.getMessage());
    }
  }

  private void goDuration(String path, String value, String system) {
    try {
      Durations.parse(value);
      if (!Durations.isGoCompatible(value)) {
        add(path, "'" + value + "' uses days, which " + system + " does not accept; use hours (e.g. "
            + Durations.format(Durations.parse(value)) + ")");
      }
    } catch (IllegalArgumentException e) {
      add(path, e.getMessage());
    }
  }

  private boolean atLeast(String path, int value, int min) {
    return atLeast(path, value, min, "must be at least " + min);
  }

  private boolean atLeast(String path, int value, int min, String message) {
    if (value < min) {
      add(path, message + ", got " + value);
      return false;
    }
    return true;
  }

  private void port(String path, int port) {
    if (port < 1 || port > 65535) {
      add(path, "must be a port number 1-65535, got " + port);
    }
  }

  private void backend(String path, String service, Integer port) {
    if (require(path + ".service", service)) {
      dnsLabel(path + ".service", service);
    }
    if (require(path + ".port", port)) {
      port(path + ".port", port);
    }
  }

  private void httpPath(String path, String value) {
    if (!value.startsWith("/") || value.contains(" ")) {
      add(path, "must be a URL path starting with '/', got '" + value + "'");
    }
  }

  private void hostPort(String path, String value) {
    var m = HOST_PORT.matcher(value);
    if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
      add(path, "must be host:port, got '" + value + "'");
    }
  }

  private void url(String path, String value) {
    try {
      URI u = new URI(value);
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
        add(path, "must be an http:// or https:// URL with a host, got '" + value + "'");
      }
    } catch (URISyntaxException e) {
      add(path, "must be an http:// or https:// URL, got '" + value + "'");
    }
  }

  private void cidr(String path, String value) {
    var m = CIDR.matcher(value);
    boolean ok = m.matches();
    if (ok) {
      for (int i = 1; i <= 4; i++) {
        ok &= Integer.parseInt(m.group(i)) <= 255;
      }
      ok &= Integer.parseInt(m.group(5)) <= 32;
    }
    if (!ok) {
      add(path, "must be an IPv4 CIDR like 10.244.0.0/16, got '" + value + "'");
    }
  }

  private void labels(String path, Map<String, String> labels) {
    for (Map.Entry<String, String> e : labels.entrySet()) {
      String p = ConfigLoader.child(path, e.getKey());
      // the optional prefix is a DNS subdomain of at most 253 characters (the name's 63 are in the pattern)
      if (!matches(LABEL_KEY, e.getKey()) || e.getKey().indexOf('/') > 253) {
        add(p, "'" + e.getKey() + "' is not a valid label key");
      }
      if (e.getValue() == null || !matches(LABEL_VALUE, e.getValue())) {
        add(p, "'" + e.getValue() + "' is not a valid label value (at most 63 letters, digits, '-', '_', '.')");
      }
    }
  }

  private <T> void duplicates(String path, List<T> items, Function<T, String> id, String what) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String v = id.apply(items.get(i));
      if (v != null && !seen.add(v)) {
        boolean field = items.get(i) instanceof Record && !what.contains("/");
        add(ConfigLoader.index(path, i) + (field ? "." + what : ""), "duplicate " + what + " '" + v + "'");
      }
    }
  }
}
