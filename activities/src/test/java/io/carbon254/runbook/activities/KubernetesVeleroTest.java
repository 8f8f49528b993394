package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbon254.runbook.backup.BackupRun;
import io.carbon254.runbook.backup.Rehearsal;
import io.carbon254.runbook.backup.VeleroActivities;
import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.config.SecretRef;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.Verification;
import io.carbon254.runbook.sandbox.KubernetesMode;
import io.carbon254.runbook.sandbox.Sandbox;
import io.carbon254.runbook.sandbox.SandboxResources;
import io.carbon254.runbook.sandbox.VeleroSimulator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Velero adapter run as Temporal activities against the sandbox on the real Kubernetes API
 * server (Velero's own CRDs validate what it writes; field managers, garbage collection and
 * namespace deletion are real), with the {@link VeleroSimulator} playing Velero and S3Proxy as
 * the object store.
 */
class KubernetesVeleroTest {

  private static PlatformConfig config;
  private static Sandbox sandbox;
  private static KubernetesClient k8s;
  private static Backup backup;
  private static String ns;

  private TestActivityEnvironment env;
  private TestActivityEnvironment forcingEnv;
  private VeleroActivities velero;
  /** Every summary, evidence and failure message the activities produced: none may hold a secret. */
  private final List<String> said = new ArrayList<>();

  @BeforeAll
  static void startSandbox() {
    config = ConfigLoader.loadDefault();
    sandbox = Sandbox.builder(config).kubernetes(KubernetesMode.REAL).veleroStep(Duration.ofMillis(100)).start();
    k8s = sandbox.kubernetesClient();
    Backup b = config.backup();
    Backup.Rehearsal r = b.rehearsal();
    // Short waits for the tests; everything else as configured.
    backup = new Backup(b.veleroNamespace(), b.objectStore(), b.bucket(), b.versioning(), b.storageLocation(),
        new Backup.Rehearsal(r.canaryNamespace(), r.canaryConfigMap(), r.scratchNamespace(), r.labels(), r.restorePVs(),
            r.existingResourcePolicy(), r.backupTtl(), "20s"),
        b.schedules());
    ns = b.veleroNamespace();
  }

  @AfterAll
  static void stopSandbox() {
    sandbox.close();
  }

  @BeforeEach
  void startActivities() {
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new KubernetesVelero(k8s, new Secrets(name -> null, k8s), Duration.ofMillis(100)));
    velero = env.newActivityStub(VeleroActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());
  }

  @AfterEach
  void noSecretWasSaid() {
    env.close();
    if (forcingEnv != null) {
      forcingEnv.close();
    }
    assertThat(String.join("\n", said))
        .doesNotContain(Sandbox.DEMO_MINIO_SECRET_KEY)
        .doesNotContain(Sandbox.DEMO_MINIO_ACCESS_KEY);
  }

  @Test
  void credentials_and_storage_location_are_ensured_once_and_the_location_becomes_available_with_its_bucket() {
    // A location of its own (bucket not created by any other test).
    Backup.StorageLocation sl = backup.storageLocation();
    Backup own = new Backup(ns, backup.objectStore(), "bsl-test-bucket", true,
        new Backup.StorageLocation("bsl-test", sl.provider(), sl.prefix(), sl.config(), sl.credential()),
        backup.rehearsal(), backup.schedules());

    List<PlanItem> plan = said(velero.planStorageLocation(own));
    assertThat(plan).extracting(PlanItem::action, PlanItem::kind, PlanItem::target).containsExactly(
        org.assertj.core.groups.Tuple.tuple(PlanItem.Action.CREATE, "Secret", ns + "/minio-backup-credentials"),
        org.assertj.core.groups.Tuple.tuple(PlanItem.Action.CREATE, "BackupStorageLocation", ns + "/bsl-test"));

    assertThat(said(velero.ensureCredentials(own)).change()).isEqualTo(Change.CREATED);
    assertThat(said(velero.ensureCredentials(own)).change()).isEqualTo(Change.UNCHANGED);
    Secret secret = k8s.secrets().inNamespace(ns).withName("minio-backup-credentials").get();
    String file = new String(Base64.getDecoder().decode(secret.getData().get("cloud")), StandardCharsets.UTF_8);
    assertThat(file).isEqualTo("[default]\naws_access_key_id=" + Sandbox.DEMO_MINIO_ACCESS_KEY
        + "\naws_secret_access_key=" + Sandbox.DEMO_MINIO_SECRET_KEY + "\n");

    Changed.Result created = said(velero.ensureStorageLocation(own));
    assertThat(created.change()).isEqualTo(Change.CREATED);
    assertThat(created.summary()).contains("BackupStorageLocation " + ns + "/bsl-test");
    assertThat(said(velero.ensureStorageLocation(own)).change()).isEqualTo(Change.UNCHANGED);
    Map<String, Object> spec = get(SandboxResources.BACKUP_STORAGE_LOCATION, "bsl-test").get("spec");
    assertThat(spec).containsEntry("provider", "aws").containsEntry("default", true)
        .containsEntry("objectStorage", Map.of("bucket", "bsl-test-bucket", "prefix", "cluster-backups"))
        .containsEntry("credential", Map.of("name", "minio-backup-credentials", "key", "cloud"))
        .containsEntry("config", sl.config());
    assertThat(said(velero.planStorageLocation(own))).extracting(PlanItem::action)
        .containsExactly(PlanItem.Action.KEEP, PlanItem.Action.KEEP);

    // Someone changes the bucket by hand: the plan shows the drift, and the server-side apply
    // reports the conflict with that field manager instead of overwriting its change ...
    k8s.genericKubernetesResources(SandboxResources.BACKUP_STORAGE_LOCATION).inNamespace(ns).withName("bsl-test")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"objectStorage\":{\"bucket\":\"velero-backups\"}}}");
    PlanItem drift = said(velero.planStorageLocation(own)).get(1);
    assertThat(drift.action()).isEqualTo(PlanItem.Action.UPDATE);
    assertThat(drift.detail()).contains("spec.objectStorage.bucket");
    ApplicationFailure conflict = failure(() -> velero.ensureStorageLocation(own));
    assertThat(conflict.isNonRetryable()).isTrue();
    assertThat(conflict.getType()).isEqualTo("KubernetesApplyConflict");
    assertThat(conflict.getOriginalMessage()).startsWith("BackupStorageLocation " + ns + "/bsl-test: .spec.objectStorage.bucket"
        + " (manager fabric8-kubernetes-client) — fields").contains("does not overwrite them");
    assertThat(get(SandboxResources.BACKUP_STORAGE_LOCATION, "bsl-test").<Map<String, Object>>get("spec"))
        .containsEntry("objectStorage", Map.of("bucket", "velero-backups", "prefix", "cluster-backups"));
    // ... unless the worker is told to take such fields over.
    VeleroActivities forcing = forcing();
    assertThat(said(forcing.ensureStorageLocation(own)).change()).isEqualTo(Change.UPDATED);
    assertThat(said(velero.ensureStorageLocation(own)).change()).isEqualTo(Change.UNCHANGED);

    Verification unavailable = said(velero.waitForStorageLocation(own));
    assertThat(unavailable.ok()).isFalse();
    assertThat(unavailable.evidence()).contains("BackupStorageLocation " + ns + "/bsl-test is Unavailable")
        .contains("NoSuchBucket").contains("bsl-test-bucket");

    sandbox.objectStore().createBucket("bsl-test-bucket");
    Verification available = said(velero.waitForStorageLocation(own));
    assertThat(available.ok()).as(available.evidence()).isTrue();
    assertThat(available.evidence()).contains("Available");
  }

  @Test
  void a_secret_reference_that_cannot_be_read_fails_without_retry_naming_the_reference() {
    Backup.ObjectStore store = backup.objectStore();
    Backup broken = new Backup(ns, new Backup.ObjectStore(store.endpoint(), store.region(), store.accessKey(),
        SecretRef.kubernetes("data-platform", "no-such-secret", "secret-key")), backup.bucket(), true,
        backup.storageLocation(), backup.rehearsal(), backup.schedules());
    ApplicationFailure failure = failure(() -> velero.ensureCredentials(broken));
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("data-platform/no-such-secret").contains("backup.objectStore.accessKey/secretKey");
  }

  @Test
  void the_rehearsal_backs_up_restores_verifies_records_and_cleans_up_idempotently() {
    sandbox.objectStore().createBucket(backup.bucket());
    Backup.Rehearsal r = backup.rehearsal();
    String backupName = "backup-canary-1a2b3c4d";
    String restoreName = "restore-canary-1a2b3c4d";

    assertThat(said(velero.ensureCanary(backup, "canary-value-42")).change()).isEqualTo(Change.CREATED);
    assertThat(said(velero.ensureCanary(backup, "canary-value-42")).change()).isEqualTo(Change.UNCHANGED);
    assertThat(k8s.configMaps().inNamespace(r.canaryNamespace()).withName(r.canaryConfigMap()).get().getData())
        .containsEntry(KubernetesVelero.CANARY_KEY, "canary-value-42");
    assertThat(k8s.namespaces().withName(r.canaryNamespace()).get().getMetadata().getLabels())
        .containsAllEntriesOf(r.labels());

    assertThat(said(velero.ensureBackup(backup, backupName)).change()).isEqualTo(Change.CREATED);
    assertThat(said(velero.ensureBackup(backup, backupName)).change()).isEqualTo(Change.UNCHANGED);
    GenericKubernetesResource created = get(SandboxResources.BACKUP, backupName);
    assertThat((Map<String, Object>) created.get("spec")).containsEntry("includedNamespaces", List.of(r.canaryNamespace()))
        .containsEntry("storageLocation", backup.storageLocation().name()).containsEntry("ttl", r.backupTtl());
    assertThat(created.getMetadata().getLabels()).containsAllEntriesOf(r.labels());

    BackupRun backedUp = said(velero.waitForBackup(backup, backupName));
    assertThat(backedUp.phase()).isEqualTo("Completed");
    assertThat(backedUp.kind()).isEqualTo("Backup");
    assertThat(backedUp.itemsBackedUp()).isGreaterThan(0);

    assertThat(said(velero.ensureRestore(backup, restoreName, backupName)).change()).isEqualTo(Change.CREATED);
    assertThat(said(velero.ensureRestore(backup, restoreName, backupName)).change()).isEqualTo(Change.UNCHANGED);
    Map<String, Object> restoreSpec = get(SandboxResources.RESTORE, restoreName).get("spec");
    assertThat(restoreSpec).containsEntry("backupName", backupName)
        .containsEntry("namespaceMapping", Map.of(r.canaryNamespace(), r.scratchNamespace()))
        .containsEntry("restorePVs", false).containsEntry("existingResourcePolicy", "update");
    BackupRun restored = said(velero.waitForRestore(backup, restoreName));
    assertThat(restored.phase()).isEqualTo("Completed");
    assertThat(k8s.configMaps().inNamespace(r.scratchNamespace()).withName(r.canaryConfigMap()).get().getData())
        .containsEntry(KubernetesVelero.CANARY_KEY, "canary-value-42");

    assertThat(said(velero.verifyRestoredCanary(backup, "canary-value-42")).ok()).isTrue();
    Verification different = said(velero.verifyRestoredCanary(backup, "another-value"));
    assertThat(different.ok()).isFalse();
    assertThat(different.evidence()).contains(r.scratchNamespace() + "/" + r.canaryConfigMap()).contains("different value");

    assertThat(velero.lastRehearsal(backup)).isNull();
    Rehearsal passed = new Rehearsal(backupName, "2025-01-02T03:04:05Z");
    assertThat(said(velero.recordRehearsal(backup, passed)).change()).isEqualTo(Change.CREATED);
    assertThat(said(velero.recordRehearsal(backup, passed)).change()).isEqualTo(Change.UNCHANGED);
    assertThat(velero.lastRehearsal(backup)).isEqualTo(passed);

    Changed.Result cleaned = said(velero.cleanUpRehearsal(backup, backupName, restoreName));
    assertThat(cleaned.change()).isEqualTo(Change.DELETED);
    assertThat(cleaned.summary()).contains("Restore " + ns + "/" + restoreName).contains("namespace " + r.canaryNamespace())
        .contains("namespace " + r.scratchNamespace()).contains("Backup " + ns + "/" + backupName);
    assertThat(k8s.namespaces().withName(r.canaryNamespace()).get()).isNull();
    assertThat(k8s.namespaces().withName(r.scratchNamespace()).get()).isNull();
    assertThat(get(SandboxResources.BACKUP, backupName)).isNull();
    assertThat(get(SandboxResources.RESTORE, restoreName)).isNull();
    assertThat((Map<String, Object>) get(SandboxResources.DELETE_BACKUP_REQUEST, backupName).get("spec"))
        .containsEntry("backupName", backupName);
    assertThat(said(velero.cleanUpRehearsal(backup, backupName, restoreName)).change()).isEqualTo(Change.UNCHANGED);
  }

  @Test
  void failed_backups_fail_without_retry_with_counts_and_reason_and_a_retry_replaces_them() {
    sandbox.objectStore().createBucket(backup.bucket());
    try {
      annotateLocation("PartiallyFailed");
      velero.ensureBackup(backup, "backup-pf");
      ApplicationFailure partial = failure(() -> velero.waitForBackup(backup, "backup-pf"));
      assertThat(partial.isNonRetryable()).isTrue();
      assertThat(partial.getOriginalMessage()).isEqualTo("Backup " + ns + "/backup-pf ended PartiallyFailed: 2 errors, 1 warning; "
          + "inspect it with `velero backup describe backup-pf --details` then retry");

      annotateLocation("Failed");
      velero.ensureBackup(backup, "backup-f");
      ApplicationFailure failed = failure(() -> velero.waitForBackup(backup, "backup-f"));
      assertThat(failed.isNonRetryable()).isTrue();
      assertThat(failed.getOriginalMessage()).isEqualTo("Backup " + ns + "/backup-f ended Failed: 0 errors, 0 warnings; reason: "
          + "simulated by the sandbox (sandbox.254carbon.io/simulate): the object store rejected the upload of the backup tarball; "
          + "inspect it with `velero backup describe backup-f --details` then retry");

      annotateLocation("FailedValidation");
      velero.ensureBackup(backup, "backup-fv");
      assertThat(failure(() -> velero.waitForBackup(backup, "backup-fv")).getOriginalMessage())
          .startsWith("Backup " + ns + "/backup-fv ended FailedValidation: 0 errors, 0 warnings; validation errors: simulated");
    } finally {
      annotateLocation(null);
    }
    // The operator's RETRY: the failed Backup is replaced by a new one of the same name.
    Changed.Result replaced = said(velero.ensureBackup(backup, "backup-pf"));
    assertThat(replaced.change()).isEqualTo(Change.UPDATED);
    assertThat(replaced.summary()).contains("replaced").contains("PartiallyFailed");
    assertThat(said(velero.waitForBackup(backup, "backup-pf")).phase()).isEqualTo("Completed");
    assertThat(said(velero.ensureBackup(backup, "backup-pf")).change()).isEqualTo(Change.UNCHANGED);

    // A restore that fails says so too.
    velero.ensureRestore(backup, "restore-of-missing", "no-such-backup");
    assertThat(failure(() -> velero.waitForRestore(backup, "restore-of-missing")).getOriginalMessage())
        .startsWith("Restore " + ns + "/restore-of-missing ended FailedValidation")
        .contains("no-such-backup").endsWith("inspect it with `velero restore describe restore-of-missing --details` then retry");
  }

  @Test
  void schedules_are_created_once_enabled_and_unpaused_when_paused() {
    List<PlanItem> plan = said(velero.planSchedules(backup));
    assertThat(plan).extracting(PlanItem::target)
        .containsExactly(ns + "/daily-backup", ns + "/critical-backup", ns + "/postgres-backup");
    assertThat(plan).extracting(PlanItem::action).containsOnly(PlanItem.Action.CREATE);
    assertThat(plan.get(0).detail()).contains("\"0 2 * * *\"").contains("ttl 720h");

    assertThat(said(velero.ensureSchedules(backup)).change()).isEqualTo(Change.CREATED);
    assertThat(said(velero.ensureSchedules(backup)).change()).isEqualTo(Change.UNCHANGED);
    assertThat(said(velero.planSchedules(backup))).extracting(PlanItem::action).containsOnly(PlanItem.Action.KEEP);
    Map<String, Object> spec = get(SandboxResources.SCHEDULE, "postgres-backup").get("spec");
    assertThat(spec).containsEntry("schedule", "0 3 * * *").containsEntry("paused", false)
        .containsEntry("template", Map.of("includedNamespaces", List.of("data-platform"),
            "labelSelector", Map.of("matchLabels", Map.of("app", "postgres-shared")), "ttl", "168h"));

    Verification enabled = said(velero.waitForSchedules(backup));
    assertThat(enabled.ok()).as(enabled.evidence()).isTrue();

    // Paused by hand (another field manager): reported, then unpaused when forced.
    k8s.genericKubernetesResources(SandboxResources.SCHEDULE).inNamespace(ns).withName("daily-backup")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"paused\":true}}");
    PlanItem paused = said(velero.planSchedules(backup)).get(0);
    assertThat(paused.action()).isEqualTo(PlanItem.Action.UPDATE);
    assertThat(paused.detail()).contains("spec.paused");
    assertThat(failure(() -> velero.ensureSchedules(backup)).getOriginalMessage()).contains(".spec.paused (manager ");
    assertThat(said(forcing().ensureSchedules(backup)).change()).isEqualTo(Change.UPDATED);
    assertThat((Map<String, Object>) get(SandboxResources.SCHEDULE, "daily-backup").get("spec")).containsEntry("paused", false);
  }

  // ------------------------------------------------------------------ helpers

  /** The adapter made with a helper that takes over fields of other managers (the force option). */
  private VeleroActivities forcing() {
    if (forcingEnv == null) {
      forcingEnv = TestActivityEnvironment.newInstance();
      forcingEnv.registerActivitiesImplementations(new KubernetesVelero(new KubernetesApi(k8s, KubernetesApi.Conflicts.FORCE),
          new Secrets(name -> null, k8s), Duration.ofMillis(100)));
    }
    return forcingEnv.newActivityStub(VeleroActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());
  }

  private static void annotateLocation(String scenario) {
    String value = scenario == null ? "null" : "\"" + scenario + "\"";
    k8s.genericKubernetesResources(SandboxResources.BACKUP_STORAGE_LOCATION).inNamespace(ns)
        .withName(backup.storageLocation().name())
        .patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"" + VeleroSimulator.SIMULATE + "\":" + value + "}}}");
  }

  private static GenericKubernetesResource get(ResourceDefinitionContext ctx, String name) {
    return k8s.genericKubernetesResources(ctx).inNamespace(ns).withName(name).get();
  }

  private <T> T said(T result) {
    said.add(String.valueOf(result));
    return result;
  }

  private ApplicationFailure failure(Runnable call) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call::run);
    assertThat(thrown).isInstanceOf(ActivityFailure.class);
    assertThat(thrown.getCause()).isInstanceOf(ApplicationFailure.class);
    ApplicationFailure failure = (ApplicationFailure) thrown.getCause();
    said.add(failure.getOriginalMessage());
    return failure;
  }
}
