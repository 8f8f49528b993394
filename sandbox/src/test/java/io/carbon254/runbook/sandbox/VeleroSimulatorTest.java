package io.carbon254.runbook.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Velero as the sandbox plays it: storage location validation, backups, restores, schedules, deletion. */
class VeleroSimulatorTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static PlatformConfig config;
  private static Sandbox sandbox;
  private static KubernetesClient k8s;
  private static String ns;

  @BeforeAll
  static void start() {
    config = ConfigLoader.loadDefault();
    sandbox = Sandbox.builder(config).kubernetes(KubernetesMode.REAL).veleroStep(Duration.ofMillis(100)).start();
    k8s = sandbox.kubernetesClient();
    ns = config.backup().veleroNamespace();
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @Test
  void the_storage_location_becomes_available_once_its_bucket_exists_and_a_backup_then_a_restore_complete() throws Exception {
    String bucket = "sim-bucket";
    String bsl = "sim-location";
    create(SandboxResources.BACKUP_STORAGE_LOCATION, bsl, Map.of(),
        Map.of("provider", "aws", "objectStorage", Map.of("bucket", bucket, "prefix", "pfx")));
    Eventually.until(WAIT, () -> "Unavailable".equals(phase(SandboxResources.BACKUP_STORAGE_LOCATION, bsl)));
    assertThat((String) status(SandboxResources.BACKUP_STORAGE_LOCATION, bsl).get("message")).contains("NoSuchBucket");

    sandbox.objectStore().createBucket(bucket);
    Eventually.until(WAIT, () -> "Available".equals(phase(SandboxResources.BACKUP_STORAGE_LOCATION, bsl)));
    assertThat(status(SandboxResources.BACKUP_STORAGE_LOCATION, bsl)).containsKey("lastValidationTime");

    k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("sim-canary").endMetadata().build()).create();
    k8s.configMaps().inNamespace("sim-canary").resource(new ConfigMapBuilder().withNewMetadata().withName("canary")
        .endMetadata().addToData("value", "v-123").build()).create();
    create(SandboxResources.BACKUP, "sim-backup", Map.of(), Map.of("includedNamespaces", List.of("sim-canary"),
        "storageLocation", bsl, "ttl", "24h"));
    Eventually.until(WAIT, () -> "Completed".equals(phase(SandboxResources.BACKUP, "sim-backup")));
    Map<String, Object> backupStatus = status(SandboxResources.BACKUP, "sim-backup");
    assertThat(backupStatus).containsKeys("startTimestamp", "completionTimestamp", "expiration");
    assertThat(((Map<?, ?>) backupStatus.get("progress")).get("itemsBackedUp")).isEqualTo(2);
    assertThat(sandbox.objectStore().objectExists(bucket,
        "pfx/backups/sim-backup/velero-backup.json")).isTrue();

    create(SandboxResources.RESTORE, "sim-restore", Map.of(), Map.of("backupName", "sim-backup",
        "includedNamespaces", List.of("sim-canary"), "namespaceMapping", Map.of("sim-canary", "sim-scratch"),
        "existingResourcePolicy", "update"));
    Eventually.until(WAIT, () -> "Completed".equals(phase(SandboxResources.RESTORE, "sim-restore")));
    assertThat(k8s.namespaces().withName("sim-scratch").get()).isNotNull();
    assertThat(k8s.configMaps().inNamespace("sim-scratch").withName("canary").get().getData()).containsEntry("value", "v-123");

    // A DeleteBackupRequest deletes the backup and its files.
    create(SandboxResources.DELETE_BACKUP_REQUEST, "sim-backup", Map.of(), Map.of("backupName", "sim-backup"));
    Eventually.until(WAIT, () -> get(SandboxResources.BACKUP, "sim-backup") == null);
    Eventually.until(WAIT, () -> "Processed".equals(phase(SandboxResources.DELETE_BACKUP_REQUEST, "sim-backup")));
    assertThat(sandbox.objectStore().objectExists(bucket,
        "pfx/backups/sim-backup/velero-backup.json")).isFalse();
  }

  @Test
  void annotated_backups_end_in_the_simulated_failure_with_counts_and_reason() throws Exception {
    sandbox.objectStore().createBucket(config.backup().bucket());
    Map<String, Object> spec = Map.of("includedNamespaces", List.of("velero"), "storageLocation", "default");
    create(SandboxResources.BACKUP, "sim-partial", Map.of(VeleroSimulator.SIMULATE, "PartiallyFailed"), spec);
    create(SandboxResources.BACKUP, "sim-failed", Map.of(VeleroSimulator.SIMULATE, "Failed"), spec);
    create(SandboxResources.BACKUP, "sim-invalid", Map.of(VeleroSimulator.SIMULATE, "FailedValidation"), spec);

    Eventually.until(WAIT, () -> "PartiallyFailed".equals(phase(SandboxResources.BACKUP, "sim-partial")));
    assertThat(status(SandboxResources.BACKUP, "sim-partial")).containsEntry("errors", 2).containsEntry("warnings", 1);
    Eventually.until(WAIT, () -> "Failed".equals(phase(SandboxResources.BACKUP, "sim-failed")));
    assertThat(status(SandboxResources.BACKUP, "sim-failed")).containsEntry("failureReason", VeleroSimulator.SIMULATED_FAILURE_REASON);
    Eventually.until(WAIT, () -> "FailedValidation".equals(phase(SandboxResources.BACKUP, "sim-invalid")));
    assertThat(status(SandboxResources.BACKUP, "sim-invalid").get("validationErrors"))
        .isEqualTo(List.of(VeleroSimulator.SIMULATED_VALIDATION_ERROR));
  }

  @Test
  void a_location_annotated_unavailable_stays_unavailable_even_with_its_bucket() throws Exception {
    sandbox.objectStore().createBucket("other-bucket");
    create(SandboxResources.BACKUP_STORAGE_LOCATION, "sim-down", Map.of(VeleroSimulator.SIMULATE, "Unavailable"),
        Map.of("provider", "aws", "objectStorage", Map.of("bucket", "other-bucket")));
    create(SandboxResources.BACKUP_STORAGE_LOCATION, "sim-up", Map.of(),
        Map.of("provider", "aws", "objectStorage", Map.of("bucket", "other-bucket")));
    Eventually.until(WAIT, () -> "Available".equals(phase(SandboxResources.BACKUP_STORAGE_LOCATION, "sim-up")));
    Eventually.until(WAIT, () -> "Unavailable".equals(phase(SandboxResources.BACKUP_STORAGE_LOCATION, "sim-down")));
    assertThat((String) status(SandboxResources.BACKUP_STORAGE_LOCATION, "sim-down").get("message")).contains("simulated");
  }

  @Test
  void schedules_are_enabled_or_fail_validation_for_a_bad_cron() throws Exception {
    create(SandboxResources.SCHEDULE, "sim-daily", Map.of(), Map.of("schedule", "0 2 * * *", "paused", true,
        "template", Map.of("includedNamespaces", List.of("data-platform"), "ttl", "720h")));
    create(SandboxResources.SCHEDULE, "sim-bad", Map.of(), Map.of("schedule", "every day",
        "template", Map.of("includedNamespaces", List.of("data-platform"))));
    Eventually.until(WAIT, () -> "Enabled".equals(phase(SandboxResources.SCHEDULE, "sim-daily")));
    Eventually.until(WAIT, () -> "FailedValidation".equals(phase(SandboxResources.SCHEDULE, "sim-bad")));
    assertThat(status(SandboxResources.SCHEDULE, "sim-bad").get("validationErrors").toString()).contains("5 fields");
  }

  private static void create(ResourceDefinitionContext ctx, String name, Map<String, String> annotations, Map<String, Object> spec) {
    GenericKubernetesResource r = new GenericKubernetesResourceBuilder()
        .withApiVersion("velero.io/v1")
        .withKind(ctx.getKind())
        .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).withAnnotations(annotations).build())
        .addToAdditionalProperties("spec", spec)
        .build();
    k8s.genericKubernetesResources(ctx).inNamespace(ns).resource(r).create();
  }

  private static GenericKubernetesResource get(ResourceDefinitionContext ctx, String name) {
    return k8s.genericKubernetesResources(ctx).inNamespace(ns).withName(name).get();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(ResourceDefinitionContext ctx, String name) {
    GenericKubernetesResource r = get(ctx, name);
    Object status = r == null ? null : r.getAdditionalProperties().get("status");
    return status instanceof Map ? (Map<String, Object>) status : Map.of();
  }

  private static String phase(ResourceDefinitionContext ctx, String name) {
    Object phase = status(ctx, name).get("phase");
    return phase == null ? null : phase.toString();
  }
}
