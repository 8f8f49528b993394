package io.carbon254.runbook.backup;

import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.ChangesThePlatform;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.Verification;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * Velero ({@code velero.io/v1}) and the Kubernetes objects of the restore rehearsal. Every
 * {@code ensureX} reads first and is idempotent; every {@code waitForX} polls with heartbeats.
 * Failures name the object, what Velero said, and what to do.
 */
@ActivityInterface
public interface VeleroActivities {

  /** The credentials Secret and the BackupStorageLocation: CREATE, UPDATE or KEEP. */
  List<PlanItem> planStorageLocation(Backup backup);

  /** The schedules of the configuration: CREATE, UPDATE (drift or paused) or KEEP. */
  List<PlanItem> planSchedules(Backup backup);

  /**
   * The Secret Velero reads the object store credentials from ({@code storageLocation.credential}
   * in the Velero namespace), an AWS credentials file made from the object store's secret
   * references. The values never leave the activity.
   */
  @ChangesThePlatform
  Changed.Result ensureCredentials(Backup backup);

  @ChangesThePlatform
  Changed.Result ensureStorageLocation(Backup backup);

  /** Waits until the BackupStorageLocation is Available; failed with Velero's message if it stays Unavailable. */
  Verification waitForStorageLocation(Backup backup);

  /** The last rehearsal that passed, or null. */
  Rehearsal lastRehearsal(Backup backup);

  /** Records a rehearsal that passed. */
  @ChangesThePlatform
  Changed.Result recordRehearsal(Backup backup, Rehearsal rehearsal);

  /** The canary namespace with a ConfigMap holding {@code value}. */
  @ChangesThePlatform
  Changed.Result ensureCanary(Backup backup, String value);

  /**
   * A Velero Backup of the canary namespace named {@code name}; an earlier attempt that ended
   * in failure is replaced (that is what an operator's RETRY means).
   */
  @ChangesThePlatform
  Changed.Result ensureBackup(Backup backup, String name);

  /**
   * Waits for the Backup's terminal phase. Completed returns; PartiallyFailed, Failed and
   * FailedValidation fail (non-retryable) with the error and warning counts and the reason.
   */
  BackupRun waitForBackup(Backup backup, String name);

  /** A Velero Restore of {@code backupName} into the scratch namespace ({@code namespaceMapping}). */
  @ChangesThePlatform
  Changed.Result ensureRestore(Backup backup, String name, String backupName);

  BackupRun waitForRestore(Backup backup, String name);

  /** The restored ConfigMap in the scratch namespace holds exactly {@code expectedValue}. */
  Verification verifyRestoredCanary(Backup backup, String expectedValue);

  /** Creates, updates or unpauses every configured schedule. */
  @ChangesThePlatform(gate = "activate-schedules")
  Changed.Result ensureSchedules(Backup backup);

  /** Waits until every configured schedule is Enabled. */
  Verification waitForSchedules(Backup backup);

  /** Deletes the canary and scratch namespaces and the test Backup and Restore: DELETED or UNCHANGED. */
  @ChangesThePlatform
  Changed.Result cleanUpRehearsal(Backup backup, String backupName, String restoreName);
}
