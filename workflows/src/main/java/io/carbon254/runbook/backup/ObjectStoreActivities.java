package io.carbon254.runbook.backup;

import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.ChangesThePlatform;
import io.carbon254.runbook.engine.PlanItem;
import io.temporal.activity.ActivityInterface;

/** The platform's object store (MinIO) through the S3 API. Credentials are secret references. */
@ActivityInterface
public interface ObjectStoreActivities {

  /** What {@link #ensureBucket} would do: CREATE, UPDATE (versioning off) or KEEP {@code Bucket <bucket>}. */
  PlanItem planBucket(Backup.ObjectStore store, String bucket, boolean versioning);

  /**
   * Creates the bucket if missing ({@code BucketAlreadyOwnedByYou} counts as there) and turns
   * versioning on when asked: CREATED, UPDATED (versioning turned on) or UNCHANGED.
   */
  @ChangesThePlatform
  Changed.Result ensureBucket(Backup.ObjectStore store, String bucket, boolean versioning);
}
