package io.carbon254.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static io.carbon254.runbook.engine.RunbookTesting.approve;
import static io.carbon254.runbook.engine.RunbookTesting.assertRefused;
import static io.carbon254.runbook.engine.RunbookTesting.awaitGate;
import static io.carbon254.runbook.engine.RunbookTesting.awaitStatus;
import static io.carbon254.runbook.engine.RunbookTesting.failure;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static io.carbon254.runbook.engine.RunbookTesting.withSearchAttributes;

import io.carbon254.runbook.config.Approvals;
import io.carbon254.runbook.config.GatePolicy;
import io.carbon254.runbook.config.Notifications;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.config.SecretRef;
import io.carbon254.runbook.config.TimeoutOutcome;
import io.carbon254.runbook.engine.OperatorAction.Action;
import io.carbon254.runbook.engine.RunbookResult.Outcome;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runbook engine, told through the drill runbook: plan → approve → create alpha and beta →
 * go-live gate → go live (→ manual task). Every behaviour of DESIGN §2 has a story here; the
 * drill's world and the notifier record what the run did.
 */
class RunbookEngineTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = withSearchAttributes(TestWorkflowExtension.newBuilder())
      .registerWorkflowImplementationTypes(DrillWorkflowImpl.class)
      .setDoNotStart(true)
      .build();

  private final DrillWorld world = new DrillWorld();
  private final RecordingNotifier notifier = new RecordingNotifier();
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    worker.registerActivitiesImplementations(world, notifier, new TestPlatforms());
    env.start();
    this.env = env;
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
  }

  // --- the happy path ---------------------------------------------------------------------------

  @Test
  void approvedPlanAndGateCreateEverythingAndSayWhatChanged() {
    DrillWorkflow drill = start(apply(Approvals.anyone()));

    GateView planGate = awaitGate(drill, "approve-plan");
    assertThat(planGate.prompt()).contains("CREATE Thing alpha", "CREATE Thing beta");
    assertThat(planGate.planHash()).isEqualTo(drill.status().plan().hash());
    assertThat(world.things).as("nothing changes before the plan is approved").isEmpty();

    GateView afterDecision = drill.decide(Decision.approve("approve-plan", 1, "bob", planGate.planHash()));
    assertThat(afterDecision.state()).isEqualTo(GateOutcome.APPROVED);
    approve(drill, "approve-go-live", "bob");

    RunbookResult result = result(drill);
    assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(world.things).containsExactly("alpha", "beta");
    assertThat(world.live).containsExactly("alpha", "beta");
    assertThat(result.step("create-alpha").change()).isEqualTo(Change.CREATED);
    assertThat(result.step("create-alpha").state()).isEqualTo(StepState.SUCCEEDED);
    assertThat(result.step("go-live").change()).isEqualTo(Change.UPDATED);
    assertThat(result.step("approve-plan").summary()).isEqualTo("approved by bob");
    assertThat(result.gates()).extracting(GateView::gate).containsExactly("approve-plan", "approve-go-live");
    assertThat(result.gates().get(0).decisions()).singleElement()
        .satisfies(d -> assertThat(d.via()).isEqualTo("update"));
    assertThat(result.outputs()).containsEntry("things", "alpha,beta");
    assertThat(result.summary()).isEqualTo("drill completed: 3 step(s) changed, 0 unchanged, 0 skipped");
    assertThat(notifier.kinds()).containsExactly(Notification.Kind.GATE_OPENED, Notification.Kind.GATE_OPENED);
    assertThat(notifier.sent.get(1).command()).isEqualTo("runbook approve drillplat/drill --gate approve-go-live --as <you>");
  }

  @Test
  void runningAgainOnAFinishedPlatformChangesNothingAndSaysSo() {
    world.things.addAll(List.of("alpha", "beta"));
    world.live.addAll(List.of("alpha", "beta"));
    DrillWorkflow drill = start(apply(Approvals.anyone()));

    approve(drill, "approve-go-live", "bob");

    RunbookResult result = result(drill);
    assertThat(result.step("approve-plan").state()).as("an empty plan needs no approval").isEqualTo(StepState.SKIPPED);
    assertThat(result.step("approve-plan").summary()).startsWith("nothing to change");
    assertThat(result.steps()).filteredOn(s -> s.change() != null)
        .extracting(StepView::change).containsOnly(Change.UNCHANGED);
    assertThat(result.summary()).contains("0 step(s) changed, 3 unchanged");
  }

  @Test
  void aPlanOnlyRunReturnsThePlanAndChangesNothing() {
    DrillWorkflow drill = start(RunbookTesting.request(platform(Approvals.anyone()), Mode.PLAN, "alice", Map.of()));

    RunbookResult result = result(drill);
    assertThat(result.outcome()).isEqualTo(Outcome.PLANNED);
    assertThat(result.plan().changes()).extracting(PlanItem::target).containsExactly("alpha", "beta");
    assertThat(result.summary()).contains("2 change(s) planned", result.plan().hash(), "nothing applied");
    assertThat(world.things).isEmpty();
    assertThat(result.step("create-alpha").state()).isEqualTo(StepState.SKIPPED);
    assertThat(result.gates()).isEmpty();
    assertThat(notifier.sent).isEmpty();
  }

  @Test
  void aRejectedPlanAppliesNothing() {
    DrillWorkflow drill = start(apply(Approvals.anyone()));
    awaitGate(drill, "approve-plan");

    assertRefused(() -> drill.decide(Decision.reject("approve-plan", 1, "bob", " ")), "a rejection needs a reason");
    drill.decide(Decision.reject("approve-plan", 1, "bob", "the change window is closed"));

    RunbookResult result = result(drill);
    assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(result.summary()).isEqualTo("plan rejected by bob: the change window is closed: nothing applied");
    assertThat(world.things).isEmpty();
  }

  @Test
  void whenThePlatformDriftsAfterApprovalThePlanGateReopensWithTheNewPlan() {
    DrillWorkflow drill = start(apply(Approvals.anyone()));
    GateView first = awaitGate(drill, "approve-plan");

    world.extraPlanItems.add("gamma");
    drill.decide(Decision.approve("approve-plan", 1, "bob", first.planHash()));

    GateView second = awaitGate(drill, "approve-plan", 2);
    assertThat(second.planHash()).isNotEqualTo(first.planHash());
    assertThat(second.prompt()).contains("DELETE Thing gamma");
    assertRefused(() -> drill.decide(Decision.approve("approve-plan", 2, "bob", first.planHash())),
        "plan hash " + first.planHash() + " is not the plan shown at gate approve-plan #2");
    assertThat(drill.status().notes()).anySatisfy(n -> assertThat(n).contains("the platform changed after plan"));
    assertThat(world.things).isEmpty();

    drill.decide(Decision.approve("approve-plan", 2, "bob", second.planHash()));
    approve(drill, "approve-go-live", "bob");
    assertThat(result(drill).outcome()).isEqualTo(Outcome.SUCCEEDED);
  }

  // --- who may decide ----------------------------------------------------------------------------

  @Test
  void aWrongPlanHashIsRefusedAtOnceAndNeverEntersTheHistory() {
    DrillWorkflow drill = start(apply(Approvals.anyone()));
    GateView gate = awaitGate(drill, "approve-plan");

    assertRefused(() -> drill.decide(Decision.approve("approve-plan", 1, "bob", "deadbeefdeadbeef")),
        "plan hash deadbeefdeadbeef is not the plan shown at gate approve-plan #1 (" + gate.planHash() + ")");

    assertThat(HistoryScan.contains(client.fetchHistory(workflowId()), "deadbeefdeadbeef")).isFalse();
    assertThat(drill.status().openGate().decisions()).isEmpty();
  }

  @Test
  void twoOfThreeAdminsMustApproveAndTheInitiatorMayNot() {
    Approvals approvals = new Approvals(
        Map.of("platform-admins", List.of("alice", "bob", "carol")),
        GatePolicy.BUILT_IN,
        Map.of("drill/approve-go-live", new GatePolicy(2, List.of("group:platform-admins"), true, null, null, null)));
    DrillWorkflow drill = start(apply(approvals));
    approvePlan(drill, "bob");
    awaitGate(drill, "approve-go-live");

    assertRefused(() -> drill.decide(Decision.approve("approve-go-live", 1, "mallory", null)),
        "mallory is not an allowed approver of gate approve-go-live #1 (allowed: group:platform-admins)");
    assertRefused(() -> drill.decide(Decision.approve("approve-go-live", 1, "alice", null)),
        "alice started this run and may not approve it: gate approve-go-live #1 needs four eyes");

    GateView afterBob = drill.decide(Decision.approve("approve-go-live", 1, "bob", null));
    assertThat(afterBob.state()).isEqualTo(GateOutcome.OPEN);
    assertThat(afterBob.approvals()).isEqualTo(1);
    assertRefused(() -> drill.decide(Decision.approve("approve-go-live", 1, "bob", null)),
        "bob has already approved gate approve-go-live #1 (1 of 2 approvals)");
    drill.approve(Decision.approve("approve-go-live", 1, "bob", null));
    drill.approve(Decision.approve("approve-go-live", 1, "alice", null));
    RunbookStatus status = awaitStatus(drill, "the duplicate and four-eyes signals to be noted",
        s -> s.notes().stream().filter(n -> n.contains("ignored approve signal")).count() == 2);
    assertThat(status.openGate().approvals()).as("duplicates count once").isEqualTo(1);
    assertThat(world.live).isEmpty();

    drill.decide(new Decision("approve-go-live", 1, Verdict.APPROVE, "carol", "checked the runbook", null));

    RunbookResult result = result(drill);
    assertThat(result.step("approve-go-live").summary()).isEqualTo("approved by bob, carol (checked the runbook)");
    assertThat(world.live).containsExactly("alpha", "beta");
  }

  @Test
  void decisionsForGatesThatAreNotOpenAreRefusedWithTheOpenGateNamed() {
    DrillWorkflow drill = start(apply(Approvals.anyone()));
    awaitGate(drill, "approve-plan");

    assertRefused(() -> drill.decide(Decision.approve("launch-rockets", 1, "bob", null)),
        "gate 'launch-rockets' has not opened in this run; the open gate is approve-plan #1");
    assertRefused(() -> drill.decide(Decision.approve("approve-plan", 2, "bob", null)),
        "gate approve-plan #2 has not opened; the open gate is approve-plan #1");
    assertRefused(() -> drill.decide(new Decision("approve-plan", 1, Verdict.APPROVE, null, null, null)),
        "the decision does not say who decides");
  }

  // --- signals --------------------------------------------------------------------------------

  @Test
  void aSignalThatArrivesBeforeItsGateOpensIsAppliedWhenThatInstanceOpens() {
    DrillWorkflow drill = start(apply(Approvals.anyone()));
    GateView planGate = awaitGate(drill, "approve-plan");

    drill.approve(new Decision("approve-go-live", 1, null, "carol", "pre-approved in the CAB", null));
    drill.approve(new Decision("approve-plan", 1, null, "bob", null, planGate.planHash()));

    RunbookResult result = result(drill);
    assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(result.gates().get(1).decisions()).singleElement().satisfies(d -> {
      assertThat(d.actor()).isEqualTo("carol");
      assertThat(d.via()).isEqualTo("signal (before the gate opened)");
    });
  }

  @Test
  void aStaleSignalForAnEarlierGateInstanceNeverOpensTheLaterOne() {
    DrillWorkflow drill = start(apply(goLivePolicy(new GatePolicy(null, null, null, "1h", null, TimeoutOutcome.FAIL))));
    approvePlan(drill, "bob");
    awaitGate(drill, "approve-go-live");

    env.sleep(Duration.ofHours(2));
    RunbookStatus timedOut = awaitStatus(drill, "the timed-out gate to wait for an operator",
        s -> "approve-go-live".equals(s.awaitingOperator()));
    assertThat(timedOut.lastError()).isEqualTo("approve-go-live: gate timed out: no decision before the deadline (1h)");
    assertThat(timedOut.gates().get(1).state()).isEqualTo(GateOutcome.TIMED_OUT);
    assertThat(timedOut.gates().get(1).decisions()).as("a timeout is not a decision").isEmpty();
    drill.operate(new OperatorAction("approve-go-live", Action.RETRY, "erin", null));
    awaitGate(drill, "approve-go-live", 2);

    drill.approve(new Decision("approve-go-live", 1, null, "dave", null, null));
    RunbookStatus status = awaitStatus(drill, "the stale signal to be noted",
        s -> s.notes().stream().anyMatch(n -> n.contains("ignored approve signal from dave")));
    assertThat(status.notes()).anySatisfy(n -> assertThat(n).endsWith(
        "ignored approve signal from dave: gate approve-go-live #1 is closed; the open gate is approve-go-live #2"));
    assertThat(status.openGate().instance()).isEqualTo(2);
    assertThat(world.live).isEmpty();

    approve(drill, "approve-go-live", "dave");
    assertThat(result(drill).outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(world.live).containsExactly("alpha", "beta");
  }

  // --- deadlines and reminders -------------------------------------------------------------------

  @Test
  void aGateRemindsEveryIntervalUntilItIsDecided() {
    DrillWorkflow drill = start(apply(goLivePolicy(new GatePolicy(null, null, null, "72h", "24h", TimeoutOutcome.FAIL))));
    approvePlan(drill, "bob");
    awaitGate(drill, "approve-go-live");

    env.sleep(Duration.ofHours(49));
    Eventually.await("two reminders", () -> notifier.kinds().stream().filter(k -> k == Notification.Kind.GATE_REMINDER).count(),
        n -> n == 2);

    approve(drill, "approve-go-live", "bob");
    assertThat(result(drill).outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(notifier.sent).filteredOn(n -> n.kind() == Notification.Kind.GATE_REMINDER)
        .extracting(Notification::title)
        .containsExactly("Reminder #1: approval still needed for approve-go-live #1",
            "Reminder #2: approval still needed for approve-go-live #1");
  }

  @Test
  void aGateThatRemindsEveryMinuteForAMonthKeepsItsHistoryBounded() {
    DrillWorkflow drill = start(apply(goLivePolicy(new GatePolicy(null, null, null, null, "1m", TimeoutOutcome.FAIL))));
    approvePlan(drill, "bob");
    awaitGate(drill, "approve-go-live");

    env.sleep(Duration.ofDays(31));
    RunbookStatus waiting = awaitStatus(drill, "the reminders to stop", s -> s.notes().stream()
        .anyMatch(n -> n.contains("100 reminders sent, no more")));

    assertThat(notifier.kinds().stream().filter(k -> k == Notification.Kind.GATE_REMINDER).count()).isEqualTo(100);
    assertThat(waiting.openGate().gate()).as("the gate still waits").isEqualTo("approve-go-live");
    long events = client.fetchHistory(RunbookLauncher.workflowId("drillplat", "drill")).getEvents().size();
    assertThat(events).as("history events after a month of a gate reminding every minute").isLessThan(2_000);
    approve(drill, "approve-go-live", "bob");
    assertThat(result(drill).outcome()).isEqualTo(Outcome.SUCCEEDED);
  }

  @Test
  void aTimeoutConfiguredToSkipSkipsTheGatedStepAndTheRunGoesOn() {
    DrillWorkflow drill = start(apply(goLivePolicy(new GatePolicy(null, null, null, "72h", null, TimeoutOutcome.SKIP_STEP))));
    approvePlan(drill, "bob");
    awaitGate(drill, "approve-go-live");

    env.sleep(Duration.ofHours(73));

    RunbookResult result = result(drill);
    assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(result.step("approve-go-live").summary()).isEqualTo("timed out: no decision before the deadline (72h); skipped as configured");
    assertThat(result.step("go-live").state()).isEqualTo(StepState.SKIPPED);
    assertThat(result.gates().get(1).state()).isEqualTo(GateOutcome.TIMED_OUT);
    assertThat(world.live).isEmpty();
    assertThat(world.things).containsExactly("alpha", "beta");
  }

  @Test
  void aTimeoutConfiguredToAbortCompensatesAndFailsTheRun() {
    DrillWorkflow drill = start(apply(goLivePolicy(new GatePolicy(null, null, null, "72h", null, TimeoutOutcome.ABORT))));
    approvePlan(drill, "bob");
    awaitGate(drill, "approve-go-live");

    env.sleep(Duration.ofHours(73));

    ApplicationFailure failure = failure(drill);
    assertThat(failure.getType()).isEqualTo("RunbookAborted");
    assertThat(failure.getOriginalMessage()).startsWith("gate approve-go-live #1 timed out");
    assertThat(world.deleted).containsExactly("beta", "alpha");
    assertThat(world.things).isEmpty();
  }

  // --- failures stay alive --------------------------------------------------------------------

  @Test
  void aFailedStepWaitsForAnOperatorAndRetrySucceeds() {
    world.failNext("alpha", 1);
    DrillWorkflow drill = start(apply(Approvals.anyone()));
    approvePlan(drill, "bob");

    RunbookStatus failed = awaitStatus(drill, "create-alpha to wait for an operator", s -> s.awaitingOperator() != null);
    assertThat(failed.state()).isEqualTo(RunbookState.AWAITING_OPERATOR);
    assertThat(failed.lastError()).isEqualTo(
        "create-alpha: EnsureThing: thing alpha cannot be created: the quota is exhausted; raise it and retry [QuotaExceeded]");
    assertThat(descriptionOf().getTypedSearchAttributes().get(RunbookSearchAttributes.RUNBOOK_STATE))
        .isEqualTo("AWAITING_OPERATOR");
    assertThat(notifier.kinds()).contains(Notification.Kind.AWAITING_OPERATOR);
    assertRefused(() -> drill.operate(new OperatorAction("create-beta", Action.RETRY, "erin", null)),
        "step 'create-beta' is not waiting for an operator; step create-alpha is");

    drill.operatorAction(new OperatorAction("create-alpha", Action.RETRY, "erin", "quota raised"));
    approve(drill, "approve-go-live", "bob");

    RunbookResult result = result(drill);
    assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(result.step("create-alpha").attempts()).isEqualTo(2);
    assertThat(result.step("create-alpha").lastError()).isNull();
    assertThat(world.things).containsExactly("alpha", "beta");
  }

  @Test
  void aStepWhoseValueTheRunbookNeedsIsNeverSkippedIntoACrash() {
    world.failNext("plan", 1);
    DrillWorkflow drill = start(apply(Approvals.anyone()));

    RunbookStatus failed = awaitStatus(drill, "the plan to wait for an operator", s -> "plan".equals(s.awaitingOperator()));
    assertThat(failed.operatorWaits()).singleElement().satisfies(wait -> {
      assertThat(wait.actions()).containsExactly(Action.RETRY, Action.ABORT);
      assertThat(wait.whyNoSkip()).isEqualTo("the rest of the runbook needs what step plan produces");
    });
    assertThat(DetailsRenderer.render(failed)).contains("runbook decide drillplat/drill --step plan retry|abort");
    assertRefused(() -> drill.operate(new OperatorAction("plan", Action.SKIP, "erin", "no time")),
        "SKIP is not possible for step plan: the rest of the runbook needs what step plan produces; answer RETRY or ABORT");
    drill.operatorAction(new OperatorAction("plan", Action.SKIP, "erin", "no time"));
    awaitStatus(drill, "the refused signal to be noted", s -> s.notes().stream().anyMatch(n -> n.contains(
        "ignored operatorAction from erin: SKIP is not possible for step plan")));

    drill.operate(new OperatorAction("plan", Action.RETRY, "erin", "planner back"));
    approvePlan(drill, "bob");
    approve(drill, "approve-go-live", "bob");
    assertThat(result(drill).outcome()).isEqualTo(Outcome.SUCCEEDED);
  }

  @Test
  void signalsWithoutAPayloadAreNotedAndTheRunGoesOn() {
    DrillWorkflow drill = start(apply(Approvals.anyone()));
    awaitGate(drill, "approve-plan");

    drill.approve(null);
    drill.operatorAction(null);
    drill.manualTaskDone(null);

    RunbookStatus status = awaitStatus(drill, "the three refusals to be noted", s -> s.notes().size() >= 3);
    assertThat(status.notes()).anySatisfy(n -> assertThat(n).endsWith("ignored a decision signal that names no gate"));
    assertThat(status.notes()).anySatisfy(n -> assertThat(n).endsWith(
        "ignored operatorAction: say what to do: RETRY, SKIP or ABORT"));
    approvePlan(drill, "bob");
    approve(drill, "approve-go-live", "bob");
    assertThat(result(drill).outcome()).isEqualTo(Outcome.SUCCEEDED);
  }

  @Test
  void anOperatorCanSkipAFailedStepWithAReason() {
    world.failNext("alpha", 1);
    DrillWorkflow drill = start(apply(Approvals.anyone()));
    approvePlan(drill, "bob");
    awaitStatus(drill, "create-alpha to wait for an operator", s -> s.awaitingOperator() != null);

    assertRefused(() -> drill.operate(new OperatorAction("create-alpha", Action.SKIP, "erin", "")), "SKIP needs a reason");
    StepView answered = drill.operate(new OperatorAction("create-alpha", Action.SKIP, "erin", "alpha is created by hand"));
    assertThat(answered.id()).isEqualTo("create-alpha");
    approve(drill, "approve-go-live", "bob");

    RunbookResult result = result(drill);
    assertThat(result.step("create-alpha").state()).isEqualTo(StepState.SKIPPED);
    assertThat(result.step("create-alpha").summary()).isEqualTo("skipped by erin: alpha is created by hand");
    assertThat(world.things).containsExactly("beta");
  }

  @Test
  void abortCompensatesInReverseOrderAndFailsWithASummary() {
    world.failNext("go-live", 1);
    DrillWorkflow drill = start(apply(Approvals.anyone()));
    approvePlan(drill, "bob");
    approve(drill, "approve-go-live", "bob");
    awaitStatus(drill, "go-live to wait for an operator", s -> "go-live".equals(s.awaitingOperator()));

    drill.operate(new OperatorAction("go-live", Action.ABORT, "erin", "traffic switch is broken"));

    ApplicationFailure failure = failure(drill);
    assertThat(failure.getType()).isEqualTo("RunbookAborted");
    assertThat(failure.getOriginalMessage()).isEqualTo(
        "aborted by erin at step go-live: traffic switch is broken. Compensated, in this order: create-beta, create-alpha");
    assertThat(world.deleted).containsExactly("beta", "alpha");
    assertThat(world.things).isEmpty();
    RunbookResult details = failure.getDetails().get(RunbookResult.class);
    assertThat(details.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(details.step("create-alpha").state()).isEqualTo(StepState.COMPENSATED);
    assertThat(descriptionOf().getTypedSearchAttributes().get(RunbookSearchAttributes.RUNBOOK_STATE)).isEqualTo("FAILED");
  }

  @Test
  void cancellingARunCompensatesWhatItCreated() {
    DrillWorkflow drill = start(apply(Approvals.anyone()));
    approvePlan(drill, "bob");
    awaitGate(drill, "approve-go-live");

    WorkflowStub.fromTyped(drill).cancel();

    assertThatThrownBy(() -> result(drill)).isInstanceOf(WorkflowFailedException.class)
        .cause().isInstanceOf(CanceledFailure.class);
    assertThat(world.deleted).containsExactly("beta", "alpha");
    assertThat(world.things).isEmpty();
    RunbookStatus status = drill.status();
    assertThat(status.state()).isEqualTo(RunbookState.FAILED);
    assertThat(status.notes()).anySatisfy(n -> assertThat(n).endsWith(
        "cancelled at step approve-go-live. Compensated, in this order: create-beta, create-alpha"));
    assertThat(status.steps()).filteredOn(s -> s.id().startsWith("create-"))
        .extracting(StepView::state).containsOnly(StepState.COMPENSATED);
  }

  // --- manual tasks ---------------------------------------------------------------------------

  @Test
  void aManualTaskWaitsUntilItsVerificationPasses() {
    DrillWorkflow drill = start(RunbookTesting.request(platform(Approvals.anyone()), Mode.APPLY, "alice",
        Map.of("manual-task", "true")));
    approvePlan(drill, "bob");
    approve(drill, "approve-go-live", "bob");
    RunbookStatus waiting = awaitStatus(drill, "the manual task", s -> s.openTask() != null);
    assertThat(waiting.openTask().checklist()).containsExactly("Create 2 VMs", "Install the base image", "Report their hostnames");

    drill.manualTaskDone(new ManualTaskReport("provision-hosts", "frank", "done", List.of("worker-1", "worker-2")));
    RunbookStatus notYet = awaitStatus(drill, "the failed verification",
        s -> s.openTask() != null && s.openTask().lastVerification() != null);
    assertThat(notYet.openTask().lastVerification()).isEqualTo("verification failed: not Ready: worker-1, worker-2");
    assertThat(notYet.steps()).filteredOn(s -> s.id().equals("provision-hosts"))
        .singleElement().satisfies(s -> assertThat(s.state()).isEqualTo(StepState.WAITING));

    world.readyHosts.addAll(List.of("worker-1", "worker-2"));
    drill.manualTaskDone(new ManualTaskReport("provision-hosts", "frank", "really done", List.of("worker-1", "worker-2")));

    RunbookResult result = result(drill);
    assertThat(result.step("provision-hosts").summary()).isEqualTo("done by frank; verified: 2 host(s) Ready: worker-1, worker-2");
    assertThat(result.step("provision-hosts").attempts()).isEqualTo(1);
  }

  // --- visibility -----------------------------------------------------------------------------

  @Test
  void searchAttributesAndCurrentDetailsShowWhatTheRunWaitsFor() {
    DrillWorkflow drill = start(apply(Approvals.anyone()));
    GateView gate = awaitGate(drill, "approve-plan");

    WorkflowExecutionDescription waiting = descriptionOf();
    assertThat(waiting.getTypedSearchAttributes().get(RunbookSearchAttributes.RUNBOOK_NAME)).isEqualTo("drill");
    assertThat(waiting.getTypedSearchAttributes().get(RunbookSearchAttributes.PLATFORM)).isEqualTo("drillplat");
    assertThat(waiting.getTypedSearchAttributes().get(RunbookSearchAttributes.RUNBOOK_STATE)).isEqualTo("AWAITING_APPROVAL");
    assertThat(waiting.getTypedSearchAttributes().get(RunbookSearchAttributes.RUNBOOK_STEP)).isEqualTo("approve-plan");
    assertThat(waiting.getTypedSearchAttributes().get(RunbookSearchAttributes.AWAITING_APPROVAL)).isTrue();
    assertThat(waiting.getStaticSummary()).isEqualTo("drill on drillplat, started by alice");

    String details = WorkflowStub.fromTyped(drill)
        .query("__temporal_workflow_metadata", WorkflowMetadata.class)
        .getCurrentDetails();
    assertThat(details)
        .contains("**drill** on **drillplat** · AWAITING_APPROVAL · started by alice")
        .contains("- ✓ `plan` Plan the changes (read-only) — 2 change(s), plan hash " + gate.planHash())
        .contains("- ⏸ `approve-plan` Approve the plan")
        .contains("- ○ `create-alpha` Create thing alpha")
        .contains("runbook approve drillplat/drill --gate approve-plan --as <you>")
        .contains("{\"gate\":\"approve-plan\",\"instance\":1,\"actor\":\"<you>\",\"planHash\":\"" + gate.planHash() + "\"}");

    drill.decide(Decision.approve("approve-plan", 1, "bob", gate.planHash()));
    approve(drill, "approve-go-live", "bob");
    result(drill);
    WorkflowExecutionDescription done = descriptionOf();
    assertThat(done.getTypedSearchAttributes().get(RunbookSearchAttributes.RUNBOOK_STATE)).isEqualTo("COMPLETED");
    assertThat(done.getTypedSearchAttributes().get(RunbookSearchAttributes.AWAITING_APPROVAL)).isFalse();
  }

  @Test
  void aRunbookRunsOnceAtATimeOnAPlatformAndTheSecondStartSaysWhoRunsIt() {
    DrillWorkflow drill = start(apply(Approvals.anyone()));
    awaitGate(drill, "approve-plan");

    assertThatThrownBy(() -> RunbookLauncher.start(client, "drill", "DrillWorkflow",
            RunbookTesting.apply(platform(Approvals.anyone()), "bob"), taskQueue))
        .isInstanceOf(RunbookLauncher.AlreadyRunningException.class)
        .hasMessageStartingWith("runbook drillplat/drill is already running (started by alice)");
  }

  @Test
  void aChatOutageDoesNotHoldTheRunbook() {
    notifier.down = true;
    DrillWorkflow drill = start(apply(Approvals.anyone()));
    RunbookStatus status = awaitStatus(drill, "the failed notification to be noted",
        s -> s.notes().stream().anyMatch(n -> n.contains("could not be sent")));
    assertThat(status.notes()).anySatisfy(n -> assertThat(n).contains(
        "notification 'Approval needed: approve-plan #1' could not be sent: Notify: webhook 'team-chat' answered 503"));
    approvePlan(drill, "bob");
    approve(drill, "approve-go-live", "bob");
    assertThat(result(drill).outcome()).isEqualTo(Outcome.SUCCEEDED);
  }

  // --- helpers --------------------------------------------------------------------------------

  static PlatformConfig platform(Approvals approvals) {
    return PlatformConfig.of("drillplat", approvals,
        new Notifications(List.of(new Notifications.Webhook("team-chat", SecretRef.env("DRILL_WEBHOOK_URL")))));
  }

  static RunbookRequest apply(Approvals approvals) {
    return RunbookTesting.apply(platform(approvals), "alice");
  }

  static Approvals goLivePolicy(GatePolicy policy) {
    return new Approvals(Map.of(), GatePolicy.BUILT_IN, Map.of("approve-go-live", policy));
  }

  private DrillWorkflow start(RunbookRequest request) {
    RunbookLauncher.start(client, "drill", "DrillWorkflow", request, taskQueue);
    return client.newWorkflowStub(DrillWorkflow.class, workflowId());
  }

  private static String workflowId() {
    return RunbookLauncher.workflowId("drillplat", "drill");
  }

  private WorkflowExecutionDescription descriptionOf() {
    return client.newUntypedWorkflowStub(workflowId()).describe();
  }

  static void approvePlan(RunbookWorkflow run, String actor) {
    approve(run, "approve-plan", actor);
  }
}
