package io.carbon254.runbook.activities;

import io.carbon254.runbook.backup.BackupRun;
import io.carbon254.runbook.backup.Rehearsal;
import io.carbon254.runbook.backup.VeleroActivities;
import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.config.Durations;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.Verification;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Velero ({@code velero.io/v1}) and the rehearsal's Kubernetes objects through fabric8, all as
 * generic resources with explicit definition contexts (no discovery needed). Objects are applied
 * as create-or-JSON-merge-patch: an object whose fields already hold every desired value is
 * UNCHANGED; otherwise the desired fields are merge-patched (UPDATED); a missing one is CREATED.
 */
public final class KubernetesVelero implements VeleroActivities {

  static final ResourceDefinitionContext NAMESPACE = context("", "v1", "Namespace", "namespaces", false);
  static final ResourceDefinitionContext CONFIG_MAP = context("", "v1", "ConfigMap", "configmaps", true);
  static final ResourceDefinitionContext SECRET = context("", "v1", "Secret", "secrets", true);
  static final ResourceDefinitionContext BACKUP_STORAGE_LOCATION =
      context("velero.io", "v1", "BackupStorageLocation", "backupstoragelocations", true);
  static final ResourceDefinitionContext BACKUP = context("velero.io", "v1", "Backup", "backups", true);
  static final ResourceDefinitionContext RESTORE = context("velero.io", "v1", "Restore", "restores", true);
  static final ResourceDefinitionContext SCHEDULE = context("velero.io", "v1", "Schedule", "schedules", true);
  static final ResourceDefinitionContext DELETE_BACKUP_REQUEST =
      context("velero.io", "v1", "DeleteBackupRequest", "deletebackuprequests", true);

  /** The ConfigMap in the Velero namespace that remembers the last rehearsal that passed. */
  public static final String REHEARSAL_CONFIG_MAP = "backup-activation-rehearsal";

  /** The key of the canary ConfigMap that holds the canary value. */
  public static final String CANARY_KEY = "value";

  /** How many validations that Velero made after a wait began may say Unavailable before the wait gives up. */
  static final int UNAVAILABLE_VALIDATIONS = 3;

  private static final Set<String> FAILED_PHASES = Set.of("PartiallyFailed", "Failed", "FailedValidation");

  private final KubernetesApi kube;
  private final SecretResolver secrets;
  private final Duration pollInterval;

  public KubernetesVelero(KubernetesClient kubernetes, SecretResolver secrets) {
    this(kubernetes, secrets, Duration.ofSeconds(1));
  }

  /** @param pollInterval how often the {@code waitForX} methods look (tests: shorter) */
  public KubernetesVelero(KubernetesClient kubernetes, SecretResolver secrets, Duration pollInterval) {
    this(new KubernetesApi(kubernetes), secrets, pollInterval);
  }

  /** @param kube the Kubernetes helper (e.g. one that forces apply conflicts) */
  public KubernetesVelero(KubernetesApi kube, SecretResolver secrets, Duration pollInterval) {
    this.kube = Objects.requireNonNull(kube, "kube");
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.pollInterval = pollInterval;
  }

  // ------------------------------------------------------------------ plans (read only)

  @Override
  public List<PlanItem> planStorageLocation(Backup backup) {
    List<PlanItem> items = new ArrayList<>();
    Backup.StorageLocation sl = backup.storageLocation();
    String ns = backup.veleroNamespace();
    GenericKubernetesResource secret = credentialsSecret(backup);
    items.add(plan(SECRET, secret, "key " + sl.credential().key() + ": AWS credentials file from "
        + backup.objectStore().accessKey().describe() + " and " + backup.objectStore().secretKey().describe()));
    GenericKubernetesResource bsl = storageLocation(backup);
    items.add(plan(BACKUP_STORAGE_LOCATION, bsl, sl.provider() + " s3://" + backup.bucket()
        + (sl.prefix() == null ? "" : "/" + sl.prefix()) + " at " + sl.config().getOrDefault("s3Url", "?")));
    return items;
  }

  @Override
  public List<PlanItem> planSchedules(Backup backup) {
    List<PlanItem> items = new ArrayList<>();
    for (Backup.Schedule s : backup.schedules()) {
      GenericKubernetesResource desired = schedule(backup, s);
      String detail = "\"" + s.cron() + "\", ttl " + s.ttl() + ", namespaces " + String.join(", ", s.includedNamespaces())
          + (s.labelSelector().isEmpty() ? "" : ", labels " + s.labelSelector());
      items.add(plan(SCHEDULE, desired, detail));
    }
    return items;
  }

  private PlanItem plan(ResourceDefinitionContext ctx, GenericKubernetesResource desired, String detail) {
    String target = desired.getMetadata().getNamespace() + "/" + desired.getMetadata().getName();
    KubernetesApi.Diff diff = kube.diff(ctx, desired);
    if (diff.missing()) {
      return PlanItem.create(ctx.getKind(), target, detail);
    }
    if (diff.unchanged()) {
      return PlanItem.keep(ctx.getKind(), target, detail);
    }
    // Secret values never appear in a plan: only which fields differ.
    return PlanItem.update(ctx.getKind(), target, detail + " (differs: " + String.join(", ", diff.drift()) + ")");
  }

  // ------------------------------------------------------------------ storage location

  @Override
  public Changed.Result ensureCredentials(Backup backup) {
    KubernetesApi.Applied applied = kube.apply(SECRET, credentialsSecret(backup));
    return new Changed.Result(applied.change(), "Secret " + applied.target() + " (key " + backup.storageLocation().credential().key()
        + ", AWS credentials file for the object store) " + word(applied.change()));
  }

  @Override
  public Changed.Result ensureStorageLocation(Backup backup) {
    KubernetesApi.Applied applied = kube.apply(BACKUP_STORAGE_LOCATION, storageLocation(backup));
    return new Changed.Result(applied.change(), "BackupStorageLocation " + applied.target() + " → s3://" + backup.bucket()
        + (backup.storageLocation().prefix() == null ? "" : "/" + backup.storageLocation().prefix()) + " " + word(applied.change()));
  }

  @Override
  public Verification waitForStorageLocation(Backup backup) {
    String ns = backup.veleroNamespace();
    String name = backup.storageLocation().name();
    Instant started = Instant.now();
    Instant deadline = started.plus(timeout(backup));
    Set<String> unavailableValidations = new java.util.HashSet<>();
    String lastPhase = null;
    String lastMessage = null;
    while (true) {
      GenericKubernetesResource bsl = get(BACKUP_STORAGE_LOCATION, ns, name);
      if (bsl == null) {
        return Verification.failed("BackupStorageLocation " + ns + "/" + name + " does not exist");
      }
      lastPhase = str(status(bsl), "phase");
      lastMessage = str(status(bsl), "message");
      String validated = str(status(bsl), "lastValidationTime");
      KubernetesApi.heartbeat("BackupStorageLocation " + name + " " + (lastPhase == null ? "not validated yet" : lastPhase));
      if ("Available".equals(lastPhase)) {
        return Verification.passed("BackupStorageLocation " + ns + "/" + name + " Available (s3://" + backup.bucket()
            + ", validated " + validated + ")");
      }
      if ("Unavailable".equals(lastPhase) && validated != null && isAfter(validated, started)) {
        unavailableValidations.add(validated);
        if (unavailableValidations.size() >= UNAVAILABLE_VALIDATIONS) {
          break;
        }
      }
      if (!Instant.now().isBefore(deadline)) {
        break;
      }
      sleep();
    }
    return Verification.failed("BackupStorageLocation " + ns + "/" + name + " is " + (lastPhase == null ? "not validated" : lastPhase)
        + (lastMessage == null ? "" : ": " + lastMessage)
        + "; check that bucket " + backup.bucket() + " exists at " + backup.storageLocation().config().getOrDefault("s3Url", "the object store")
        + " and that Secret " + ns + "/" + backup.storageLocation().credential().name() + " holds working credentials");
  }

  // ------------------------------------------------------------------ rehearsal record

  @Override
  public Rehearsal lastRehearsal(Backup backup) {
    GenericKubernetesResource cm = get(CONFIG_MAP, backup.veleroNamespace(), REHEARSAL_CONFIG_MAP);
    if (cm == null) {
      return null;
    }
    Map<String, Object> data = map(cm.getAdditionalProperties().get("data"));
    Object name = data.get("backup");
    Object at = data.get("at");
    return name == null ? null : new Rehearsal(name.toString(), at == null ? null : at.toString());
  }

  @Override
  public Changed.Result recordRehearsal(Backup backup, Rehearsal rehearsal) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("backup", rehearsal.backup());
    data.put("at", rehearsal.at());
    GenericKubernetesResource cm = resource(CONFIG_MAP, backup.veleroNamespace(), REHEARSAL_CONFIG_MAP, Map.of());
    cm.setAdditionalProperty("data", data);
    KubernetesApi.Applied applied = kube.apply(CONFIG_MAP, cm);
    return new Changed.Result(applied.change(), "ConfigMap " + applied.target() + " records rehearsal " + rehearsal.backup()
        + " at " + rehearsal.at() + " " + word(applied.change()));
  }

  // ------------------------------------------------------------------ canary, backup, restore

  @Override
  public Changed.Result ensureCanary(Backup backup, String value) {
    Backup.Rehearsal r = backup.rehearsal();
    KubernetesApi.Applied namespace = kube.apply(NAMESPACE, resource(NAMESPACE, null, r.canaryNamespace(), r.labels()));
    GenericKubernetesResource cm = resource(CONFIG_MAP, r.canaryNamespace(), r.canaryConfigMap(), r.labels());
    cm.setAdditionalProperty("data", Map.of(CANARY_KEY, value));
    KubernetesApi.Applied configMap = kube.apply(CONFIG_MAP, cm);
    Change change = combine(List.of(namespace.change(), configMap.change()));
    return new Changed.Result(change, "canary ConfigMap " + configMap.target() + " " + word(configMap.change())
        + " (namespace " + r.canaryNamespace() + " " + word(namespace.change()) + ")");
  }

  @Override
  public Changed.Result ensureBackup(Backup backup, String name) {
    Backup.Rehearsal r = backup.rehearsal();
    GenericKubernetesResource desired = resource(BACKUP, backup.veleroNamespace(), name, r.labels());
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("includedNamespaces", List.of(r.canaryNamespace()));
    spec.put("storageLocation", backup.storageLocation().name());
    spec.put("ttl", r.backupTtl());
    desired.setAdditionalProperty("spec", spec);
    return ensureRun(BACKUP, desired);
  }

  @Override
  public BackupRun waitForBackup(Backup backup, String name) {
    return waitForRun(BACKUP, backup, name);
  }

  @Override
  public Changed.Result ensureRestore(Backup backup, String name, String backupName) {
    Backup.Rehearsal r = backup.rehearsal();
    GenericKubernetesResource desired = resource(RESTORE, backup.veleroNamespace(), name, r.labels());
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("backupName", backupName);
    spec.put("includedNamespaces", List.of(r.canaryNamespace()));
    spec.put("namespaceMapping", Map.of(r.canaryNamespace(), r.scratchNamespace()));
    spec.put("restorePVs", r.restorePVs() != null && r.restorePVs());
    if (r.existingResourcePolicy() != null) {
      spec.put("existingResourcePolicy", r.existingResourcePolicy());
    }
    desired.setAdditionalProperty("spec", spec);
    return ensureRun(RESTORE, desired);
  }

  @Override
  public BackupRun waitForRestore(Backup backup, String name) {
    return waitForRun(RESTORE, backup, name);
  }

  @Override
  public Verification verifyRestoredCanary(Backup backup, String expectedValue) {
    Backup.Rehearsal r = backup.rehearsal();
    String target = r.scratchNamespace() + "/" + r.canaryConfigMap();
    GenericKubernetesResource cm = get(CONFIG_MAP, r.scratchNamespace(), r.canaryConfigMap());
    if (cm == null) {
      return Verification.failed("ConfigMap " + target + " was not restored (namespaceMapping " + r.canaryNamespace()
          + " → " + r.scratchNamespace() + ")");
    }
    Object actual = map(cm.getAdditionalProperties().get("data")).get(CANARY_KEY);
    if (!Objects.equals(expectedValue, actual)) {
      return Verification.failed("ConfigMap " + target + " holds " + (actual == null ? "no key '" + CANARY_KEY + "'"
          : "a different value in '" + CANARY_KEY + "'") + " than the canary " + r.canaryNamespace() + "/" + r.canaryConfigMap());
    }
    return Verification.passed("ConfigMap " + target + " restored with the canary's value (" + expectedValue.length() + " characters, equal)");
  }

  private Changed.Result ensureRun(ResourceDefinitionContext ctx, GenericKubernetesResource desired) {
    String ns = desired.getMetadata().getNamespace();
    String name = desired.getMetadata().getName();
    GenericKubernetesResource current = get(ctx, ns, name);
    if (current != null) {
      String phase = str(status(current), "phase");
      if (!isFailed(phase)) {
        return new Changed.Result(Change.UNCHANGED, ctx.getKind() + " " + ns + "/" + name + " exists"
            + (phase == null ? "" : " (" + phase + ")"));
      }
      // An operator's RETRY: the failed attempt makes way for a new one with the same name.
      kube.delete(ctx, ns, name);
      awaitGone(ctx, ns, name, Duration.ofSeconds(30));
      kube.create(ctx, desired);
      return new Changed.Result(Change.UPDATED, ctx.getKind() + " " + ns + "/" + name + " replaced (the earlier attempt ended " + phase + ")");
    }
    kube.create(ctx, desired);
    return new Changed.Result(Change.CREATED, ctx.getKind() + " " + ns + "/" + name + " created");
  }

  private BackupRun waitForRun(ResourceDefinitionContext ctx, Backup backup, String name) {
    String ns = backup.veleroNamespace();
    String kind = ctx.getKind();
    Duration timeout = timeout(backup);
    Instant deadline = Instant.now().plus(timeout);
    String phase = null;
    while (true) {
      GenericKubernetesResource run = get(ctx, ns, name);
      if (run == null) {
        throw ApplicationFailure.newNonRetryableFailure(kind + " " + ns + "/" + name + " does not exist (deleted?); retry the step to create it again",
            kind + "Missing");
      }
      Map<String, Object> status = status(run);
      phase = str(status, "phase");
      Map<String, Object> progress = map(status.get("progress"));
      KubernetesApi.heartbeat(kind + " " + name + " " + (phase == null ? "New" : phase)
          + (progress.isEmpty() ? "" : " " + progress.getOrDefault(itemsKey(ctx), 0) + "/" + progress.getOrDefault("totalItems", "?")));
      int errors = integer(status.get("errors"));
      int warnings = integer(status.get("warnings"));
      String reason = str(status, "failureReason");
      if ("Completed".equals(phase)) {
        return new BackupRun(kind, name, phase, errors, warnings, reason, integer(progress.get(itemsKey(ctx))));
      }
      if (isFailed(phase)) {
        throw ApplicationFailure.newNonRetryableFailure(failureMessage(kind, ns, name, phase, errors, warnings, reason,
            strings(status.get("validationErrors"))), kind + phase);
      }
      if (!Instant.now().isBefore(deadline)) {
        throw ApplicationFailure.newNonRetryableFailure(kind + " " + ns + "/" + name + " is still " + (phase == null ? "New" : phase)
            + " after " + Durations.format(timeout) + " (backup.rehearsal.timeout); check that Velero runs (kubectl -n " + ns
            + " logs deploy/velero) and inspect it with `velero " + kind.toLowerCase() + " describe " + name + " --details`, then retry",
            kind + "Timeout");
      }
      sleep();
    }
  }

  private static boolean isFailed(String phase) {
    return phase != null && FAILED_PHASES.contains(phase);
  }

  /** The operator's message for a Backup or Restore that ended in failure. */
  static String failureMessage(String kind, String ns, String name, String phase, int errors, int warnings, String reason,
      List<String> validationErrors) {
    StringBuilder m = new StringBuilder(kind + " " + ns + "/" + name + " ended " + phase + ": "
        + plural(errors, "error") + ", " + plural(warnings, "warning"));
    if (reason != null && !reason.isBlank()) {
      m.append("; reason: ").append(reason);
    }
    if (!validationErrors.isEmpty()) {
      m.append("; validation errors: ").append(String.join("; ", validationErrors));
    }
    m.append("; inspect it with `velero ").append(kind.toLowerCase()).append(" describe ").append(name)
        .append(" --details` then retry");
    return m.toString();
  }

  private static String itemsKey(ResourceDefinitionContext ctx) {
    return ctx == RESTORE ? "itemsRestored" : "itemsBackedUp";
  }

  // ------------------------------------------------------------------ schedules

  @Override
  public Changed.Result ensureSchedules(Backup backup) {
    List<Change> changes = new ArrayList<>();
    List<String> parts = new ArrayList<>();
    for (Backup.Schedule s : backup.schedules()) {
      KubernetesApi.Applied applied = kube.apply(SCHEDULE, schedule(backup, s));
      changes.add(applied.change());
      parts.add(applied.target() + " " + word(applied.change()));
    }
    Change change = combine(changes);
    return new Changed.Result(change, "Schedules " + (parts.isEmpty() ? "(none configured)" : String.join(", ", parts)));
  }

  @Override
  public Verification waitForSchedules(Backup backup) {
    String ns = backup.veleroNamespace();
    Instant deadline = Instant.now().plus(timeout(backup));
    while (true) {
      List<String> notEnabled = new ArrayList<>();
      List<String> enabled = new ArrayList<>();
      for (Backup.Schedule s : backup.schedules()) {
        GenericKubernetesResource current = get(SCHEDULE, ns, s.name());
        Map<String, Object> status = current == null ? Map.of() : status(current);
        String phase = current == null ? "missing" : Objects.requireNonNullElse(str(status, "phase"), "New");
        if ("FailedValidation".equals(phase)) {
          return Verification.failed("Schedule " + ns + "/" + s.name() + " FailedValidation: "
              + String.join("; ", strings(status.get("validationErrors"))) + " (cron \"" + s.cron() + "\"); fix backup.schedules in the configuration");
        }
        if ("Enabled".equals(phase)) {
          enabled.add(s.name());
        } else {
          notEnabled.add(s.name() + " " + phase);
        }
      }
      KubernetesApi.heartbeat("schedules enabled " + enabled.size() + "/" + backup.schedules().size());
      if (notEnabled.isEmpty()) {
        return Verification.passed("Schedules " + String.join(", ", enabled) + " Enabled in " + ns);
      }
      if (!Instant.now().isBefore(deadline)) {
        return Verification.failed("Schedules not Enabled after " + Durations.format(timeout(backup)) + ": "
            + String.join(", ", notEnabled) + "; check that Velero runs (kubectl -n " + ns + " logs deploy/velero)");
      }
      sleep();
    }
  }

  // ------------------------------------------------------------------ clean-up

  @Override
  public Changed.Result cleanUpRehearsal(Backup backup, String backupName, String restoreName) {
    Backup.Rehearsal r = backup.rehearsal();
    String ns = backup.veleroNamespace();
    List<String> deleted = new ArrayList<>();
    if (restoreName != null && kube.delete(RESTORE, ns, restoreName)) {
      deleted.add("Restore " + ns + "/" + restoreName);
    }
    List<String> namespaces = new ArrayList<>();
    for (String namespace : List.of(r.canaryNamespace(), r.scratchNamespace())) {
      if (kube.delete(NAMESPACE, null, namespace)) {
        namespaces.add(namespace);
      }
    }
    for (String namespace : namespaces) {
      // A namespace is gone once the namespace controller has deleted everything in it.
      boolean gone = awaitGone(NAMESPACE, null, namespace, min(timeout(backup), Duration.ofMinutes(2)));
      deleted.add("namespace " + namespace + (gone ? "" : " (deletion requested, still terminating)"));
    }
    if (backupName != null && get(BACKUP, ns, backupName) != null) {
      // Velero deletes a backup (its Backup object and its files in the bucket) for a
      // DeleteBackupRequest; deleting the Backup object alone would leave the files, and Velero's
      // sync would bring the Backup back.
      GenericKubernetesResource request = get(DELETE_BACKUP_REQUEST, ns, backupName);
      boolean pending = request != null && !"Processed".equals(str(status(request), "phase"));
      if (!pending) {
        if (request != null) {
          kube.delete(DELETE_BACKUP_REQUEST, ns, backupName);
        }
        Map<String, String> labels = new LinkedHashMap<>(r.labels());
        labels.put("velero.io/backup-name", backupName);
        GenericKubernetesResource dbr = resource(DELETE_BACKUP_REQUEST, ns, backupName, labels);
        dbr.setAdditionalProperty("spec", Map.of("backupName", backupName));
        kube.create(DELETE_BACKUP_REQUEST, dbr);
      }
      boolean gone = awaitGone(BACKUP, ns, backupName, min(timeout(backup), Duration.ofMinutes(2)));
      deleted.add("Backup " + ns + "/" + backupName + (gone ? "" : " (deletion requested, Velero still deleting it)"));
    }
    if (deleted.isEmpty()) {
      return new Changed.Result(Change.UNCHANGED, "rehearsal already cleaned up (no canary, scratch namespace, Backup or Restore)");
    }
    return new Changed.Result(Change.DELETED, "deleted " + String.join(", ", deleted));
  }

  // ------------------------------------------------------------------ desired objects

  private GenericKubernetesResource credentialsSecret(Backup backup) {
    Backup.ObjectStore store = backup.objectStore();
    String file;
    try {
      file = "[default]\naws_access_key_id=" + secrets.resolve(store.accessKey()) + "\naws_secret_access_key="
          + secrets.resolve(store.secretKey()) + "\n";
    } catch (SecretUnavailableException e) {
      throw ApplicationFailure.newNonRetryableFailure("cannot build the Velero credentials Secret " + backup.veleroNamespace() + "/"
          + backup.storageLocation().credential().name() + ": " + e.getMessage()
          + " (backup.objectStore.accessKey/secretKey)", "SecretUnavailable");
    }
    Backup.SecretKey credential = backup.storageLocation().credential();
    GenericKubernetesResource secret = resource(SECRET, backup.veleroNamespace(), credential.name(), Map.of());
    secret.setAdditionalProperty("type", "Opaque");
    // data, base64: stringData is converted by a real API server only.
    secret.setAdditionalProperty("data", Map.of(credential.key(),
        Base64.getEncoder().encodeToString(file.getBytes(StandardCharsets.UTF_8))));
    return secret;
  }

  private GenericKubernetesResource storageLocation(Backup backup) {
    Backup.StorageLocation sl = backup.storageLocation();
    GenericKubernetesResource bsl = resource(BACKUP_STORAGE_LOCATION, backup.veleroNamespace(), sl.name(), Map.of());
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("provider", sl.provider());
    Map<String, Object> objectStorage = new LinkedHashMap<>();
    objectStorage.put("bucket", backup.bucket());
    if (sl.prefix() != null) {
      objectStorage.put("prefix", sl.prefix());
    }
    spec.put("objectStorage", objectStorage);
    spec.put("config", new LinkedHashMap<>(sl.config()));
    if (sl.credential() != null) {
      spec.put("credential", Map.of("name", sl.credential().name(), "key", sl.credential().key()));
    }
    spec.put("default", true);
    bsl.setAdditionalProperty("spec", spec);
    return bsl;
  }

  private GenericKubernetesResource schedule(Backup backup, Backup.Schedule s) {
    GenericKubernetesResource schedule = resource(SCHEDULE, backup.veleroNamespace(), s.name(), Map.of());
    Map<String, Object> template = new LinkedHashMap<>();
    if (!s.includedNamespaces().isEmpty()) {
      template.put("includedNamespaces", s.includedNamespaces());
    }
    if (!s.labelSelector().isEmpty()) {
      template.put("labelSelector", Map.of("matchLabels", s.labelSelector()));
    }
    if (s.ttl() != null) {
      template.put("ttl", s.ttl());
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("schedule", s.cron());
    spec.put("template", template);
    spec.put("paused", false);
    schedule.setAdditionalProperty("spec", spec);
    return schedule;
  }

  private static GenericKubernetesResource resource(ResourceDefinitionContext ctx, String namespace, String name,
      Map<String, String> labels) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(ctx.getGroup() == null || ctx.getGroup().isEmpty() ? ctx.getVersion() : ctx.getGroup() + "/" + ctx.getVersion());
    r.setKind(ctx.getKind());
    ObjectMetaBuilder meta = new ObjectMetaBuilder().withName(name).withNamespace(namespace);
    if (!labels.isEmpty()) {
      meta.withLabels(new LinkedHashMap<>(labels));
    }
    r.setMetadata(meta.build());
    return r;
  }

  // ------------------------------------------------------------------ plumbing

  private GenericKubernetesResource get(ResourceDefinitionContext ctx, String namespace, String name) {
    return kube.get(ctx, namespace, name);
  }

  private boolean awaitGone(ResourceDefinitionContext ctx, String namespace, String name, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (get(ctx, namespace, name) != null) {
      if (!Instant.now().isBefore(deadline)) {
        return false;
      }
      KubernetesApi.heartbeat("waiting for " + ctx.getKind() + " " + name + " to be deleted");
      sleep();
    }
    return true;
  }

  private static Map<String, Object> status(GenericKubernetesResource r) {
    return map(r.getAdditionalProperties().get("status"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private static String str(Map<String, Object> m, String key) {
    Object v = m.get(key);
    return v == null ? null : v.toString();
  }

  private static int integer(Object o) {
    if (o instanceof Number n) {
      return n.intValue();
    }
    try {
      return o == null ? 0 : Integer.parseInt(o.toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static List<String> strings(Object o) {
    List<String> out = new ArrayList<>();
    if (o instanceof List<?> l) {
      l.forEach(x -> out.add(String.valueOf(x)));
    }
    return out;
  }

  private static boolean isAfter(String time, Instant instant) {
    try {
      return Instant.parse(time).isAfter(instant);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String plural(int n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }

  private static Change combine(List<Change> changes) {
    if (changes.stream().allMatch(c -> c == Change.UNCHANGED)) {
      return Change.UNCHANGED;
    }
    if (changes.stream().allMatch(c -> c == Change.CREATED || c == Change.UNCHANGED)
        && changes.contains(Change.CREATED) && !changes.contains(Change.UPDATED)) {
      return Change.CREATED;
    }
    return Change.UPDATED;
  }

  private static String word(Change change) {
    return change.name().toLowerCase();
  }

  private static Duration timeout(Backup backup) {
    String t = backup.rehearsal() == null ? null : backup.rehearsal().timeout();
    return t == null ? Duration.ofMinutes(30) : Durations.parse(t);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private void sleep() {
    try {
      Thread.sleep(pollInterval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted while waiting", "Interrupted");
    }
  }


  private static ResourceDefinitionContext context(String group, String version, String kind, String plural, boolean namespaced) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version)
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(namespaced)
        .build();
  }
}
