package io.carbon254.runbook.worker;

import static io.carbon254.runbook.engine.RunbookTesting.approve;
import static io.carbon254.runbook.engine.RunbookTesting.awaitGate;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.backup.BackupActivationWorkflow;
import io.carbon254.runbook.backup.BackupActivationWorkflowImpl;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.HistoryScan;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookTesting;
import io.carbon254.runbook.engine.StepView;
import io.carbon254.runbook.platformcheck.PlatformCheckWorkflowImpl;
import io.carbon254.runbook.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.testing.TestWorkflowExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * backup-activation end to end with the real adapters on the sandbox platform: real S3 (S3Proxy
 * behind the MinIO endpoint), Velero driven by the sandbox's simulator, the MinIO credentials
 * planted in the cluster and kept out of every history and log line.
 */
class BackupActivationOnTheSandboxTest extends OnTheSandbox {

  @RegisterExtension
  static final TestWorkflowExtension temporal = extension(BackupActivationWorkflowImpl.class, PlatformCheckWorkflowImpl.class);

  @Test
  void backupsAreActivatedOnTheSandboxAndTheMinioKeysAreInNoHistoryAndNoLog() {
    BackupActivationWorkflow run = start();
    awaitGate(run, "approve-plan");
    approve(run, "approve-plan", "bob", "carol");
    awaitGate(run, "activate-schedules");
    approve(run, "activate-schedules", "dave");

    RunbookResult result = result(run);

    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.gates()).extracting(g -> g.gate()).as("the gates its registration declares, for gate overrides")
        .containsExactlyElementsOf(io.carbon254.runbook.Runbooks.BACKUP_ACTIVATION.gates());
    KubernetesClient kube = sandbox.kubernetesClient();
    assertThat(sandbox.objectStore().bucketExists("254carbon-backups")).isTrue();
    assertThat(phase(kube, "BackupStorageLocation", "default")).isEqualTo("Available");
    for (String schedule : List.of("daily-backup", "critical-backup", "postgres-backup")) {
      assertThat(phase(kube, "Schedule", schedule)).as(schedule).isEqualTo("Enabled");
    }
    assertThat(kube.namespaces().withName("backup-canary").get()).as("canary cleaned up").isNull();
    assertThat(kube.namespaces().withName("restore-test").get()).as("scratch namespace cleaned up").isNull();
    assertThat(kube.secrets().inNamespace("velero").withName("minio-backup-credentials").get()).isNotNull();
    assertThat(result.step("verify-restore").state().name()).isEqualTo("SUCCEEDED");

    String history = HistoryScan.readable(client.fetchHistory("254carbon/backup-activation"));
    assertThat(history).contains("minio-secret").doesNotContain(Sandbox.DEMO_MINIO_SECRET_KEY)
        .doesNotContain(Sandbox.DEMO_MINIO_ACCESS_KEY);
    assertThat(logs.lines()).isNotEmpty()
        .noneMatch(line -> line.contains(Sandbox.DEMO_MINIO_SECRET_KEY) || line.contains(Sandbox.DEMO_MINIO_ACCESS_KEY));

    RunbookResult again = result(start());
    assertThat(again.gates()).isEmpty();
    assertThat(again.steps()).filteredOn(s -> s.change() != null).extracting(StepView::change)
        .containsOnly(Change.UNCHANGED);

    RunbookResult check = platformCheck();
    assertThat(check.outputs()).containsEntry("score", "88%");
    assertThat(check.outputs().get("report")).contains("| Backup Strategy | ✓ |");
  }

  private BackupActivationWorkflow start() {
    return start(BackupActivationWorkflow.RUNBOOK, "BackupActivationWorkflow", BackupActivationWorkflow.class);
  }


  private static String phase(KubernetesClient kube, String kind, String name) {
    GenericKubernetesResource resource = kube.genericKubernetesResources("velero.io/v1", kind)
        .inNamespace("velero").withName(name).get();
    assertThat(resource).as(kind + " velero/" + name).isNotNull();
    Object status = resource.getAdditionalProperties().get("status");
    return status instanceof Map<?, ?> map ? String.valueOf(map.get("phase")) : null;
  }

}
