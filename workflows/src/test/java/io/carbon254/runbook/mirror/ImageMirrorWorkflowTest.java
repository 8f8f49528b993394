package io.carbon254.runbook.mirror;

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
import io.carbon254.runbook.engine.ManualTaskReport;
import io.carbon254.runbook.engine.Mode;
import io.carbon254.runbook.engine.OperatorAction;
import io.carbon254.runbook.engine.RecordingNotifier;
import io.carbon254.runbook.engine.RunbookLauncher;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.RunbookTesting;
import io.carbon254.runbook.engine.TestKeys;
import io.carbon254.runbook.engine.StepState;
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

/** image-mirror with Harbor, registries and workloads in memory, under the default approval policy. */
class ImageMirrorWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = RunbookTesting.extension(ImageMirrorWorkflowImpl.class);

  private final MirrorWorld world = new MirrorWorld();
  private final PlatformConfig config = TestKeys.signedBy(ConfigLoader.loadDefault(), "frank");
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RunbookTesting.Started started = RunbookTesting.startWorker(env, worker, client, world, new RecordingNotifier());
    this.client = started.client();
    this.taskQueue = started.taskQueue();
  }

  @Test
  void everyImageIsMirroredAndTheApprovedWorkloadsPullFromHarborByDigest() throws Exception {
    ImageMirrorWorkflow run = start();

    GateView plan = awaitGate(run, "approve-plan");
    assertThat(plan.prompt()).contains("CREATE Project 254carbon", "CREATE Robot robot$254carbon+docker-mirror-robot",
        "CREATE Image harbor.254carbon.local/254carbon/grafana/grafana@sha256:");
    approve(run, "approve-plan", "bob", "carol");
    GateView switchGate = awaitGate(run, "switch-workloads");
    assertThat(world.harborImages).as("mirrored before anyone is asked to switch").hasSize(35);
    assertThat(switchGate.prompt()).contains(
        "| data-platform/deployment/superset | superset | docker.io/apache/superset:4.0.1 | "
            + "harbor.254carbon.local/254carbon/apache/superset@sha256:");
    approve(run, "switch-workloads", "dave");

    RunbookResult result = result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(world.workloads.get("data-platform/deployment/superset").get("superset"))
        .startsWith("harbor.254carbon.local/254carbon/apache/superset@sha256:");
    assertThat(result.step("mirror-images").summary()).startsWith("35 images: 35 copied");
    assertThat(result.outputs().get("images")).contains("| docker.io/trinodb/trino:424 | sha256:");
    assertThat(result.outputs().get("workloads"))
        .isEqualTo("data-platform/deployment/superset, data-platform/deployment/trino-worker");

    RunbookTesting.keepHistory(client, "254carbon/image-mirror", ImageMirrorWorkflowImpl.class, "ImageMirrorWorkflow-trusted-mirrored");
  }

  @Test
  void missingAdminCredentialsBecomeAManualTaskVerifiedByLoggingIn() {
    world.credentialsReady = false;
    ImageMirrorWorkflow run = start();

    RunbookStatus task = awaitStatus(run, "the manual task", s -> s.openTask() != null);
    assertThat(task.openTask().checklist()).contains(
        "Store the password in secret registry/harbor-admin-credentials#password");
    RunbookTesting.taskDone(run, new ManualTaskReport("harbor-credentials", "frank", null, List.of()));
    awaitStatus(run, "the failed check", s -> s.openTask() != null && s.openTask().lastVerification() != null);
    world.credentialsReady = true;
    RunbookTesting.taskDone(run, new ManualTaskReport("harbor-credentials", "frank", "fixed the password", List.of()));

    awaitGate(run, "approve-plan");
    assertThat(run.status().steps()).filteredOn(s -> s.id().equals("harbor-credentials"))
        .singleElement().satisfies(s -> assertThat(s.state()).isEqualTo(StepState.SUCCEEDED));
  }

  @Test
  void aRolloutThatFailsRollsThatWorkloadBackAndAsksTheOperator() {
    world.brokenRollouts.add("data-platform/deployment/superset");
    ImageMirrorWorkflow run = start();
    approve(run, "approve-plan", "bob", "carol");
    approve(run, "switch-workloads", "dave");

    RunbookStatus failed = awaitStatus(run, "the failed rollout", s -> s.awaitingOperator() != null);
    assertThat(failed.awaitingOperator()).isEqualTo("switch-data-platform-deployment-superset");
    assertThat(failed.lastError()).contains("0 of 1 replicas ready after 5m (ImagePullBackOff)");
    assertThat(world.workloads.get("data-platform/deployment/superset").get("superset"))
        .as("rolled back before the operator is asked").isEqualTo("docker.io/apache/superset:4.0.1");

    RunbookTesting.operate(run, new OperatorAction("switch-data-platform-deployment-superset", OperatorAction.Action.SKIP, "erin",
        "superset pulls need a bigger node; later"));
    // A rollout is a verification: skipping it takes another person's approval.
    approve(run, "skip-switch-data-platform-deployment-superset", "dave");

    RunbookResult result = result(run);
    assertThat(result.outputs().get("workloads")).isEqualTo("data-platform/deployment/trino-worker");
    assertThat(world.workloads.get("data-platform/deployment/trino-worker").get("trino")).contains("@sha256:");
  }

  @Test
  void abortingAfterASwitchRollsEverySwitchedWorkloadBack() {
    world.brokenRollouts.add("data-platform/deployment/trino-worker");
    ImageMirrorWorkflow run = start();
    approve(run, "approve-plan", "bob", "carol");
    approve(run, "switch-workloads", "dave");
    awaitStatus(run, "the failed rollout", s -> s.awaitingOperator() != null);

    RunbookTesting.operate(run, new OperatorAction("switch-data-platform-deployment-trino-worker", OperatorAction.Action.ABORT, "erin",
        "registry outage"));

    ApplicationFailure failure = failure(run);
    assertThat(failure.getOriginalMessage()).endsWith(
        "Compensated, in this order: switch-data-platform-deployment-trino-worker, switch-data-platform-deployment-superset");
    assertThat(world.workloads.get("data-platform/deployment/superset").get("superset")).isEqualTo("docker.io/apache/superset:4.0.1");
    assertThat(world.workloads.get("data-platform/deployment/trino-worker").get("trino")).isEqualTo("docker.io/trinodb/trino:424");
  }

  @Test
  void aRejectedSwitchLeavesTheWorkloadsAloneButTheMirrorInPlace() {
    ImageMirrorWorkflow run = start();
    approve(run, "approve-plan", "bob", "carol");
    reject(run, "switch-workloads", "dave", "switch during the Thursday window");

    RunbookResult result = result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(world.harborImages).hasSize(35);
    assertThat(world.workloads.get("data-platform/deployment/superset").get("superset")).isEqualTo("docker.io/apache/superset:4.0.1");
  }

  @Test
  void aPlanOnlyRunCopiesNothing() {
    RunbookTesting.start(client, ImageMirrorWorkflow.RUNBOOK, "ImageMirrorWorkflow",
        RunbookTesting.request(config, Mode.PLAN, "alice", Map.of()), taskQueue);
    RunbookResult result = result(client.newWorkflowStub(ImageMirrorWorkflow.class, "254carbon/image-mirror"));

    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.PLANNED);
    assertThat(result.plan().changes()).hasSize(2 + 35);
    assertThat(world.harborImages).isEmpty();
    assertThat(world.project).isFalse();
  }

  @Test
  void runningAgainAfterTheSwitchChangesNothing() {
    ImageMirrorWorkflow first = start();
    approve(first, "approve-plan", "bob", "carol");
    approve(first, "switch-workloads", "dave");
    result(first);

    RunbookResult again = result(start());

    assertThat(again.gates()).isEmpty();
    assertThat(again.step("mirror-images").change()).isEqualTo(Change.UNCHANGED);
    assertThat(again.step("switch-workloads").summary()).isEqualTo("every workload already pulls from Harbor");
  }

  // --- runs paused where people answer them: replayed on every build (README, "Replay safety") ---

  @Test
  void aRunPausedAtTheCredentialsTaskIsKeptForReplay() throws Exception {
    world.credentialsReady = false;
    ImageMirrorWorkflow run = start();
    awaitStatus(run, "the manual task", s -> s.openTask() != null);
    keepHistory("ImageMirrorWorkflow-trusted-paused-at-harbor-credentials");
  }

  @Test
  void aRunPausedAtThePlanGateIsKeptForReplay() throws Exception {
    ImageMirrorWorkflow run = start();
    awaitGate(run, "approve-plan");
    keepHistory("ImageMirrorWorkflow-trusted-paused-at-approve-plan");
  }

  @Test
  void aRunPausedAtTheSwitchGateIsKeptForReplay() throws Exception {
    ImageMirrorWorkflow run = start();
    approve(run, "approve-plan", "bob", "carol");
    awaitGate(run, "switch-workloads");
    keepHistory("ImageMirrorWorkflow-trusted-paused-at-switch-workloads");
  }

  @Test
  void aRunPausedForAnOperatorIsKeptForReplay() throws Exception {
    world.brokenRollouts.add("data-platform/deployment/superset");
    ImageMirrorWorkflow run = start();
    approve(run, "approve-plan", "bob", "carol");
    approve(run, "switch-workloads", "dave");
    awaitStatus(run, "the failed rollout", s -> s.awaitingOperator() != null);
    keepHistory("ImageMirrorWorkflow-trusted-paused-at-operator-switch");
  }

  private void keepHistory(String name) throws Exception {
    RunbookTesting.keepHistory(client, "254carbon/image-mirror", ImageMirrorWorkflowImpl.class, name);
  }

  private ImageMirrorWorkflow start() {
    RunbookTesting.start(client, ImageMirrorWorkflow.RUNBOOK, "ImageMirrorWorkflow",
        RunbookTesting.apply(config, "alice"), taskQueue);
    return client.newWorkflowStub(ImageMirrorWorkflow.class, "254carbon/image-mirror");
  }
}
