package io.carbon254.runbook.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Velero's controllers, reduced to what a runbook observes ({@code velero.io/v1}):
 *
 * <ul>
 *   <li><b>BackupStorageLocation</b>: validated every {@code validationInterval} — Available when its
 *       bucket exists in the sandbox's S3 ({@link SandboxObjectStore}), else Unavailable with
 *       Velero's NoSuchBucket message; {@code lastValidationTime} each time.
 *   <li><b>Backup</b>: New → InProgress → Completed after {@code step}, with progress, item counts
 *       and timestamps; the ConfigMaps of its {@code includedNamespaces} (matching its
 *       {@code labelSelector}) are kept in memory, and a gzip of them is written to the bucket under
 *       {@code <prefix>/backups/<name>/}.
 *   <li><b>Restore</b>: New → InProgress → Completed, recreating the backed-up ConfigMaps in the
 *       {@code namespaceMapping} targets (namespaces created), honouring
 *       {@code existingResourcePolicy} ({@code update} overwrites; otherwise a warning).
 *   <li><b>Schedule</b>: Enabled, or FailedValidation for a cron that is not 5 fields.
 *   <li><b>DeleteBackupRequest</b>: deletes its Backup and the Backup's files, then Processed.
 * </ul>
 *
 * Failures for tests and demos: annotate a Backup, a Restore, a Schedule or a
 * BackupStorageLocation with {@value #SIMULATE} = {@code PartiallyFailed}, {@code Failed},
 * {@code FailedValidation} (a location passes this on to the Backups written to it) or
 * {@code Unavailable} (a location only). {@value #SIMULATE_RESTORE} on a location does the same for
 * Restores from its backups.
 */
public final class VeleroSimulator implements Simulator {

  private static final Logger log = LoggerFactory.getLogger(VeleroSimulator.class);

  /** Annotation that makes an object end in the given failure phase. */
  public static final String SIMULATE = "sandbox.254carbon.io/simulate";

  /** Annotation on a BackupStorageLocation that makes Restores of its backups end in the given phase. */
  public static final String SIMULATE_RESTORE = "sandbox.254carbon.io/simulate-restore";

  static final int SIMULATED_ERRORS = 2;
  static final int SIMULATED_WARNINGS = 1;
  static final String SIMULATED_FAILURE_REASON =
      "simulated by the sandbox (" + SIMULATE + "): the object store rejected the upload of the backup tarball";
  static final String SIMULATED_VALIDATION_ERROR =
      "simulated by the sandbox (" + SIMULATE + "): Invalid included/excluded namespace lists";

  private static final ResourceDefinitionContext BSL = SandboxResources.BACKUP_STORAGE_LOCATION;
  private static final ResourceDefinitionContext BACKUP = SandboxResources.BACKUP;
  private static final ResourceDefinitionContext RESTORE = SandboxResources.RESTORE;
  private static final ResourceDefinitionContext SCHEDULE = SandboxResources.SCHEDULE;
  private static final ResourceDefinitionContext DBR = SandboxResources.DELETE_BACKUP_REQUEST;
  private static final ResourceDefinitionContext NAMESPACE = new ResourceDefinitionContext.Builder()
      .withGroup("").withVersion("v1").withKind("Namespace").withPlural("namespaces").withNamespaced(false).build();
  private static final ResourceDefinitionContext CONFIG_MAP = new ResourceDefinitionContext.Builder()
      .withGroup("").withVersion("v1").withKind("ConfigMap").withPlural("configmaps").withNamespaced(true).build();

  private static final Pattern CRON_FIELD = Pattern.compile("[0-9A-Za-z*/,?-]+");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SandboxObjectStore store;
  private final Duration step;
  private final Duration validationInterval;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  /** Backed-up ConfigMaps by {@code namespace/backupName}. */
  private final Map<String, List<GenericKubernetesResource>> snapshots = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();
  private ScheduledExecutorService executor;
  private KubernetesClient client;

  /** @param store the S3 store whose buckets decide whether a location is Available (null: none exist) */
  public VeleroSimulator(SandboxObjectStore store) {
    this(store, Duration.ofMillis(300), Duration.ofSeconds(1));
  }

  /**
   * @param step how long a Backup or Restore stays InProgress
   * @param validationInterval how often storage locations are validated
   */
  public VeleroSimulator(SandboxObjectStore store, Duration step, Duration validationInterval) {
    this.store = store;
    this.step = step;
    this.validationInterval = validationInterval;
  }

  @Override
  public synchronized void start(KubernetesClient client) {
    this.client = client;
    this.executor = Informers.executor("sandbox-velero-simulator");
    long resync = Duration.ofSeconds(5).toMillis();
    informers.add(inform(BSL, this::validateLocation, resync, true));
    informers.add(inform(BACKUP, this::reconcileBackup, resync, false));
    informers.add(inform(RESTORE, this::reconcileRestore, resync, false));
    informers.add(inform(SCHEDULE, this::reconcileSchedule, resync, true));
    informers.add(inform(DBR, this::reconcileDeleteRequest, resync, false));
    executor.scheduleWithFixedDelay(this::validateAllLocations, validationInterval.toMillis(), validationInterval.toMillis(),
        TimeUnit.MILLISECONDS);
    log.debug("Velero simulator watching velero.io/v1 (step {}, validation every {})", step, validationInterval);
  }

  private SharedIndexInformer<GenericKubernetesResource> inform(ResourceDefinitionContext ctx,
      Consumer<GenericKubernetesResource> reconcile, long resync, boolean onSpecChangeOnly) {
    return client.genericKubernetesResources(ctx).inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource obj) {
        submit(ctx, obj, reconcile);
      }

      @Override
      public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
        // Our own status writes come back as updates: react to spec and annotation changes only
        // where the reconciliation writes status every time.
        if (onSpecChangeOnly
            && Objects.equals(oldObj.getAdditionalProperties().get("spec"), newObj.getAdditionalProperties().get("spec"))
            && Objects.equals(oldObj.getMetadata().getAnnotations(), newObj.getMetadata().getAnnotations())
            && newObj.getAdditionalProperties().get("status") != null) {
          return;
        }
        submit(ctx, newObj, reconcile);
      }

      @Override
      public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {}
    }, resync);
  }

  private void submit(ResourceDefinitionContext ctx, GenericKubernetesResource obj, Consumer<GenericKubernetesResource> reconcile) {
    ScheduledExecutorService ex = executor;
    if (ex == null || ex.isShutdown()) {
      return;
    }
    ex.execute(() -> {
      try {
        GenericKubernetesResource current = get(ctx, obj.getMetadata().getNamespace(), obj.getMetadata().getName());
        if (current != null) {
          reconcile.accept(current);
        }
      } catch (RuntimeException e) {
        log.warn("Velero simulator: {} {}/{} failed (tried again on the next event): {}", ctx.getKind(),
            obj.getMetadata().getNamespace(), obj.getMetadata().getName(), e.toString());
      }
    });
  }

  // ------------------------------------------------------------------ storage locations

  private void validateAllLocations() {
    try {
      for (GenericKubernetesResource bsl : client.genericKubernetesResources(BSL).inAnyNamespace().list().getItems()) {
        validateLocation(bsl);
      }
    } catch (RuntimeException e) {
      log.debug("Velero simulator: validating storage locations failed: {}", e.toString());
    }
  }

  private void validateLocation(GenericKubernetesResource bsl) {
    String bucket = str(map(spec(bsl).get("objectStorage")), "bucket");
    Map<String, Object> status = new LinkedHashMap<>();
    String simulate = annotation(bsl, SIMULATE);
    if ("Unavailable".equals(simulate)) {
      status.put("phase", "Unavailable");
      status.put("message", "BackupStorageLocation \"" + bsl.getMetadata().getName() + "\" is unavailable: simulated by the sandbox ("
          + SIMULATE + ": Unavailable)");
    } else if (store != null && store.bucketExists(bucket)) {
      status.put("phase", "Available");
    } else {
      status.put("phase", "Unavailable");
      status.put("message", "BackupStorageLocation \"" + bsl.getMetadata().getName() + "\" is unavailable: rpc error: code = Unknown desc = "
          + "NoSuchBucket: The specified bucket does not exist\n\tstatus code: 404, request id: 17A9C3B0F2E4D6A1, host id: "
          + "dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8 (bucket " + bucket + ")");
    }
    status.put("lastValidationTime", now());
    writeStatus(BSL, bsl, s -> status);
  }

  private boolean locationAvailable(String ns, String name) {
    GenericKubernetesResource bsl = get(BSL, ns, name);
    return bsl != null && !"Unavailable".equals(annotation(bsl, SIMULATE))
        && store != null && store.bucketExists(str(map(spec(bsl).get("objectStorage")), "bucket"));
  }

  /** The location a Backup names, else the default one. */
  private GenericKubernetesResource locationOf(String ns, String name) {
    if (name != null && !name.isBlank()) {
      return get(BSL, ns, name);
    }
    for (GenericKubernetesResource bsl : client.genericKubernetesResources(BSL).inNamespace(ns).list().getItems()) {
      if (Boolean.TRUE.equals(spec(bsl).get("default")) || "true".equals(String.valueOf(spec(bsl).get("default")))) {
        return bsl;
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ backups

  private void reconcileBackup(GenericKubernetesResource backup) {
    String phase = str(status(backup), "phase");
    if (phase != null && !"New".equals(phase)) {
      return;
    }
    String key = "Backup/" + backup.getMetadata().getUid();
    if (!pending.add(key)) {
      return;
    }
    try {
      startBackup(backup, key);
    } catch (RuntimeException e) {
      pending.remove(key);
      throw e;
    }
  }

  private void startBackup(GenericKubernetesResource backup, String key) {
    String ns = backup.getMetadata().getNamespace();
    String name = backup.getMetadata().getName();
    GenericKubernetesResource location = locationOf(ns, str(spec(backup), "storageLocation"));
    String simulate = firstNonNull(annotation(backup, SIMULATE), location == null ? null : annotation(location, SIMULATE));
    if (location == null || "FailedValidation".equals(simulate)) {
      pending.remove(key);
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("phase", "FailedValidation");
      status.put("validationErrors", List.of(location == null
          ? "an existing backup storage location wasn't specified at backup creation time and the default '"
              + Objects.requireNonNullElse(str(spec(backup), "storageLocation"), "default") + "' wasn't found"
          : SIMULATED_VALIDATION_ERROR));
      status.put("version", 1);
      writeStatus(BACKUP, backup, s -> status);
      log.info("Backup {}/{} FailedValidation", ns, name);
      return;
    }
    String started = now();
    writeStatus(BACKUP, backup, s -> {
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("phase", "InProgress");
      status.put("version", 1);
      status.put("formatVersion", "1.1.0");
      status.put("startTimestamp", started);
      status.put("progress", Map.of("totalItems", 0, "itemsBackedUp", 0));
      return status;
    });
    String uid = backup.getMetadata().getUid();
    executor.schedule(() -> {
      try {
        completeBackup(ns, name, uid, started, simulate);
      } catch (RuntimeException e) {
        log.warn("Velero simulator: Backup {}/{} could not complete: {}", ns, name, e.toString());
      } finally {
        pending.remove(key);
      }
    }, step.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void completeBackup(String ns, String name, String uid, String started, String simulate) {
    GenericKubernetesResource backup = get(BACKUP, ns, name);
    if (backup == null || !uid.equals(backup.getMetadata().getUid())) {
      return; // deleted or replaced meanwhile
    }
    Map<String, Object> spec = spec(backup);
    GenericKubernetesResource location = locationOf(ns, str(spec, "storageLocation"));
    List<GenericKubernetesResource> items = new ArrayList<>();
    List<String> namespaces = strings(spec.get("includedNamespaces"));
    Map<String, String> matchLabels = stringMap(map(map(spec.get("labelSelector")).get("matchLabels")));
    for (String namespace : namespaces) {
      if ("*".equals(namespace)) {
        continue;
      }
      for (GenericKubernetesResource cm : client.genericKubernetesResources(CONFIG_MAP).inNamespace(namespace).list().getItems()) {
        if ("kube-root-ca.crt".equals(cm.getMetadata().getName())) {
          continue;
        }
        Map<String, String> labels = cm.getMetadata().getLabels() == null ? Map.of() : cm.getMetadata().getLabels();
        if (labels.entrySet().containsAll(matchLabels.entrySet())) {
          items.add(cm);
        }
      }
    }
    int total = items.size() + namespaces.size();
    Map<String, Object> status = new LinkedHashMap<>(status(backup));
    status.put("startTimestamp", started);
    status.put("completionTimestamp", now());
    String ttl = str(spec, "ttl");
    Duration ttlDuration = goDuration(ttl);
    if (ttlDuration != null) {
      status.put("expiration", Instant.now().plus(ttlDuration).truncatedTo(ChronoUnit.SECONDS).toString());
    }
    boolean bucketThere = location != null && locationAvailable(ns, location.getMetadata().getName());
    if ("Failed".equals(simulate) || !bucketThere) {
      status.put("phase", "Failed");
      status.put("failureReason", "Failed".equals(simulate) ? SIMULATED_FAILURE_REASON
          : "error checking if backup already exists in object storage: rpc error: code = Unknown desc = NoSuchBucket: "
              + "The specified bucket does not exist");
      status.put("progress", Map.of("totalItems", total, "itemsBackedUp", 0));
      writeStatus(BACKUP, backup, s -> status);
      log.info("Backup {}/{} Failed", ns, name);
      return;
    }
    snapshots.put(ns + "/" + name, items);
    writeTarball(location, name, items);
    if ("PartiallyFailed".equals(simulate)) {
      status.put("phase", "PartiallyFailed");
      status.put("errors", SIMULATED_ERRORS);
      status.put("warnings", SIMULATED_WARNINGS);
      status.put("progress", Map.of("totalItems", total, "itemsBackedUp", Math.max(0, total - SIMULATED_ERRORS)));
    } else {
      status.put("phase", "Completed");
      status.put("progress", Map.of("totalItems", total, "itemsBackedUp", total));
    }
    writeStatus(BACKUP, backup, s -> status);
    log.info("Backup {}/{} {} ({} items)", ns, name, status.get("phase"), total);
  }

  private void writeTarball(GenericKubernetesResource location, String name, List<GenericKubernetesResource> items) {
    if (store == null) {
      return;
    }
    try {
      Map<String, Object> objectStorage = map(spec(location).get("objectStorage"));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
        gzip.write(JSON.writeValueAsBytes(items));
      }
      store.putObject(str(objectStorage, "bucket"), backupPrefix(objectStorage, name) + name + "-resources.json.gz", bytes.toByteArray());
      store.putObject(str(objectStorage, "bucket"), backupPrefix(objectStorage, name) + "velero-backup.json",
          ("{\"name\":\"" + name + "\",\"items\":" + items.size() + "}").getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      log.warn("Velero simulator: writing backup {} to the bucket failed: {}", name, e.toString());
    }
  }

  private static String backupPrefix(Map<String, Object> objectStorage, String name) {
    String prefix = str(objectStorage, "prefix");
    return (prefix == null || prefix.isBlank() ? "" : prefix.replaceAll("/+$", "") + "/") + "backups/" + name + "/";
  }

  // ------------------------------------------------------------------ restores

  private void reconcileRestore(GenericKubernetesResource restore) {
    String phase = str(status(restore), "phase");
    if (phase != null && !"New".equals(phase)) {
      return;
    }
    String key = "Restore/" + restore.getMetadata().getUid();
    if (!pending.add(key)) {
      return;
    }
    try {
      startRestore(restore, key);
    } catch (RuntimeException e) {
      pending.remove(key);
      throw e;
    }
  }

  private void startRestore(GenericKubernetesResource restore, String key) {
    String ns = restore.getMetadata().getNamespace();
    String name = restore.getMetadata().getName();
    String backupName = str(spec(restore), "backupName");
    GenericKubernetesResource backup = backupName == null ? null : get(BACKUP, ns, backupName);
    GenericKubernetesResource location = backup == null ? null : locationOf(ns, str(spec(backup), "storageLocation"));
    String simulate = firstNonNull(annotation(restore, SIMULATE),
        location == null ? null : annotation(location, SIMULATE_RESTORE));
    String backupPhase = backup == null ? null : str(status(backup), "phase");
    List<String> validationErrors = new ArrayList<>();
    if (backup == null) {
      validationErrors.add("Error retrieving backup: backups.velero.io \"" + backupName + "\" not found");
    } else if (!"Completed".equals(backupPhase) && !"PartiallyFailed".equals(backupPhase)) {
      validationErrors.add("Backup " + backupName + " is not in a completed state (phase " + backupPhase + ")");
    } else if ("FailedValidation".equals(simulate)) {
      validationErrors.add(SIMULATED_VALIDATION_ERROR);
    }
    if (!validationErrors.isEmpty()) {
      pending.remove(key);
      writeStatus(RESTORE, restore, s -> {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("phase", "FailedValidation");
        status.put("validationErrors", validationErrors);
        return status;
      });
      log.info("Restore {}/{} FailedValidation: {}", ns, name, validationErrors);
      return;
    }
    String started = now();
    writeStatus(RESTORE, restore, s -> {
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("phase", "InProgress");
      status.put("startTimestamp", started);
      status.put("progress", Map.of("totalItems", 0, "itemsRestored", 0));
      return status;
    });
    String uid = restore.getMetadata().getUid();
    executor.schedule(() -> {
      try {
        completeRestore(ns, name, uid, backupName, started, simulate);
      } catch (RuntimeException e) {
        log.warn("Velero simulator: Restore {}/{} could not complete: {}", ns, name, e.toString());
      } finally {
        pending.remove(key);
      }
    }, step.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void completeRestore(String ns, String name, String uid, String backupName, String started, String simulate) {
    GenericKubernetesResource restore = get(RESTORE, ns, name);
    if (restore == null || !uid.equals(restore.getMetadata().getUid())) {
      return;
    }
    Map<String, Object> spec = spec(restore);
    Map<String, Object> status = new LinkedHashMap<>(status(restore));
    status.put("startTimestamp", started);
    status.put("completionTimestamp", now());
    List<GenericKubernetesResource> items = snapshots.getOrDefault(ns + "/" + backupName, List.of());
    if ("Failed".equals(simulate)) {
      status.put("phase", "Failed");
      status.put("failureReason", SIMULATED_FAILURE_REASON.replace("upload of the backup tarball", "download of the backup tarball"));
      status.put("progress", Map.of("totalItems", items.size(), "itemsRestored", 0));
      writeStatus(RESTORE, restore, s -> status);
      return;
    }
    List<String> included = strings(spec.get("includedNamespaces"));
    Map<String, String> mapping = stringMap(map(spec.get("namespaceMapping")));
    boolean update = "update".equals(str(spec, "existingResourcePolicy"));
    int restored = 0;
    int warnings = 0;
    Set<String> namespacesDone = new java.util.HashSet<>();
    for (GenericKubernetesResource item : items) {
      String from = item.getMetadata().getNamespace();
      if (!included.isEmpty() && !included.contains("*") && !included.contains(from)) {
        continue;
      }
      String to = mapping.getOrDefault(from, from);
      if (namespacesDone.add(to) && get(NAMESPACE, null, to) == null) {
        GenericKubernetesResource namespace = new GenericKubernetesResource();
        namespace.setApiVersion("v1");
        namespace.setKind("Namespace");
        namespace.setMetadata(new ObjectMetaBuilder().withName(to)
            .addToLabels("velero.io/backup-name", backupName).addToLabels("velero.io/restore-name", name).build());
        client.genericKubernetesResources(NAMESPACE).resource(namespace).create();
        restored++;
      }
      GenericKubernetesResource copy = new GenericKubernetesResource();
      copy.setApiVersion("v1");
      copy.setKind("ConfigMap");
      Map<String, String> labels = new LinkedHashMap<>(item.getMetadata().getLabels() == null ? Map.of() : item.getMetadata().getLabels());
      labels.put("velero.io/backup-name", backupName);
      labels.put("velero.io/restore-name", name);
      copy.setMetadata(new ObjectMetaBuilder().withName(item.getMetadata().getName()).withNamespace(to).withLabels(labels)
          .withAnnotations(item.getMetadata().getAnnotations()).build());
      item.getAdditionalProperties().forEach((k, v) -> {
        if (!"status".equals(k)) {
          copy.setAdditionalProperty(k, v);
        }
      });
      var target = client.genericKubernetesResources(CONFIG_MAP).inNamespace(to);
      GenericKubernetesResource existing = target.withName(item.getMetadata().getName()).get();
      if (existing == null) {
        target.resource(copy).create();
        restored++;
      } else if (update) {
        copy.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
        target.resource(copy).update();
        restored++;
      } else {
        warnings++; // Velero: "could not restore, ConfigMap ... already exists"
      }
    }
    if ("PartiallyFailed".equals(simulate)) {
      status.put("phase", "PartiallyFailed");
      status.put("errors", SIMULATED_ERRORS);
      status.put("warnings", warnings + SIMULATED_WARNINGS);
    } else {
      status.put("phase", "Completed");
      if (warnings > 0) {
        status.put("warnings", warnings);
      }
    }
    status.put("progress", Map.of("totalItems", restored + warnings, "itemsRestored", restored));
    writeStatus(RESTORE, restore, s -> status);
    log.info("Restore {}/{} of {} {} ({} items)", ns, name, backupName, status.get("phase"), restored);
  }

  // ------------------------------------------------------------------ schedules and deletion

  private void reconcileSchedule(GenericKubernetesResource schedule) {
    String cron = str(spec(schedule), "schedule");
    String[] fields = cron == null ? new String[0] : cron.trim().split("\\s+");
    boolean valid = fields.length == 5 && java.util.Arrays.stream(fields).allMatch(f -> CRON_FIELD.matcher(f).matches());
    Map<String, Object> status = new LinkedHashMap<>(status(schedule));
    if (!valid || "FailedValidation".equals(annotation(schedule, SIMULATE))) {
      status.put("phase", "FailedValidation");
      status.put("validationErrors", List.of(valid ? SIMULATED_VALIDATION_ERROR
          : "invalid schedule: expected exactly 5 fields, found " + fields.length + ": " + cron));
    } else {
      status.put("phase", "Enabled");
      status.remove("validationErrors");
    }
    if (!status.equals(status(schedule))) {
      writeStatus(SCHEDULE, schedule, s -> status);
      log.info("Schedule {}/{} {}{}", schedule.getMetadata().getNamespace(), schedule.getMetadata().getName(), status.get("phase"),
          Boolean.TRUE.equals(spec(schedule).get("paused")) ? " (paused)" : "");
    }
  }

  private void reconcileDeleteRequest(GenericKubernetesResource request) {
    if ("Processed".equals(str(status(request), "phase"))) {
      return;
    }
    String ns = request.getMetadata().getNamespace();
    String backupName = str(spec(request), "backupName");
    List<String> errors = new ArrayList<>();
    GenericKubernetesResource backup = backupName == null ? null : get(BACKUP, ns, backupName);
    if (backup == null) {
      errors.add("backup not found");
    } else {
      GenericKubernetesResource location = locationOf(ns, str(spec(backup), "storageLocation"));
      if (location != null && store != null) {
        Map<String, Object> objectStorage = map(spec(location).get("objectStorage"));
        store.removeObject(str(objectStorage, "bucket"), backupPrefix(objectStorage, backupName) + backupName + "-resources.json.gz");
        store.removeObject(str(objectStorage, "bucket"), backupPrefix(objectStorage, backupName) + "velero-backup.json");
      }
      snapshots.remove(ns + "/" + backupName);
      client.genericKubernetesResources(BACKUP).inNamespace(ns).withName(backupName).delete();
    }
    writeStatus(DBR, request, s -> {
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("phase", "Processed");
      if (!errors.isEmpty()) {
        status.put("errors", errors);
      }
      return status;
    });
    log.info("DeleteBackupRequest {}/{} processed (backup {}{})", ns, request.getMetadata().getName(), backupName,
        errors.isEmpty() ? " deleted" : ": " + errors);
  }

  // ------------------------------------------------------------------ plumbing

  /**
   * Writes {@code status} as Velero does: Velero's CRDs have no status subresource, so status is an
   * ordinary field, written with the object (optimistically: a 409 reads it again).
   */
  private void writeStatus(ResourceDefinitionContext ctx, GenericKubernetesResource obj, UnaryOperator<Map<String, Object>> status) {
    String ns = obj.getMetadata().getNamespace();
    String name = obj.getMetadata().getName();
    KubernetesClientException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      GenericKubernetesResource current = get(ctx, ns, name);
      if (current == null || !Objects.equals(current.getMetadata().getUid(), obj.getMetadata().getUid())) {
        return;
      }
      current.setAdditionalProperty("status", status.apply(status(current)));
      try {
        client.genericKubernetesResources(ctx).inNamespace(ns).resource(current).update();
        return;
      } catch (KubernetesClientException e) {
        last = e;
        if (e.getCode() != 409) {
          break;
        }
      }
    }
    throw last;
  }

  private GenericKubernetesResource get(ResourceDefinitionContext ctx, String ns, String name) {
    var all = client.genericKubernetesResources(ctx);
    return ctx.isNamespaceScoped() ? all.inNamespace(ns).withName(name).get() : all.withName(name).get();
  }

  private static String firstNonNull(String a, String b) {
    return a != null ? a : b;
  }

  private static String annotation(GenericKubernetesResource r, String key) {
    Map<String, String> a = r.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  private static Map<String, Object> spec(GenericKubernetesResource r) {
    return map(r.getAdditionalProperties().get("spec"));
  }

  private static Map<String, Object> status(GenericKubernetesResource r) {
    return map(r.getAdditionalProperties().get("status"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private static Map<String, String> stringMap(Map<String, Object> m) {
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  private static String str(Map<String, Object> m, String key) {
    Object v = m.get(key);
    return v == null ? null : v.toString();
  }

  private static List<String> strings(Object o) {
    List<String> out = new ArrayList<>();
    if (o instanceof List<?> l) {
      l.forEach(x -> out.add(String.valueOf(x)));
    }
    return out;
  }

  /** A Go duration such as {@code 24h} or {@code 1h30m}; null if it is not one. */
  static Duration goDuration(String text) {
    if (text == null || !text.matches("(\\d+h)?(\\d+m)?(\\d+s)?") || text.isEmpty()) {
      return null;
    }
    java.util.regex.Matcher m = Pattern.compile("(\\d+)([hms])").matcher(text);
    Duration d = Duration.ZERO;
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      d = d.plus(switch (m.group(2)) {
        case "h" -> Duration.ofHours(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofSeconds(n);
      });
    }
    return d;
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
  }

  @Override
  public synchronized void close() {
    Informers.stop(informers, executor);
    executor = null;
  }
}
