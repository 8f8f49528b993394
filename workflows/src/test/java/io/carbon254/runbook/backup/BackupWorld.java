package io.carbon254.runbook.backup;

import io.carbon254.runbook.config.Backup;
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

/** MinIO and Velero in memory, as the workflow sees them through its activities. */
public class BackupWorld implements ObjectStoreActivities, VeleroActivities {

  final Map<String, Boolean> buckets = Collections.synchronizedMap(new LinkedHashMap<>()); // bucket → versioning
  volatile boolean credentials;
  /** Restores come back without the canary's value (a Velero that backs up no ConfigMap data). */
  volatile boolean restoresLoseData;
  volatile String storageLocationPhase; // null: absent
  final Map<String, String> namespaces = Collections.synchronizedMap(new LinkedHashMap<>()); // ns → canary value
  final Map<String, String> backups = Collections.synchronizedMap(new LinkedHashMap<>()); // name → phase
  final Set<String> restores = Collections.synchronizedSet(new LinkedHashSet<>());
  final Map<String, String> schedules = Collections.synchronizedMap(new LinkedHashMap<>()); // name → phase
  volatile Rehearsal rehearsal;
  /** Phases the next backups end in, in order; empty: Completed. */
  final List<String> nextBackupPhases = Collections.synchronizedList(new ArrayList<>());
  final List<String> cleanUps = Collections.synchronizedList(new ArrayList<>());

  @Override
  public PlanItem planBucket(Backup.ObjectStore store, String bucket, boolean versioning) {
    Boolean existing = buckets.get(bucket);
    if (existing == null) {
      return PlanItem.create("Bucket", bucket, "on " + store.endpoint() + (versioning ? ", versioning on" : ""));
    }
    return versioning && !existing ? PlanItem.update("Bucket", bucket, "turn versioning on") : PlanItem.keep("Bucket", bucket, "exists");
  }

  @Override
  public Changed.Result ensureBucket(Backup.ObjectStore store, String bucket, boolean versioning) {
    Boolean existing = buckets.put(bucket, versioning);
    Change change = existing == null ? Change.CREATED : existing == versioning ? Change.UNCHANGED : Change.UPDATED;
    return new Changed.Result(change, "bucket " + bucket + ", versioning " + (versioning ? "Enabled" : "off"));
  }

  @Override
  public List<PlanItem> planStorageLocation(Backup backup) {
    String bsl = backup.veleroNamespace() + "/" + backup.storageLocation().name();
    return List.of(
        credentials ? PlanItem.keep("Secret", "velero/" + backup.storageLocation().credential().name(), "as configured")
            : PlanItem.create("Secret", "velero/" + backup.storageLocation().credential().name(), "object store credentials"),
        storageLocationPhase == null ? PlanItem.create("BackupStorageLocation", bsl, "bucket " + backup.bucket())
            : PlanItem.keep("BackupStorageLocation", bsl, "as configured"));
  }

  @Override
  public List<PlanItem> planSchedules(Backup backup) {
    return backup.schedules().stream()
        .map(s -> "Enabled".equals(schedules.get(s.name()))
            ? PlanItem.keep("Schedule", "velero/" + s.name(), s.cron())
            : PlanItem.create("Schedule", "velero/" + s.name(), s.cron() + ", ttl " + s.ttl()))
        .toList();
  }

  @Override
  public Changed.Result ensureCredentials(Backup backup) {
    Change change = credentials ? Change.UNCHANGED : Change.CREATED;
    credentials = true;
    return new Changed.Result(change, "Secret velero/" + backup.storageLocation().credential().name());
  }

  @Override
  public Changed.Result ensureStorageLocation(Backup backup) {
    Change change = storageLocationPhase == null ? Change.CREATED : Change.UNCHANGED;
    if (storageLocationPhase == null) {
      storageLocationPhase = buckets.containsKey(backup.bucket()) ? "Available" : "Unavailable";
    }
    return new Changed.Result(change, "BackupStorageLocation velero/" + backup.storageLocation().name());
  }

  @Override
  public Verification waitForStorageLocation(Backup backup) {
    return "Available".equals(storageLocationPhase)
        ? Verification.passed("BackupStorageLocation velero/default Available")
        : Verification.failed("BackupStorageLocation velero/default is Unavailable: NoSuchBucket");
  }

  @Override
  public Rehearsal lastRehearsal(Backup backup) {
    return rehearsal;
  }

  @Override
  public Changed.Result recordRehearsal(Backup backup, Rehearsal r) {
    rehearsal = r;
    return new Changed.Result(Change.CREATED, "rehearsal of " + r.backup() + " recorded");
  }

  @Override
  public Changed.Result ensureCanary(Backup backup, String value) {
    String previous = namespaces.put(backup.rehearsal().canaryNamespace(), value);
    return new Changed.Result(value.equals(previous) ? Change.UNCHANGED : Change.CREATED, "canary " + backup.rehearsal().canaryNamespace());
  }

  @Override
  public Changed.Result ensureBackup(Backup backup, String name) {
    String phase = nextBackupPhases.isEmpty() ? "Completed" : nextBackupPhases.remove(0);
    String previous = backups.put(name, phase);
    return new Changed.Result(previous == null ? Change.CREATED : Change.UPDATED, "Backup velero/" + name);
  }

  @Override
  public BackupRun waitForBackup(Backup backup, String name) {
    String phase = backups.get(name);
    if (!"Completed".equals(phase)) {
      throw ApplicationFailure.newNonRetryableFailure("Backup velero/" + name + " ended " + phase
          + ": 2 errors, 1 warning; reason: none", "BackupFailed");
    }
    return new BackupRun("Backup", name, phase, 0, 0, null, 2);
  }

  @Override
  public Changed.Result ensureRestore(Backup backup, String name, String backupName) {
    restores.add(name);
    namespaces.put(backup.rehearsal().scratchNamespace(),
        restoresLoseData ? "(no data)" : namespaces.get(backup.rehearsal().canaryNamespace()));
    return new Changed.Result(Change.CREATED, "Restore velero/" + name);
  }

  @Override
  public BackupRun waitForRestore(Backup backup, String name) {
    return new BackupRun("Restore", name, "Completed", 0, 0, null, 0);
  }

  @Override
  public Verification verifyRestoredCanary(Backup backup, String expectedValue) {
    String restored = namespaces.get(backup.rehearsal().scratchNamespace());
    return expectedValue.equals(restored)
        ? Verification.passed("restored canary value matches")
        : Verification.failed("restored canary holds " + restored);
  }

  @Override
  public Changed.Result ensureSchedules(Backup backup) {
    boolean changed = false;
    for (Backup.Schedule s : backup.schedules()) {
      changed |= !"Enabled".equals(schedules.put(s.name(), "Enabled"));
    }
    return new Changed.Result(changed ? Change.CREATED : Change.UNCHANGED, backup.schedules().size() + " schedules");
  }

  @Override
  public Verification waitForSchedules(Backup backup) {
    return Verification.passed(schedules.size() + " schedules Enabled");
  }

  @Override
  public Changed.Result cleanUpRehearsal(Backup backup, String backupName, String restoreName) {
    cleanUps.add(backupName);
    boolean any = namespaces.remove(backup.rehearsal().canaryNamespace()) != null;
    any |= namespaces.remove(backup.rehearsal().scratchNamespace()) != null;
    any |= backups.remove(backupName) != null;
    any |= restores.remove(restoreName);
    return new Changed.Result(any ? Change.DELETED : Change.UNCHANGED, "rehearsal objects of " + backupName);
  }
}
