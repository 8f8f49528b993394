package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Desired against actual: what an apply reports as CREATED, UPDATED or UNCHANGED, as plain code. */
class KubernetesDiffTest {

  @Test
  void an_object_holding_every_desired_field_has_no_drift_whatever_else_it_holds() {
    GenericKubernetesResource desired = schedule(Map.of("schedule", "0 2 * * *", "paused", false), Map.of("tier", "gold"));
    GenericKubernetesResource actual = schedule(Map.of("schedule", "0 2 * * *", "paused", "false", "useOwnerReferencesInBackup", true),
        Map.of("tier", "gold", "app.kubernetes.io/managed-by", "Helm"));
    actual.setAdditionalProperty("status", Map.of("phase", "Enabled"));

    assertThat(KubernetesDiff.drift(desired, actual)).isEmpty();
  }

  @Test
  void drift_names_the_paths_that_differ_never_the_values() {
    GenericKubernetesResource desired = schedule(Map.of("schedule", "0 2 * * *", "paused", false,
        "template", Map.of("ttl", "720h", "includedNamespaces", List.of("data-platform"))), Map.of("tier", "gold"));
    GenericKubernetesResource actual = schedule(Map.of("schedule", "0 3 * * *", "paused", true,
        "template", Map.of("ttl", "720h", "includedNamespaces", List.of("data-platform", "monitoring"))), Map.of());

    assertThat(KubernetesDiff.drift(desired, actual))
        .containsExactlyInAnyOrder("metadata.labels.tier", "spec.schedule", "spec.paused", "spec.template.includedNamespaces");
  }

  @Test
  void list_elements_are_whole_values_and_missing_fields_are_drift() {
    GenericKubernetesResource desired = schedule(Map.of("items", List.of(Map.of("name", "a"))), Map.of());
    GenericKubernetesResource extraKey = schedule(Map.of("items", List.of(Map.of("name", "a", "more", 1))), Map.of());
    GenericKubernetesResource missing = schedule(Map.of(), Map.of());

    assertThat(KubernetesDiff.drift(desired, extraKey)).containsExactly("spec.items");
    assertThat(KubernetesDiff.drift(desired, missing)).containsExactly("spec.items");
  }

  @Test
  void status_is_never_desired() {
    GenericKubernetesResource desired = schedule(Map.of("paused", false), Map.of());
    desired.setAdditionalProperty("status", Map.of("phase", "Enabled"));

    assertThat(KubernetesDiff.desiredFields(desired)).containsOnlyKeys("spec");
  }

  private static GenericKubernetesResource schedule(Map<String, Object> spec, Map<String, String> labels) {
    return new GenericKubernetesResourceBuilder().withApiVersion("velero.io/v1").withKind("Schedule")
        .withNewMetadata().withName("daily-backup").withNamespace("velero").withLabels(labels).endMetadata()
        .addToAdditionalProperties("spec", spec).build();
  }
}
