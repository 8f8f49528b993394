package io.carbon254.runbook.backup;

import static io.carbon254.runbook.engine.RunbookTesting.approve;
import static io.carbon254.runbook.engine.RunbookTesting.awaitGate;
import static io.carbon254.runbook.engine.RunbookTesting.awaitStatus;
import static io.carbon254.runbook.engine.RunbookTesting.failure;
import static io.carbon254.runbook.engine.RunbookTesting.reject;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.GateView;
import io.carbon254.runbook.engine.Mode;
import io.carbon254.runbook.engine.OperatorAction;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.RecordingNotifier;
import io.carbon254.runbook.engine.RunbookLauncher;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.RunbookTesting;
import io.carbon254.runbook.engine.TestKeys;
import io.carbon254.runbook.engine.StepState;
import io.carbon254.runbook.engine.StepView;
import io.temporal.client.WorkflowClient;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * backup-activation with MinIO and Velero in memory, under the default configuration's approval
 * policy: the plan needs two platform admins other than the initiator (alice); the schedules
 * need one person of on-call or the admins.
 */
class BackupActivationWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = RunbookTesting.extension(BackupActivationWorkflowImpl.class);

  private final BackupWorld world = new BackupWorld();
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
  void anApprovedRunActivatesBackupsAfterARehearsalThatProvesARestore() throws Exception {
    BackupActivationWorkflow run = start(Map.of());

    GateView plan = awaitGate(run, "approve-plan");
    assertThat(plan.prompt()).contains("CREATE Bucket 254carbon-backups", "CREATE BackupStorageLocation velero/default",
        "CREATE Restore", "CREATE Schedule velero/daily-backup — 0 2 * * *, ttl 720h");
    approve(run, "approve-plan", "bob", "carol");
    GateView schedules = awaitGate(run, "activate-schedules");
    assertThat(world.rehearsal).as("the rehearsal passed before the schedules are asked for").isNotNull();
    assertThat(schedules.prompt()).startsWith("Activate the backup schedules? The restore rehearsal passed: "
        + "a backup of the canary was restored and equals the original.");
    assertThat(schedules.prompt()).contains("CREATE Schedule velero/critical-backup — 0 */6 * * *, ttl 168h");
    approve(run, "activate-schedules", "dave");

    RunbookResult result = result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(world.buckets).containsEntry("254carbon-backups", true);
    assertThat(world.storageLocationPhase).isEqualTo("Available");
    assertThat(world.schedules).containsOnlyKeys("daily-backup", "critical-backup", "postgres-backup")
        .containsValues("Enabled");
    assertThat(world.namespaces).as("canary and scratch namespaces are gone").isEmpty();
    assertThat(world.backups).as("the test backup is gone").isEmpty();
    assertThat(result.step("ensure-bucket").change()).isEqualTo(Change.CREATED);
    assertThat(result.step("back-up-canary").summary()).startsWith("Backup backup-canary-");
    assertThat(result.step("verify-restore").summary()).isEqualTo("restored canary value matches");
    assertThat(result.step("clean-up").change()).isEqualTo(Change.DELETED);
    assertThat(result.outputs().get("schedules")).isEqualTo(
        "daily-backup (0 2 * * *, ttl 720h), critical-backup (0 */6 * * *, ttl 168h), postgres-backup (0 3 * * *, ttl 168h)");

    keepHistory("BackupActivationWorkflow-trusted-activated");
  }

  @Test
  void whenTheScheduleGateIsRejectedNothingIsScheduledAndTheRehearsalIsStillCleanedUp() {
    BackupActivationWorkflow run = start(Map.of());
    approve(run, "approve-plan", "bob", "carol");

    reject(run, "activate-schedules", "erin", "not before the storage review on Monday");

    RunbookResult result = result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(world.schedules).isEmpty();
    assertThat(result.step("activate-schedules").summary()).isEqualTo("rejected by erin: not before the storage review on Monday");
    assertThat(result.step("ensure-schedules").state()).isEqualTo(StepState.SKIPPED);
    assertThat(result.step("clean-up").change()).isEqualTo(Change.DELETED);
    assertThat(world.namespaces).isEmpty();
  }

  @Test
  void aPartiallyFailedBackupWaitsForAnOperatorAndRetryMakesANewBackup() {
    world.nextBackupPhases.add("PartiallyFailed");
    BackupActivationWorkflow run = start(Map.of());
    approve(run, "approve-plan", "bob", "carol");

    RunbookStatus failed = awaitStatus(run, "the failed backup", s -> "back-up-canary".equals(s.awaitingOperator()));
    assertThat(failed.lastError()).matches("back-up-canary: WaitForBackup: Backup velero/backup-canary-\\w+ ended "
        + "PartiallyFailed: 2 errors, 1 warning; reason: none \\[BackupFailed]");
    RunbookTesting.operate(run, new OperatorAction("back-up-canary", OperatorAction.Action.RETRY, "erin", "disk freed"));
    approve(run, "activate-schedules", "dave");

    RunbookResult result = result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.step("back-up-canary").attempts()).isEqualTo(2);
    assertThat(world.rehearsal).isNotNull();
  }

  @Test
  void skippingAFailedBackupSkipsTheRestoreAndRecordsNoRehearsal() {
    world.nextBackupPhases.add("Failed");
    BackupActivationWorkflow run = start(Map.of());
    approve(run, "approve-plan", "bob", "carol");
    awaitStatus(run, "the failed backup", s -> "back-up-canary".equals(s.awaitingOperator()));

    RunbookTesting.operate(run, new OperatorAction("back-up-canary", OperatorAction.Action.SKIP, "erin", "Velero upgrade pending"));
    GateView schedules = awaitGate(run, "activate-schedules");
    assertThat(schedules.prompt()).startsWith("Activate the backup schedules? The restore rehearsal did NOT pass: "
        + "step back-up-canary was skipped by erin: Velero upgrade pending.");
    approve(run, "activate-schedules", "dave");

    RunbookResult result = result(run);
    assertThat(result.outputs().get("rehearsal")).isEqualTo(
        "The restore rehearsal did NOT pass: step back-up-canary was skipped by erin: Velero upgrade pending.");
    assertThat(result.step("back-up-canary").state()).isEqualTo(StepState.SKIPPED);
    assertThat(result.step("restore-canary").state()).isEqualTo(StepState.SKIPPED);
    assertThat(result.step("record-rehearsal").state()).isEqualTo(StepState.SKIPPED);
    assertThat(world.rehearsal).isNull();
    assertThat(world.namespaces).as("cleaned up all the same").isEmpty();
  }

  @Test
  void aSkippedVerificationIsNeverDescribedAsAPassedRehearsal() {
    world.restoresLoseData = true;
    BackupActivationWorkflow run = start(Map.of());
    approve(run, "approve-plan", "bob", "carol");
    RunbookStatus failed = awaitStatus(run, "the failed verification", s -> "verify-restore".equals(s.awaitingOperator()));
    assertThat(failed.lastError()).isEqualTo("verify-restore: verification failed: restored canary holds (no data) [VerificationFailed]");

    RunbookTesting.operate(run, new OperatorAction("verify-restore", OperatorAction.Action.SKIP, "erin", "known Velero bug, ticket OPS-12"));

    // A failed verification is not skipped on one person's word: skipping it is a gate, not for erin.
    GateView skip = awaitGate(run, "skip-verify-restore");
    assertThat(skip.prompt()).startsWith("Skip the failed verification **verify-restore**? erin asks to skip it: "
        + "known Velero bug, ticket OPS-12").contains("restored canary holds (no data)");
    RunbookTesting.assertRefused(() -> run.decide(RunbookTesting.signed(run.status(),
        io.carbon254.runbook.engine.Decision.approve("skip-verify-restore", 1, "erin", null))),
        "erin asked for gate skip-verify-restore #1 and may not approve it");
    approve(run, "skip-verify-restore", "dave");

    GateView schedules = awaitGate(run, "activate-schedules");
    assertThat(schedules.prompt()).startsWith("Activate the backup schedules? The restore rehearsal did NOT pass: "
        + "step verify-restore was skipped by erin: known Velero bug, ticket OPS-12.")
        .doesNotContain("passed:");
    reject(run, "activate-schedules", "dave", "not without a rehearsal");
    RunbookResult result = result(run);
    assertThat(result.step("record-rehearsal").state()).isEqualTo(StepState.SKIPPED);
    assertThat(world.rehearsal).as("no rehearsal is recorded as passed").isNull();
    assertThat(result.outputs().get("rehearsal")).contains("did NOT pass", "skipped by erin");
  }

  @Test
  void abortingAFailedBackupCleansUpTheRehearsalButKeepsTheBucket() {
    world.nextBackupPhases.add("Failed");
    BackupActivationWorkflow run = start(Map.of());
    approve(run, "approve-plan", "bob", "carol");
    awaitStatus(run, "the failed backup", s -> "back-up-canary".equals(s.awaitingOperator()));

    RunbookTesting.operate(run, new OperatorAction("back-up-canary", OperatorAction.Action.ABORT, "erin", "MinIO is being replaced"));

    ApplicationFailure failure = failure(run);
    assertThat(failure.getType()).isEqualTo("RunbookAborted");
    assertThat(failure.getOriginalMessage()).isEqualTo(
        "aborted by erin at step back-up-canary: MinIO is being replaced. Compensated, in this order: create-canary");
    assertThat(world.namespaces).isEmpty();
    assertThat(world.backups).isEmpty();
    assertThat(world.buckets).as("a bucket that may hold backups is never deleted by a compensation")
        .containsKey("254carbon-backups");
    assertThat(world.schedules).isEmpty();
  }

  @Test
  void aPlanOnlyRunShowsEveryChangeAndMakesNone() {
    BackupActivationWorkflow run = start(Mode.PLAN, Map.of());

    RunbookResult result = result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.PLANNED);
    assertThat(result.plan().changes()).extracting(PlanItem::kind).containsExactly(
        "Bucket", "Secret", "BackupStorageLocation", "Namespace", "Backup", "Restore", "Rehearsal",
        "Schedule", "Schedule", "Schedule");
    assertThat(world.buckets).isEmpty();
    assertThat(world.credentials).isFalse();
    assertThat(world.namespaces).isEmpty();
  }

  @Test
  void runningAgainOnAnActivatedPlatformChangesNothingAndSaysSo() {
    BackupActivationWorkflow first = start(Map.of());
    approve(first, "approve-plan", "bob", "carol");
    approve(first, "activate-schedules", "dave");
    result(first);

    RunbookResult again = result(start(Map.of()));

    assertThat(again.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(again.step("approve-plan").state()).isEqualTo(StepState.SKIPPED);
    assertThat(again.gates()).as("nothing to approve").isEmpty();
    assertThat(again.steps()).as("read-only steps aside, every step reports UNCHANGED")
        .filteredOn(s -> !List.of("plan", "approve-plan", "plan-schedules", "wait-storage-location").contains(s.id()))
        .extracting(StepView::change).hasSize(11).containsOnly(Change.UNCHANGED);
    assertThat(again.step("back-up-canary").summary()).startsWith("a rehearsal passed on ");
    assertThat(again.summary()).contains("0 step(s) changed");
  }

  // --- runs paused where people answer them: replayed on every build (README, "Replay safety") ---

  @Test
  void aRunPausedAtThePlanGateIsKeptForReplay() throws Exception {
    BackupActivationWorkflow run = start(Map.of());
    awaitGate(run, "approve-plan");
    keepHistory("BackupActivationWorkflow-trusted-paused-at-approve-plan");
  }

  @Test
  void aRunPausedAtTheSchedulesGateIsKeptForReplay() throws Exception {
    BackupActivationWorkflow run = start(Map.of());
    approve(run, "approve-plan", "bob", "carol");
    awaitGate(run, "activate-schedules");
    keepHistory("BackupActivationWorkflow-trusted-paused-at-activate-schedules");
  }

  @Test
  void aRunPausedForAnOperatorIsKeptForReplay() throws Exception {
    world.nextBackupPhases.add("PartiallyFailed");
    BackupActivationWorkflow run = start(Map.of());
    approve(run, "approve-plan", "bob", "carol");
    awaitStatus(run, "the failed backup", s -> "back-up-canary".equals(s.awaitingOperator()));
    keepHistory("BackupActivationWorkflow-trusted-paused-at-operator-back-up-canary");
  }

  private BackupActivationWorkflow start(Map<String, String> options) {
    return start(Mode.APPLY, options);
  }

  private BackupActivationWorkflow start(Mode mode, Map<String, String> options) {
    RunbookTesting.start(client, BackupActivationWorkflow.RUNBOOK, "BackupActivationWorkflow",
        RunbookTesting.request(config, mode, "alice", options), taskQueue);
    return client.newWorkflowStub(BackupActivationWorkflow.class, "254carbon/backup-activation");
  }

  private void keepHistory(String name) throws Exception {
    RunbookTesting.keepHistory(client, "254carbon/backup-activation", BackupActivationWorkflowImpl.class, name);
  }

}
