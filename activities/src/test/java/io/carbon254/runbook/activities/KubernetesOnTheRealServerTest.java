package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.mirror.WorkloadSwitch;
import io.carbon254.runbook.sandbox.KubernetesMode;
import io.carbon254.runbook.sandbox.Sandbox;
import io.carbon254.runbook.sandbox.SandboxResources;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What only a real API server shows, through the one Kubernetes helper and the adapters: schema
 * validation by the operators' CRDs, namespace deletion and garbage collection by the controller
 * manager, and RBAC for the worker's ServiceAccount ({@code deploy/rbac.yaml}, token from the
 * TokenRequest API). One sandbox for the class.
 */
class KubernetesOnTheRealServerTest {

  private static final PlatformConfig CONFIG = ConfigLoader.loadDefault();
  private static Sandbox sandbox;
  private static KubernetesClient admin;
  private static KubernetesClient worker;

  @BeforeAll
  static void start() {
    sandbox = Sandbox.builder(CONFIG).kubernetes(KubernetesMode.REAL).start();
    admin = sandbox.kubernetesClient();
    worker = new KubernetesClientBuilder().withConfig(sandbox.endpoints().kubernetesConfig()).build();
  }

  @AfterAll
  static void stop() {
    worker.close();
    sandbox.close();
  }

  @Test
  void a_velero_object_that_violates_its_crd_schema_is_refused_with_the_servers_message() {
    KubernetesApi kube = new KubernetesApi(admin);
    GenericKubernetesResource location = storageLocation("schema-test", Map.of("provider", "aws", "accessMode", "WriteOnly",
        "objectStorage", Map.of("bucket", "b")));

    ApplicationFailure invalid = catchThrowableOfType(ApplicationFailure.class,
        () -> kube.apply(SandboxResources.BACKUP_STORAGE_LOCATION, location));

    assertThat(invalid.isNonRetryable()).isTrue();
    assertThat(invalid.getType()).isEqualTo("KubernetesInvalid");
    assertThat(invalid.getOriginalMessage()).contains("refused BackupStorageLocation velero/schema-test as invalid (422)")
        .contains("spec.accessMode: Unsupported value: \"WriteOnly\": supported values: \"ReadOnly\", \"ReadWrite\"");

    // A misspelt field is refused too, not silently dropped (the API server says 500 for it; not retried).
    GenericKubernetesResource typo = storageLocation("typo-test", Map.of("provider", "aws", "objectStorage",
        Map.of("bucket", "b"), "defualt", true));
    ApplicationFailure misspelt = catchThrowableOfType(ApplicationFailure.class,
        () -> kube.apply(SandboxResources.BACKUP_STORAGE_LOCATION, typo));
    assertThat(misspelt.isNonRetryable()).isTrue();
    assertThat(misspelt.getOriginalMessage()).contains(".spec.defualt: field not declared in schema");
    assertThat(kube.get(SandboxResources.BACKUP_STORAGE_LOCATION, "velero", "typo-test")).isNull();
  }

  @Test
  void an_update_is_written_over_a_controllers_status_write_but_never_over_anothers_spec_change() {
    KubernetesApi kube = new KubernetesApi(admin);
    var deployments = admin.apps().deployments().inNamespace("data-platform");
    deployments.resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
        .withNewMetadata().withName("conflict-test").withNamespace("data-platform").endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "conflict-test").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "conflict-test").endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("busybox:latest").endContainer().endSpec().endTemplate()
        .endSpec().build()).create();

    // Read, then a controller writes the status (the real deployment controller does too): a 409 for the read copy.
    var read = deployments.withName("conflict-test").get();
    writeStatus(deployments, "conflict-test");
    read.getSpec().setReplicas(3);
    read.getMetadata().setAnnotations(Map.of("runbook.254carbon.io/note", "mine"));
    kube.update(read);

    var written = deployments.withName("conflict-test").get();
    assertThat(written.getSpec().getReplicas()).isEqualTo(3);
    assertThat(written.getMetadata().getAnnotations()).containsEntry("runbook.254carbon.io/note", "mine");
    assertThat(written.getStatus().getConditions()).as("the controller's status stays")
        .anyMatch(c -> "RunbookTest".equals(c.getType()));

    // Someone else changes the spec after our read: that is not overwritten.
    var stale = deployments.withName("conflict-test").get();
    var theirs = deployments.withName("conflict-test").get();
    theirs.getSpec().setReplicas(5);
    deployments.resource(theirs).update();
    stale.getSpec().setReplicas(2);
    ApplicationFailure conflict = catchThrowableOfType(ApplicationFailure.class, () -> kube.update(stale));
    assertThat(conflict.getType()).isEqualTo("KubernetesConflict");
    assertThat(conflict.isNonRetryable()).as("the activity's retry reads and decides again").isFalse();
    assertThat(deployments.withName("conflict-test").get().getSpec().getReplicas()).isEqualTo(5);
    deployments.withName("conflict-test").delete();
  }

  /** A status condition written as a controller writes it: read, change, write; again on a 409. */
  private static void writeStatus(
      io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<io.fabric8.kubernetes.api.model.apps.Deployment,
          io.fabric8.kubernetes.api.model.apps.DeploymentList,
          io.fabric8.kubernetes.client.dsl.RollableScalableResource<io.fabric8.kubernetes.api.model.apps.Deployment>> deployments,
      String name) {
    for (int attempt = 1; ; attempt++) {
      var current = deployments.withName(name).get();
      var status = current.getStatus() == null ? new io.fabric8.kubernetes.api.model.apps.DeploymentStatus() : current.getStatus();
      var conditions = new java.util.ArrayList<>(status.getConditions());
      conditions.add(new io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder().withType("RunbookTest")
          .withStatus("True").build());
      status.setConditions(conditions);
      current.setStatus(status);
      try {
        deployments.resource(current).updateStatus();
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 20) {
          throw e;
        }
      }
    }
  }

  @Test
  void deleting_the_canary_namespace_removes_everything_in_it() {
    Backup backup = CONFIG.backup();
    String canary = backup.rehearsal().canaryNamespace();
    KubernetesVelero velero = new KubernetesVelero(admin, new Secrets(name -> null, admin), Duration.ofMillis(200));
    assertThat(velero.ensureCanary(backup, "value-1").change()).isEqualTo(Change.CREATED);
    // More than the runbook put there: all of it goes with the namespace (the mock kept such objects).
    admin.resource(new SecretBuilder().withNewMetadata().withName("left-behind").withNamespace(canary).endMetadata()
        .addToStringData("k", "v").build()).create();
    admin.resource(new DeploymentBuilder().withNewMetadata().withName("web").withNamespace(canary).endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", "web").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
        .withNewSpec().addNewContainer().withName("web").withImage("nginx:1.25").endContainer().endSpec().endTemplate()
        .endSpec().build()).create();
    admin.pods().inNamespace(canary).withLabel("app", "web").informOnCondition(pods -> !pods.isEmpty())
        .orTimeout(60, TimeUnit.SECONDS).join();

    var cleaned = velero.cleanUpRehearsal(backup, null, null);

    assertThat(cleaned.change()).isEqualTo(Change.DELETED);
    assertThat(cleaned.summary()).contains("namespace " + canary).doesNotContain("still terminating");
    assertThat(admin.namespaces().withName(canary).get()).isNull();
    assertThat(admin.secrets().inNamespace(canary).list().getItems()).isEmpty();
    assertThat(admin.apps().deployments().inNamespace(canary).list().getItems()).isEmpty();
    assertThat(admin.apps().replicaSets().inNamespace(canary).list().getItems()).isEmpty();
    assertThat(admin.pods().inNamespace(canary).list().getItems()).isEmpty();
  }

  @Test
  void deleting_a_deployment_garbage_collects_its_replica_sets_and_pods() {
    var deployment = admin.apps().deployments().inNamespace("data-platform").withName("spark-history");
    assertThat(admin.apps().replicaSets().inNamespace("data-platform").withLabel("app", "spark-history").list().getItems()).isNotEmpty();

    deployment.delete();

    admin.apps().replicaSets().inNamespace("data-platform").withLabel("app", "spark-history")
        .informOnCondition(List::isEmpty).orTimeout(60, TimeUnit.SECONDS).join();
    admin.pods().inNamespace("data-platform").withLabel("app", "spark-history")
        .informOnCondition(List::isEmpty).orTimeout(60, TimeUnit.SECONDS).join();
  }

  @Test
  void the_workers_service_account_may_do_its_job_and_is_refused_a_verb_it_does_not_need() {
    KubernetesWorkloads workloads = new KubernetesWorkloads(worker, Duration.ofMillis(200), Duration.ofSeconds(30));
    // Reading every namespace's workloads is granted (image discovery, platform-check) ...
    assertThat(workloads.discoverImages(List.of(), CONFIG.namespaces()).items()).contains("docker.io/grafana/grafana:10.2.0");

    // ... changing them only in the namespaces it switches to Harbor (data-platform), not in monitoring
    // (where sso-integration may restart Grafana, and nothing else).
    String ksmImage = admin.apps().deployments().inNamespace("monitoring").withName("kube-state-metrics").get()
        .getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    WorkloadSwitch ksm = new WorkloadSwitch("monitoring", "Deployment", "kube-state-metrics", List.of(
        new WorkloadSwitch.ContainerImage("kube-state-metrics", false, ksmImage,
            "harbor.254carbon.local/254carbon/kube-state-metrics/kube-state-metrics:v2.10.1")),
        CONFIG.harbor().pullSecret());
    ApplicationFailure refused = catchThrowableOfType(ApplicationFailure.class, () -> workloads.switchWorkload(ksm));

    assertThat(refused.isNonRetryable()).isTrue();
    assertThat(refused.getType()).isEqualTo("KubernetesForbidden");
    assertThat(refused.getOriginalMessage())
        .contains("forbids the worker to update deployments.apps in namespace monitoring (Deployment monitoring/kube-state-metrics)")
        .contains("User \"system:serviceaccount:runbook:runbook-worker\" cannot update resource \"deployments\"")
        .endsWith("Add the rule {apiGroups: [\"apps\"], resources: [\"deployments\"], verbs: [\"update\"]} to the worker's"
            + " Role in namespace monitoring (deploy/rbac.yaml), then retry.");
    assertThat(admin.apps().deployments().inNamespace("monitoring").withName("kube-state-metrics").get()
        .getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(ksmImage);

    // Nor may it delete what it only reads.
    KubernetesApi kube = new KubernetesApi(worker);
    ApplicationFailure delete = catchThrowableOfType(ApplicationFailure.class, () -> kube.delete(
        io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.fromResourceType(
            io.fabric8.kubernetes.api.model.apps.Deployment.class), "monitoring", "grafana"));
    assertThat(delete.getOriginalMessage()).contains("forbids the worker to delete deployments.apps in namespace monitoring")
        .contains("verbs: [\"delete\"]");
    assertThat(admin.apps().deployments().inNamespace("monitoring").withName("grafana").get()).isNotNull();
  }

  private static GenericKubernetesResource storageLocation(String name, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder().withApiVersion("velero.io/v1").withKind("BackupStorageLocation")
        .withNewMetadata().withName(name).withNamespace("velero").endMetadata()
        .addToAdditionalProperties("spec", spec).build();
  }
}
