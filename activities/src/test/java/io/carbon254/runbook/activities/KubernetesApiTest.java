package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.activities.KubernetesApi.Call;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.temporal.failure.ApplicationFailure;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** How every adapter classifies what the Kubernetes API answered: plain code, no server. */
class KubernetesApiTest {

  private static final String API = "https://10.0.0.1:6443";
  private static final ResourceDefinitionContext BACKUP = new ResourceDefinitionContext.Builder()
      .withGroup("velero.io").withVersion("v1").withKind("Backup").withPlural("backups").withNamespaced(true).build();

  @Test
  void no_answer_is_retried_and_names_the_api_url_and_what_to_check() {
    KubernetesClientException e = new KubernetesClientException("An error has occurred.",
        new ConnectException("Connection refused"));

    ApplicationFailure f = KubernetesApi.failure(Call.of("create", BACKUP, "velero", "nightly"), e, API);

    assertThat(f.isNonRetryable()).isFalse();
    assertThat(f.getType()).isEqualTo("KubernetesUnreachable");
    assertThat(f.getOriginalMessage()).isEqualTo("Kubernetes API at https://10.0.0.1:6443 unreachable while creating"
        + " Backup velero/nightly (ConnectException: Connection refused). Check the worker's kubeconfig (server, context)"
        + " and the network route to the API server.");
  }

  @Test
  void forbidden_is_not_retried_and_names_verb_resource_namespace_and_the_rule_to_add() {
    KubernetesClientException e = status(403, "Forbidden", "backups.velero.io \"nightly\" is forbidden: User"
        + " \"system:serviceaccount:runbook:runbook-worker\" cannot delete resource \"backups\" in API group \"velero.io\""
        + " in the namespace \"velero\"");

    ApplicationFailure f = KubernetesApi.failure(Call.of("delete", BACKUP, "velero", "nightly"), e, API);

    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getType()).isEqualTo("KubernetesForbidden");
    assertThat(f.getOriginalMessage())
        .startsWith("Kubernetes API at https://10.0.0.1:6443 forbids the worker to delete backups.velero.io in namespace velero"
            + " (Backup velero/nightly): backups.velero.io \"nightly\" is forbidden: User")
        .endsWith("Add the rule {apiGroups: [\"velero.io\"], resources: [\"backups\"], verbs: [\"delete\"]} to the worker's"
            + " Role in namespace velero (deploy/rbac.yaml), then retry.");
  }

  @Test
  void forbidden_cluster_wide_requests_go_to_the_cluster_role() {
    ApplicationFailure namespaces = KubernetesApi.failure(Call.of("create", Namespace.class, null, "backup-canary"),
        status(403, "Forbidden", "namespaces is forbidden"), API);
    assertThat(namespaces.getOriginalMessage()).contains("forbids the worker to create namespaces (cluster-wide)")
        .contains("{apiGroups: [\"\"], resources: [\"namespaces\"], verbs: [\"create\"]} to the worker's ClusterRole");

    ApplicationFailure everywhere = KubernetesApi.failure(Call.list(Deployment.class, null),
        status(403, "Forbidden", "deployments.apps is forbidden"), API);
    assertThat(everywhere.getOriginalMessage()).contains("forbids the worker to list deployments.apps in every namespace")
        .contains("{apiGroups: [\"apps\"], resources: [\"deployments\"], verbs: [\"list\"]} to the worker's ClusterRole");

    ApplicationFailure version = KubernetesApi.failure(Call.nonResource("get", "/version"), status(403, "Forbidden", "forbidden"), API);
    assertThat(version.getOriginalMessage()).contains("{nonResourceURLs: [\"/version\"], verbs: [\"get\"]} to the worker's ClusterRole");

    ApplicationFailure apply = KubernetesApi.failure(Call.of("apply", BACKUP, "velero", "x"), status(403, "Forbidden", "no"), API);
    assertThat(apply.getOriginalMessage()).as("an apply is a patch to RBAC").contains("verbs: [\"patch\"]");
  }

  @Test
  void a_namespace_being_deleted_is_not_rbac_and_is_retried() {
    ApplicationFailure f = KubernetesApi.failure(Call.of("create", BACKUP, "backup-canary", "x"), status(403, "Forbidden",
        "backups.velero.io \"x\" is forbidden: unable to create new content in namespace backup-canary because it is being"
            + " terminated"), API);

    assertThat(f.isNonRetryable()).isFalse();
    assertThat(f.getType()).isEqualTo("KubernetesNamespaceTerminating");
    assertThat(f.getOriginalMessage()).startsWith("Backup backup-canary/x: namespace backup-canary is being deleted");
  }

  @Test
  void unauthorized_is_not_retried_and_asks_for_new_credentials() {
    ApplicationFailure f = KubernetesApi.failure(Call.list(Deployment.class, "data-platform"), status(401, "Unauthorized", "Unauthorized"), API);

    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getType()).isEqualTo("KubernetesUnauthorized");
    assertThat(f.getOriginalMessage()).contains("did not accept the worker's credentials while reading deployments.apps in data-platform");
  }

  @Test
  void not_found_is_not_retried_and_names_the_object_or_the_missing_crd() {
    ApplicationFailure custom = KubernetesApi.failure(Call.of("patch", BACKUP, "velero", "nightly"),
        status(404, "NotFound", "the server could not find the requested resource"), API);
    assertThat(custom.isNonRetryable()).isTrue();
    assertThat(custom.getType()).isEqualTo("KubernetesNotFound");
    assertThat(custom.getOriginalMessage()).contains("while updating Backup velero/nightly")
        .endsWith("Is the CRD backups.velero.io installed (kubectl get crd backups.velero.io)?");

    ApplicationFailure builtIn = KubernetesApi.failure(Call.of("update", Deployment.class, "data-platform", "superset"),
        status(404, "NotFound", "deployments.apps \"superset\" not found"), API);
    assertThat(builtIn.getOriginalMessage()).contains("Deployment data-platform/superset")
        .endsWith("It may have been deleted meanwhile: plan again.");
  }

  @Test
  void conflicts_and_throttling_are_retried_but_an_apply_conflict_with_another_manager_is_reported() {
    ApplicationFailure exists = KubernetesApi.failure(Call.of("create", BACKUP, "velero", "nightly"),
        status(409, "AlreadyExists", "backups.velero.io \"nightly\" already exists"), API);
    assertThat(exists.isNonRetryable()).isFalse();
    assertThat(exists.getType()).isEqualTo("KubernetesConflict");

    ApplicationFailure throttled = KubernetesApi.failure(Call.list(BACKUP, "velero"), status(429, "TooManyRequests", "slow down"), API);
    assertThat(throttled.isNonRetryable()).isFalse();
    assertThat(throttled.getType()).isEqualTo("KubernetesThrottled");

    Status conflict = new StatusBuilder().withCode(409).withReason("Conflict")
        .withMessage("Apply failed with 1 conflict: conflict with \"kubectl-edit\" using velero.io/v1: .spec.paused")
        .withNewDetails().addNewCause().withReason("FieldManagerConflict").withField(".spec.paused")
        .withMessage("conflict with \"kubectl-edit\" using velero.io/v1").endCause().endDetails().build();
    ApplicationFailure apply = KubernetesApi.failure(Call.of("apply", BACKUP, "velero", "daily-backup"),
        new KubernetesClientException(conflict), API);
    assertThat(apply.isNonRetryable()).isTrue();
    assertThat(apply.getType()).isEqualTo("KubernetesApplyConflict");
    assertThat(apply.getOriginalMessage()).startsWith("Backup velero/daily-backup: .spec.paused (manager kubectl-edit) — fields")
        .contains("does not overwrite them");
  }

  @Test
  void invalid_is_not_retried_and_quotes_the_server() {
    ApplicationFailure f = KubernetesApi.failure(Call.of("apply", BACKUP, "velero", "nightly"), status(422, "Invalid",
        "Backup.velero.io \"nightly\" is invalid: spec.ttl: Invalid value: \"integer\": spec.ttl in body must be of type string"), API);

    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getType()).isEqualTo("KubernetesInvalid");
    assertThat(f.getOriginalMessage()).contains("refused Backup velero/nightly as invalid (422): Backup.velero.io \"nightly\""
        + " is invalid: spec.ttl: Invalid value: \"integer\": spec.ttl in body must be of type string");

    assertThat(KubernetesApi.failure(Call.list(BACKUP, "velero"), status(400, "BadRequest", "bad"), API).isNonRetryable()).isTrue();
    ApplicationFailure other = KubernetesApi.failure(Call.of("patch", BACKUP, "velero", "x"), status(415, "UnsupportedMediaType", "no"), API);
    assertThat(other.isNonRetryable()).isTrue();
    assertThat(other.getType()).isEqualTo("KubernetesRejected");
  }

  @Test
  void an_apply_of_a_field_the_schema_does_not_declare_is_invalid_although_the_server_says_500() {
    ApplicationFailure f = KubernetesApi.failure(Call.of("apply", BACKUP, "velero", "x"), status(500, "InternalError",
        "failed to create typed patch object (velero/x; velero.io/v1, Kind=Backup): .spec.ttll: field not declared in schema"), API);

    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getType()).isEqualTo("KubernetesInvalid");
    assertThat(f.getOriginalMessage()).contains(".spec.ttll: field not declared in schema");
  }

  @Test
  void server_errors_are_retried() {
    ApplicationFailure f = KubernetesApi.failure(Call.of("get", BACKUP, "velero", "x"), status(503, "ServiceUnavailable", "etcd down"), API);

    assertThat(f.isNonRetryable()).isFalse();
    assertThat(f.getType()).isEqualTo("KubernetesServerError");
    assertThat(f.getOriginalMessage()).contains("answered 503 while reading Backup velero/x: etcd down. Retried");
  }

  private static KubernetesClientException status(int code, String reason, String message) {
    return new KubernetesClientException(new StatusBuilder().withCode(code).withReason(reason).withMessage(message).build());
  }
}
