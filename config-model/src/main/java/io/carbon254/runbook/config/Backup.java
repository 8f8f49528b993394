package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * Velero backups into MinIO.
 *
 * @param veleroNamespace where Velero runs and its custom resources live
 * @param objectStore the MinIO S3 endpoint and its credentials
 * @param bucket the backup bucket
 * @param versioning turn bucket versioning on
 * @param storageLocation the Velero BackupStorageLocation
 * @param rehearsal the backup/restore rehearsal of a canary
 * @param schedules the schedules activated at the end
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Backup(
    String veleroNamespace,
    ObjectStore objectStore,
    String bucket,
    Boolean versioning,
    StorageLocation storageLocation,
    Rehearsal rehearsal,
    List<Schedule> schedules) {

  public Backup {
    versioning = versioning == null ? Boolean.TRUE : versioning;
    schedules = Immutable.list(schedules);
  }

  /**
   * An S3 endpoint (MinIO).
   *
   * @param endpoint S3 API URL as the worker reaches it
   * @param region region sent in signatures (MinIO accepts any)
   * @param accessKey access key reference
   * @param secretKey secret key reference
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ObjectStore(String endpoint, String region, SecretRef accessKey, SecretRef secretKey) {}

  /**
   * A Velero BackupStorageLocation; its bucket is {@link Backup#bucket()}.
   *
   * @param name its name
   * @param provider object store plugin provider
   * @param prefix key prefix in the bucket
   * @param config the provider config map (strings)
   * @param credential the Secret in the Velero namespace with the AWS-style credentials file
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record StorageLocation(
      String name, String provider, String prefix, Map<String, String> config, SecretKey credential) {
    public StorageLocation {
      config = Immutable.map(config);
    }
  }

  /** A key of a Secret the runbook writes (not a secret reference it reads). */
  public record SecretKey(String name, String key) {}

  /**
   * The restore rehearsal.
   *
   * @param canaryNamespace namespace created for the canary ConfigMap
   * @param canaryConfigMap the canary ConfigMap
   * @param scratchNamespace namespace the canary is restored into ({@code namespaceMapping})
   * @param labels labels on the rehearsal's objects
   * @param restorePVs restore persistent volumes
   * @param existingResourcePolicy Velero {@code existingResourcePolicy} ({@code none} or {@code update})
   * @param backupTtl TTL of the test backup
   * @param timeout how long to wait for the backup or the restore to finish
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Rehearsal(
      String canaryNamespace,
      String canaryConfigMap,
      String scratchNamespace,
      Map<String, String> labels,
      Boolean restorePVs,
      String existingResourcePolicy,
      String backupTtl,
      String timeout) {
    public Rehearsal {
      labels = Immutable.map(labels);
    }
  }

  /**
   * A Velero Schedule.
   *
   * @param name schedule name
   * @param cron 5-field cron expression
   * @param ttl backup TTL (Go duration)
   * @param includedNamespaces namespaces backed up
   * @param labelSelector match labels restricting the backup; empty: everything
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Schedule(
      String name, String cron, String ttl, List<String> includedNamespaces, Map<String, String> labelSelector) {
    public Schedule {
      includedNamespaces = Immutable.list(includedNamespaces);
      labelSelector = Immutable.map(labelSelector);
    }
  }
}
