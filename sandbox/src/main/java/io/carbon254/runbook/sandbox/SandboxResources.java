package io.carbon254.runbook.sandbox;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;

/**
 * The custom resources of the platform (Velero, Prometheus operator) as fabric8 definition
 * contexts. The sandbox installs their CRDs, so clients that discover resources by API version
 * and kind work too.
 */
public final class SandboxResources {

  private SandboxResources() {}

  public static final ResourceDefinitionContext SERVICE_MONITOR = namespaced("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors");
  public static final ResourceDefinitionContext POD_MONITOR = namespaced("monitoring.coreos.com", "v1", "PodMonitor", "podmonitors");
  public static final ResourceDefinitionContext BACKUP_STORAGE_LOCATION =
      namespaced("velero.io", "v1", "BackupStorageLocation", "backupstoragelocations");
  public static final ResourceDefinitionContext VOLUME_SNAPSHOT_LOCATION =
      namespaced("velero.io", "v1", "VolumeSnapshotLocation", "volumesnapshotlocations");
  public static final ResourceDefinitionContext BACKUP = namespaced("velero.io", "v1", "Backup", "backups");
  public static final ResourceDefinitionContext RESTORE = namespaced("velero.io", "v1", "Restore", "restores");
  public static final ResourceDefinitionContext SCHEDULE = namespaced("velero.io", "v1", "Schedule", "schedules");
  public static final ResourceDefinitionContext DELETE_BACKUP_REQUEST =
      namespaced("velero.io", "v1", "DeleteBackupRequest", "deletebackuprequests");

  /** Every custom resource whose CRD the sandbox installs. */
  public static final List<ResourceDefinitionContext> CUSTOM_RESOURCES =
      List.of(
          SERVICE_MONITOR,
          POD_MONITOR,
          BACKUP_STORAGE_LOCATION,
          VOLUME_SNAPSHOT_LOCATION,
          BACKUP,
          RESTORE,
          SCHEDULE,
          DELETE_BACKUP_REQUEST);

  private static ResourceDefinitionContext namespaced(String group, String version, String kind, String plural) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version)
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(true)
        .build();
  }
}
