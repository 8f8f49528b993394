package io.carbon254.runbook.engine;

import static io.carbon254.runbook.engine.RunbookTesting.approve;
import static io.carbon254.runbook.engine.RunbookTesting.assertRefused;
import static io.carbon254.runbook.engine.RunbookTesting.awaitGate;
import static io.carbon254.runbook.engine.RunbookTesting.awaitStatus;
import static io.carbon254.runbook.engine.RunbookTesting.failure;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.Approvals;
import io.carbon254.runbook.config.GatePolicy;
import io.carbon254.runbook.config.Identity;
import io.carbon254.runbook.config.Notifications;
import io.carbon254.runbook.config.Operators;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.OperatorAction.Action;
import io.carbon254.runbook.trust.SignedMessages;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The approval-bypass suite, workflow side. The attacker can reach the Temporal frontend — start
 * workflows, send signals and updates with any payload — and holds one allowed signer's key at
 * most (or none). The worker's configuration: two of the admins approve a plan, never its
 * initiator; on-call answers failed steps. Every attempt is refused with its reason, and the drill's
 * world shows that nothing was applied.
 */
class ApprovalBypassTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = RunbookTesting.extension(DrillWorkflowImpl.class);

  /** The worker's own configuration of the platform. */
  static final PlatformConfig PLATFORM = TestKeys.signedBy(PlatformConfig.of("drillplat", new Approvals(
      Map.of("admins", List.of("alice", "bob", "carol"), "oncall", List.of("dave", "erin")),
      new GatePolicy(1, List.of("group:admins", "group:oncall"), false, null, null, null),
      Map.of("approve-plan", new GatePolicy(2, List.of("group:admins"), true, null, null, null)),
      Identity.SIGNED, List.of(), new Operators(List.of("group:oncall"), Map.of())), Notifications.none()));

  private final DrillWorld world = new DrillWorld();
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RunbookTesting.Started started = RunbookTesting.startWorker(env, worker, client, world, new RecordingNotifier());
    TestPlatforms.serve(PLATFORM);
    this.env = env;
    this.client = started.client();
    this.taskQueue = started.taskQueue();
  }

  @Test
  void oneKeyIsOnePersonWhateverNameItTypes() {
    // alice starts the run calling herself "ghost", then approves the plan as "bob" and "Carol ".
    DrillWorkflow drill = startSignedBy("alice", "ghost", Map.of());
    GateView gate = awaitGate(drill, "approve-plan");
    assertThat(drill.status().initiator()).as("the key says who started it").isEqualTo("alice");

    assertRefused(() -> drill.decide(signedBy("alice", drill, approval(gate, "bob"))),
        "alice started this run and may not approve it: gate approve-plan #1 needs four eyes");
    assertRefused(() -> drill.decide(signedBy("alice", drill, approval(gate, "Carol "))),
        "alice started this run and may not approve it");

    // bob approves once; his key under another spelling of his name does not count twice.
    drill.decide(signedBy("bob", drill, approval(gate, "bob")));
    assertRefused(() -> drill.decide(signedBy("bob", drill, approval(gate, "BOB "))),
        "bob has already approved gate approve-plan #1 (1 of 2 approvals)");

    assertThat(drill.status().openGate().approvals()).isEqualTo(1);
    assertThat(world.things).as("nothing applied").isEmpty();
  }

  @Test
  void aRunStartedWithoutAnAllowedSignersSignatureDoesNotStart() {
    DrillWorkflow ghost = startSignedBy("ghost", "ghost", Map.of());
    assertThat(failure(ghost).getOriginalMessage())
        .startsWith("the run cannot start: its start is not signed by an allowed signer of drillplat: the key")
        .contains("is not an allowed signer of this platform");

    DrillWorkflow unsigned = startUnsigned(new RunbookRequest("drillplat", Mode.APPLY, "alice", Map.of()));
    assertThat(failure(unsigned).getOriginalMessage())
        .contains("the decision is not signed: this platform takes signed decisions only");
    assertThat(world.things).isEmpty();
  }

  @Test
  void anotherPersonsNameOnOnesOwnKeyIsRefused() {
    DrillWorkflow drill = startSignedBy("alice", "alice", Map.of());
    GateView gate = awaitGate(drill, "approve-plan");

    assertRefused(() -> drill.decide(signedBy("mallory", drill, approval(gate, "bob"))),
        "is not an allowed signer of this platform");
    assertRefused(() -> drill.decide(approval(gate, "bob")),
        "the decision is not signed: this platform takes signed decisions only");
    // A signal is refused the same way, and only noted.
    drill.approve(signedBy("mallory", drill, approval(gate, "carol")));
    awaitStatus(drill, "the refused signal to be noted", s -> s.notes().stream().anyMatch(n -> n.contains(
        "is not an allowed signer of this platform")));

    assertThat(drill.status().openGate().approvals()).isZero();
    assertThat(world.things).isEmpty();
  }

  @Test
  void aSignatureCountsOnlyForTheRunGateInstanceAndTimeItWasMadeFor() {
    DrillWorkflow first = startSignedBy("alice", "alice", Map.of());
    GateView gate = awaitGate(first, "approve-plan");
    Decision bobsApproval = signedBy("bob", first, approval(gate, "bob"));

    // Another gate of the same run.
    Decision asGoLive = new Decision("approve-go-live", 1, Verdict.APPROVE, "bob", null, null, bobsApproval.signature(),
        bobsApproval.expires());
    assertRefused(() -> first.decide(asGoLive), "gate 'approve-go-live' has not opened in this run");

    // Expired, or valid for longer than a decision may be.
    Instant now = Instant.ofEpochMilli(env.currentTimeMillis());
    assertRefused(() -> first.decide(signedBy("bob", first, approval(gate, "bob"), now.minusSeconds(60))),
        "the signature expired at");
    assertRefused(() -> first.decide(signedBy("bob", first, approval(gate, "bob"), now.plus(Duration.ofDays(2)))),
        "longer than the 24 h a decision may be");

    // A signature whose message is altered (another expiry than the one signed).
    Decision altered = new Decision(gate.gate(), 1, Verdict.APPROVE, "bob", null, gate.planHash(),
        bobsApproval.signature(), now.plus(Duration.ofMinutes(5)).toString());
    assertRefused(() -> first.decide(altered), "does not match this decision");

    // Another run of the same runbook: the signature names the first run.
    WorkflowStub.fromTyped(first).terminate("a test ends the first run");
    DrillWorkflow second = startSignedBy("alice", "alice", Map.of());
    GateView secondGate = awaitGate(second, "approve-plan");
    assertThat(secondGate.planHash()).as("the same plan is shown").isEqualTo(gate.planHash());
    assertRefused(() -> second.decide(bobsApproval), "does not match this decision: it was made for another run");

    assertThat(second.status().openGate().approvals()).isZero();
    assertThat(world.things).isEmpty();
  }

  @Test
  void aPlanThatChangedAfterItWasShownNeedsSignaturesOverTheNewOne() {
    DrillWorkflow drill = startSignedBy("alice", "alice", Map.of());
    GateView shown = awaitGate(drill, "approve-plan");

    // A signature over another prompt than the one shown (a tampered plan) does not count.
    String expires = TestKeys.tenMinutesAfter(shown.openedAt());
    RunbookStatus status = drill.status();
    Decision overAnotherPlan = approval(shown, "bob").signed(TestKeys.sign("bob", "drillplat",
        SignedMessages.decision(status.namespace(), status.workflowId(), status.chainRunId(), shown.gate(),
            shown.instance(), "APPROVE", SignedMessages.sha256(shown.prompt() + "\n- DELETE Thing gamma"), expires),
        expires));
    assertRefused(() -> drill.decide(overAnotherPlan), "does not match this decision");

    // bob and carol approve what they saw; the platform drifts before the apply: the gate opens again.
    Decision bobs = signedBy("bob", drill, approval(shown, "bob"));
    drill.decide(bobs);
    world.extraPlanItems.add("gamma");
    drill.decide(signedBy("carol", drill, approval(shown, "carol")));
    GateView reopened = awaitGate(drill, "approve-plan", 2);
    assertThat(reopened.planHash()).isNotEqualTo(shown.planHash());

    Decision bobsAgain = new Decision(reopened.gate(), 2, Verdict.APPROVE, "bob", null, reopened.planHash(),
        bobs.signature(), bobs.expires());
    assertRefused(() -> drill.decide(bobsAgain), "does not match this decision");
    assertThat(world.things).as("nothing applied on the old approvals").isEmpty();

    approve(drill, "approve-plan", "bob", "carol");
    approve(drill, "approve-go-live", "dave");
    assertThat(result(drill).outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(world.things).containsExactly("alpha", "beta");
  }

  @Test
  void skippingAFailedVerificationNeedsAnOperatorAndAnotherPersonsApproval() {
    world.broken.add("beta");
    DrillWorkflow drill = startSignedBy("alice", "alice", Map.of("verify-live", "true"));
    approve(drill, "approve-plan", "bob", "carol");
    approve(drill, "approve-go-live", "dave");
    awaitStatus(drill, "verify-live to wait for an operator",
        s -> s.operatorWaits().stream().anyMatch(w -> w.step().equals("verify-live")));

    // alice is an admin, not an operator of this platform.
    assertRefused(() -> RunbookTesting.operate(drill, new OperatorAction("verify-live", Action.SKIP, "alice", "it is fine")),
        "alice may not answer step verify-live (its operators: dave, erin)");

    // dave may ask to skip it, but a failed verification is skipped only on another person's approval.
    RunbookTesting.operate(drill, new OperatorAction("verify-live", Action.SKIP, "dave", "beta is being replaced"));
    GateView skip = awaitGate(drill, "skip-verify-live");
    assertThat(skip.prompt()).contains("dave asks to skip it", "no answer from beta", "never as passed");
    assertRefused(() -> drill.decide(signedBy("dave", drill, approval(skip, "dave"))),
        "dave asked for gate skip-verify-live #1 and may not approve it: it needs another person");
    approve(drill, "skip-verify-live", "erin");

    RunbookResult result = result(drill);
    assertThat(result.step("verify-live").state()).as("skipped, never passed").isEqualTo(StepState.SKIPPED);
    assertThat(result.step("verify-live").summary()).isEqualTo("skipped by dave: beta is being replaced");
  }

  @Test
  void aHandStartedRunWithACraftedPlatformRunsOnTheWorkersOwn() {
    // The starter's copy says anyone approves with a typed name: the worker's configuration decides.
    PlatformConfig crafted = PlatformConfig.of("drillplat", Approvals.anyone(), Notifications.none());
    RunbookRequest request = new RunbookRequest("drillplat", Mode.APPLY, "alice", Map.of(), null, crafted);
    String expires = Instant.ofEpochMilli(env.currentTimeMillis()).plus(Duration.ofMinutes(10)).toString();
    RunbookRequest signed = request.signed(TestKeys.sign("alice", "drillplat", RunbookLauncher.startMessage(client,
        "drill", request, expires), expires));
    DrillWorkflow drill = startUnsigned(signed);

    GateView gate = awaitGate(drill, "approve-plan");
    RunbookStatus status = drill.status();
    assertThat(status.identity()).isEqualTo("SIGNED");
    assertThat(gate.requiredApprovals()).isEqualTo(2);
    assertRefused(() -> drill.decide(approval(gate, "anyone")), "the decision is not signed");
    assertThat(world.things).isEmpty();
  }

  @Test
  void refusedSignalsNeverPushTheRunsOwnNotesOut() {
    DrillWorkflow drill = startSignedBy("alice", "alice", Map.of());
    GateView gate = awaitGate(drill, "approve-plan");
    // An early decision for a later gate is kept and noted: the run's own record.
    drill.approve(Decision.approve("approve-go-live", 1, "dave", null));
    awaitStatus(drill, "the early decision to be noted", s -> s.notes().stream().anyMatch(n -> n.contains("kept approve by dave")));

    Decision forged = signedBy("mallory", drill, approval(gate, "bob"));
    for (int i = 0; i < 120; i++) {
      drill.approve(forged);
    }
    RunbookStatus status = awaitStatus(drill, "every refused signal to be counted",
        s -> s.notes().stream().anyMatch(n -> n.startsWith("100 more refused signal(s) not noted")));
    assertThat(status.notes()).anyMatch(n -> n.contains("kept approve by dave for gate approve-go-live #1"));
    assertThat(status.notes()).filteredOn(n -> n.contains("ignored approve signal")).hasSize(20);
    assertThat(status.openGate().approvals()).isZero();
  }

  // ---------------------------------------------------------------------------------------------

  private DrillWorkflow startSignedBy(String signer, String initiator, Map<String, String> options) {
    RunbookRequest request = new RunbookRequest("drillplat", Mode.APPLY, initiator, options);
    String expires = Instant.ofEpochMilli(env.currentTimeMillis()).plus(Duration.ofMinutes(10)).toString();
    RunbookLauncher.startSigned(client, "drill", "DrillWorkflow", request, taskQueue, expires,
        message -> TestKeys.sign(signer, "drillplat", message, expires));
    return client.newWorkflowStub(DrillWorkflow.class, RunbookLauncher.workflowId("drillplat", "drill"));
  }

  /** A start straight through the client, as anyone with the frontend can make it. */
  private DrillWorkflow startUnsigned(RunbookRequest request) {
    DrillWorkflow stub = client.newWorkflowStub(DrillWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(RunbookLauncher.workflowId("drillplat", "drill")).setTaskQueue(taskQueue).build());
    WorkflowClient.start(stub::run, request);
    return stub;
  }

  private static Decision approval(GateView gate, String actor) {
    return Decision.approve(gate.gate(), gate.instance(), actor, gate.planHash());
  }

  /** {@code d} signed with {@code signer}'s key over exactly the open gate of {@code run}. */
  private Decision signedBy(String signer, DrillWorkflow run, Decision d) {
    RunbookStatus status = run.status();
    return signedBy(signer, run, d, Instant.parse(TestKeys.tenMinutesAfter(status.openGate().openedAt())));
  }

  private Decision signedBy(String signer, DrillWorkflow run, Decision d, Instant expiry) {
    RunbookStatus status = run.status();
    String expires = expiry.toString();
    return d.signed(TestKeys.sign(signer, status.platform(), SignedMessages.decision(status.namespace(),
        status.workflowId(), status.chainRunId(), d.gate(), d.instance(), d.verdict().name(),
        status.openGate().shownHash(), expires), expires));
  }
}
