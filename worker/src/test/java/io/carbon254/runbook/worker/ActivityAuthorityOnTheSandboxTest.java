package io.carbon254.runbook.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.engine.Authority;
import io.carbon254.runbook.engine.Mode;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.Signature;
import io.carbon254.runbook.engine.TestKeys;
import io.carbon254.runbook.sandbox.KubernetesMode;
import io.carbon254.runbook.trust.SignedMessages;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The approval-bypass suite, activity side: workflow code that is not the engine's (a hand-started
 * workflow on the runbooks' task queue, or one driven by a rogue worker) schedules the backup
 * runbook's {@code ensureBucket} itself, on the sandbox's real S3. The worker runs it only with a
 * signed start by an allowed signer and the plan's signed approvals as its own configuration
 * requires; the bucket shows whether anything was applied.
 */
class ActivityAuthorityOnTheSandboxTest extends OnTheSandbox {

  @RegisterExtension
  static final TestWorkflowExtension temporal = extension(RogueWorkflowImpl.class);

  private static final String WORKFLOW_ID = "254carbon/backup-activation";

  /**
   * What these stories touch is the sandbox's S3 (S3Proxy, real): the rogue workflow never reaches
   * Kubernetes, so the sandbox runs on fabric8's mock, which starts in a fraction of the real
   * control plane's 15 s per story.
   */
  @Override
  KubernetesMode kubernetes() {
    return KubernetesMode.MOCK;
  }

  @Test
  void withoutTheRunsAuthorityNothingIsApplied(TestWorkflowEnvironment env) {
    String outcome = attempt(config.backup().objectStore(), run -> null);

    assertThat(outcome).isEqualTo("activity EnsureBucket of " + WORKFLOW_ID + " refused by this worker: it"
        + " does not come from a runbook run of this engine (it carries no run authority): start runbooks with"
        + " 'runbook start', whose workflows carry it");
    assertThat(bucketExists()).isFalse();
  }

  @Test
  void aSignedStartWithoutTheApprovalsOfItsPlanAppliesNothing(TestWorkflowEnvironment env) {
    // alice holds her own key and the frontend: she signs the start and "approvals" as bob and carol.
    String outcome = attempt(config.backup().objectStore(), run -> forged(env, run, Mode.APPLY, "alice",
        List.of(approval(run, "alice", "bob"), approval(run, "alice", "carol"))));

    assertThat(outcome).contains("its plan is not approved as the worker's policy requires: 2 signed approval(s) of"
        + " gate approve-plan by distinct allowed approvers other than who started it; it carries none (not counted:"
        + " alice started the run; alice started the run)");
    assertThat(bucketExists()).isFalse();
  }

  @Test
  void approvalsMadeForAnotherRunApplyNothing(TestWorkflowEnvironment env) {
    String outcome = attempt(config.backup().objectStore(), run -> forged(env, run, Mode.APPLY, "alice",
        List.of(approval(otherRun(run), "bob", "bob"), approval(otherRun(run), "carol", "carol"))));

    assertThat(outcome).contains("its plan is not approved", "it carries none",
        "does not match this decision: it was made for another run");
    assertThat(bucketExists()).isFalse();
  }

  @Test
  void aStartByAKeyThatIsNotAnAllowedSignersOrToPlanOnlyAppliesNothing(TestWorkflowEnvironment env) {
    assertThat(attempt(config.backup().objectStore(), run -> forged(env, run, Mode.APPLY, "mallory", List.of())))
        .contains("its start is not signed by an allowed signer of 254carbon when it started", "is not an allowed signer");
    assertThat(attempt(config.backup().objectStore(), run -> forged(env, run, Mode.PLAN, "alice", List.of())))
        .contains("the run was started to plan only (mode PLAN): it changes nothing");
    assertThat(bucketExists()).isFalse();
  }

  @Test
  void anEndpointOfTheStartersChoosingNeverReachesAnAdapter(TestWorkflowEnvironment env) {
    Backup.ObjectStore own = config.backup().objectStore();
    Backup.ObjectStore elsewhere = new Backup.ObjectStore("http://127.0.0.1:9/", own.region(), own.accessKey(),
        own.secretKey());

    String outcome = attempt(elsewhere, run -> forged(env, run, Mode.APPLY, "alice",
        List.of(approval(run, "bob", "bob"), approval(run, "carol", "carol"))));

    assertThat(outcome).contains("it was given a ObjectStore that is not this worker's configuration of 254carbon: an"
        + " activity works only with the configuration of the worker that runs it");
  }

  @Test
  void aSignedStartClaimingAnEmptyPlanMayFindTheBucketButNotCreateIt(TestWorkflowEnvironment env) {
    // Nobody approves a plan without changes: the worker lets the activity look, not write.
    String outcome = attempt(config.backup().objectStore(), run -> forged(env, run, Mode.APPLY, "alice", List.of(), false));

    assertThat(outcome).isEqualTo("creating bucket " + config.backup().bucket() + " at "
        + config.backup().objectStore().endpoint() + " refused by this worker: the run's plan had no changes, so nobody"
        + " approved a change: this activity may only find everything in place");
    assertThat(bucketExists()).isFalse();
  }

  @Test
  void theSameCallWithTheStartAndTheApprovalsTheWorkerRequiresApplies(TestWorkflowEnvironment env) {
    // The control: what the refusals above lack is exactly what lets this one through.
    String outcome = attempt(config.backup().objectStore(), run -> forged(env, run, Mode.APPLY, "alice",
        List.of(approval(run, "bob", "bob"), approval(run, "carol", "carol"))));

    assertThat(outcome).isEqualTo("applied");
    assertThat(bucketExists()).isTrue();

    // And a run with nothing to change finds it in place, writing nothing.
    assertThat(attempt(config.backup().objectStore(), run -> forged(env, run, Mode.APPLY, "alice", List.of(), false)))
        .isEqualTo("applied");
  }

  // ---------------------------------------------------------------------------------------------

  private interface Forgery {
    Authority of(WorkflowExecution run);
  }

  /** Starts the rogue workflow, gives it the authority {@code forgery} makes for its run, and returns what happened. */
  private String attempt(Backup.ObjectStore store, Forgery forgery) {
    RogueWorkflow rogue = client.newWorkflowStub(RogueWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(WORKFLOW_ID).setTaskQueue(taskQueue).build());
    WorkflowExecution run = WorkflowClient.start(rogue::run, store, config.backup().bucket());
    rogue.attempt(new RogueWorkflow.Attempt(forgery.of(run)));
    return WorkflowStub.fromTyped(rogue).getResult(String.class);
  }

  private Authority forged(TestWorkflowEnvironment env, WorkflowExecution run, Mode mode, String signer,
      List<Authority.SignedApproval> approvals) {
    return forged(env, run, mode, signer, approvals, true);
  }

  private Authority forged(TestWorkflowEnvironment env, WorkflowExecution run, Mode mode, String signer,
      List<Authority.SignedApproval> approvals, boolean planChanges) {
    String expires = Instant.ofEpochMilli(env.currentTimeMillis()).plus(Duration.ofMinutes(10)).toString();
    RunbookRequest.Origin origin = new RunbookRequest.Origin(WORKFLOW_ID, "backup-activation", mode, Map.of());
    Signature intent = TestKeys.sign(signer, config.name(), SignedMessages.start(namespace(), WORKFLOW_ID,
        "backup-activation", mode.name(), Map.of(), signer, expires), expires);
    return new Authority(config.name(), true, false, namespace(), "backup-activation", WORKFLOW_ID, run.getRunId(),
        origin, signer, intent, planChanges, approvals);
  }

  /** {@code signer}'s approval of plan gate #1 of {@code run}, claiming to be {@code claimed}. */
  private Authority.SignedApproval approval(WorkflowExecution run, String signer, String claimed) {
    String shown = SignedMessages.sha256("the plan as shown");
    String expires = Instant.now().plus(Duration.ofMinutes(10)).toString();
    Signature signature = TestKeys.sign(signer, config.name(), SignedMessages.decision(namespace(), WORKFLOW_ID,
        run.getRunId(), "approve-plan", 1, "APPROVE", shown, expires), expires);
    return new Authority.SignedApproval("approve-plan", 1, shown, claimed, signature.signature(), expires);
  }

  private static WorkflowExecution otherRun(WorkflowExecution run) {
    return run.toBuilder().setRunId("00000000-0000-0000-0000-000000000000").build();
  }

  private String namespace() {
    return client.getOptions().getNamespace();
  }

  private boolean bucketExists() {
    return sandbox.objectStore().bucketExists(config.backup().bucket());
  }
}
