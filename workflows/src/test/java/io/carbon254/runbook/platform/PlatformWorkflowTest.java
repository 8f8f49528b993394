package io.carbon254.runbook.platform;

import static io.carbon254.runbook.engine.RunbookTesting.approve;
import static io.carbon254.runbook.engine.RunbookTesting.awaitStatus;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.backup.BackupActivationWorkflow;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.ChildView;
import io.carbon254.runbook.engine.DetailsRenderer;
import io.carbon254.runbook.engine.RecordingNotifier;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookSearchAttributes;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.RunbookTesting;
import io.carbon254.runbook.engine.StepState;
import io.carbon254.runbook.engine.TestKeys;
import io.carbon254.runbook.hpa.HpaActivationWorkflow;
import io.carbon254.runbook.mirror.ImageMirrorWorkflow;
import io.carbon254.runbook.platformcheck.PlatformCheckWorkflowImpl;
import io.carbon254.runbook.sso.SsoWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * platform runs the remaining tasks as children between two real platform-checks, on a platform at
 * 85%. This build has no ha-join: the run says so, and what it completes stays ✗.
 */
class PlatformWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = RunbookTesting.extension(PlatformWorkflowImpl.class,
      PlatformCheckWorkflowImpl.class, StandInChildren.ImageMirror.class, StandInChildren.BackupActivation.class,
      StandInChildren.HpaActivation.class, StandInChildren.Sso.class);

  private final PlatformWorld world = new PlatformWorld();
  private final PlatformConfig config = TestKeys.signedBy(ConfigLoader.loadDefault());
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RunbookTesting.Started started = RunbookTesting.startWorker(env, worker, client, world, new RecordingNotifier());
    this.client = started.client();
    this.taskQueue = started.taskQueue();
  }

  @Test
  void theTasksRunInOrderAsChildrenWithTheScoreRisingAsEachFinishes() throws Exception {
    PlatformWorkflow run = start();

    RunbookStatus atSso = awaitChildGate(run, "sso");
    assertThat(atSso.outputs()).containsEntry("score-before", "85%").containsEntry("score", "85%")
        .containsEntry("lacking", "this build has no runbook ha-join: what they complete stays ✗");
    approve(child(SsoWorkflow.class, "sso"), "approve-plan", "bob", "carol");

    RunbookStatus atMirror = awaitChildGate(run, "image-mirror");
    assertThat(atMirror.outputs()).as("live: SSO finished").containsEntry("score", "88%");
    assertThat(atMirror.children()).extracting(ChildView::waitingIn).contains("254carbon/platform/image-mirror");
    assertThat(atMirror.steps()).extracting(s -> s.id()).containsExactly("check-before", "sso", "image-mirror",
        "backup-activation", "ha-join", "hpa-activation", "check-after");
    assertThat(DetailsRenderer.render(atMirror)).as("the Web UI's details").contains(
        "Production readiness **88%** (85% at the start)",
        "- `image-mirror` 254carbon/platform/image-mirror · AWAITING_APPROVAL",
        "waiting: gate approve-plan #1 in 254carbon/platform/image-mirror");
    approve(child(ImageMirrorWorkflow.class, "image-mirror"), "approve-plan", "bob", "carol");

    RunbookStatus atBackup = awaitChildGate(run, "backup-activation");
    assertThat(atBackup.outputs()).as("live: image mirroring finished").containsEntry("score", "91%");
    approve(child(BackupActivationWorkflow.class, "backup-activation"), "approve-plan", "bob", "carol");
    awaitChildGate(run, "hpa-activation");
    approve(child(HpaActivationWorkflow.class, "hpa-activation"), "approve-plan", "bob", "carol");

    RunbookResult result = result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.step("sso").change()).isEqualTo(Change.UPDATED);
    assertThat(result.step("ha-join").state()).isEqualTo(StepState.SKIPPED);
    assertThat(result.step("ha-join").summary()).isEqualTo("this build has no runbook ha-join: Multi-Node HA stays ✗");
    assertThat(result.step("image-mirror").change()).isEqualTo(Change.UPDATED);
    assertThat(result.step("hpa-activation").summary()).startsWith("SUCCEEDED: ");
    assertThat(result.outputs()).containsEntry("score-before", "85%").containsEntry("score", "97%");
    assertThat(result.outputs().get("report-before")).contains("| Image Mirroring | ✗ |");
    assertThat(result.outputs().get("report")).contains("| Image Mirroring | ✓ |", "| Backup Strategy | ✓ |",
        "| HPA Configuration | ✓ |", "| SSO Infrastructure | ✓ |", "| Multi-Node HA | ✗ |", "**Production readiness: 97%**");

    assertThat(client.newUntypedWorkflowStub("254carbon/platform").describe().getTypedSearchAttributes()
        .get(RunbookSearchAttributes.READINESS_SCORE)).as("the score as a search attribute: runbook list shows it").isEqualTo(97L);

    RunbookTesting.keepHistory(client, "254carbon/platform", PlatformWorkflowImpl.class, "PlatformWorkflow-trusted-85-to-97");
  }

  @Test
  void aTaskAlreadyReadyIsNotRunAgainAndTheRunSaysSo() {
    world.done.add("backups");
    world.done.add("image-mirroring");
    PlatformWorkflow run = start();
    awaitChildGate(run, "sso");
    approve(child(SsoWorkflow.class, "sso"), "approve-plan", "bob", "carol");
    awaitChildGate(run, "hpa-activation");
    approve(child(HpaActivationWorkflow.class, "hpa-activation"), "approve-plan", "bob", "carol");

    RunbookResult result = result(run);
    assertThat(result.step("backup-activation").change()).isEqualTo(Change.UNCHANGED);
    assertThat(result.step("backup-activation").summary()).isEqualTo(
        "platform-check found Backup Strategy ✓ already: backup-activation not run");
    assertThat(result.step("image-mirror").change()).isEqualTo(Change.UNCHANGED);
    assertThat(result.outputs()).containsEntry("score-before", "91%").containsEntry("score", "97%");
  }

  private PlatformWorkflow start() {
    RunbookTesting.start(client, PlatformWorkflow.RUNBOOK, "PlatformWorkflow",
        RunbookTesting.request(config, io.carbon254.runbook.engine.Mode.APPLY, "alice", Map.of()), taskQueue);
    return client.newWorkflowStub(PlatformWorkflow.class, "254carbon/platform");
  }

  /** The parent's status once it shows {@code runbook}'s plan gate open in that child. */
  private static RunbookStatus awaitChildGate(PlatformWorkflow run, String runbook) {
    return awaitStatus(run, runbook + "'s plan gate, seen from the parent", s -> s.children().stream()
        .anyMatch(c -> c.runbook().equals(runbook) && "gate approve-plan #1".equals(c.waiting())));
  }

  private <W> W child(Class<W> type, String runbook) {
    return client.newWorkflowStub(type, "254carbon/platform/" + runbook);
  }
}
