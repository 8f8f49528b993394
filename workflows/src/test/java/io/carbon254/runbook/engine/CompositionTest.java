package io.carbon254.runbook.engine;

import static io.carbon254.runbook.engine.RunbookTesting.approve;
import static io.carbon254.runbook.engine.RunbookTesting.assertRefused;
import static io.carbon254.runbook.engine.RunbookTesting.awaitStatus;
import static io.carbon254.runbook.engine.RunbookTesting.failure;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.carbon254.runbook.config.Approvals;
import io.carbon254.runbook.config.Notifications;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.OperatorAction.Action;
import io.carbon254.runbook.engine.RunbookResult.Outcome;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine's composition, told through the fleet runbook: hosts enrolled as parallel steps (two
 * at a time), then the drill as a child runbook whose gates people answer where it runs.
 */
class CompositionTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = RunbookTesting.extension(FleetWorkflowImpl.class, DrillWorkflowImpl.class);

  private static final String FLEET = "drillplat/fleet";
  private static final String CHILD = "drillplat/fleet/drill";

  private final FleetWorld hosts = new FleetWorld();
  private final DrillWorld things = new DrillWorld();
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RunbookTesting.Started started = RunbookTesting.startWorker(env, worker, client, hosts, things, new RecordingNotifier());
    this.client = started.client();
    this.taskQueue = started.taskQueue();
  }

  // --- parallel steps ----------------------------------------------------------------------------

  @Test
  void parallelStepsRunAtMostTwoAtATimeEachOnItsOwnLine() {
    FleetWorkflow fleet = start(Map.of("child", "false"));

    RunbookResult result = result(fleet);

    assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(hosts.enrolled).containsExactlyInAnyOrder("h1", "h2", "h3", "h4", "h5");
    assertThat(hosts.mostAtOnce.get()).as("the pool of two was used, and never exceeded").isEqualTo(2);
    assertThat(result.steps()).extracting(StepView::id)
        .containsExactly("drill", "enroll/h1", "enroll/h2", "enroll/h3", "enroll/h4", "enroll/h5");
    assertThat(result.step("enroll/h3").title()).isEqualTo("Enroll host h3");
    assertThat(result.step("enroll/h3").change()).isEqualTo(Change.CREATED);
    assertThat(result.step("enroll/h3").summary()).isEqualTo("host h3 enrolled");
    assertThat(result.outputs()).containsEntry("enrolled", "5 of 5");
  }

  @Test
  void aFailingBranchWaitsForItsOperatorWhileTheOthersFinish() throws Exception {
    hosts.failNext("h2", 1);
    FleetWorkflow fleet = start(Map.of("child", "false"));

    RunbookStatus waiting = awaitStatus(fleet, "the other branches to finish while h2 waits", s ->
        s.steps().stream().filter(step -> step.id().startsWith("enroll/") && !step.id().equals("enroll/h2"))
            .allMatch(step -> step.state() == StepState.SUCCEEDED));
    assertThat(waiting.state()).isEqualTo(RunbookState.AWAITING_OPERATOR);
    assertThat(waiting.operatorWaits()).singleElement().satisfies(wait -> {
      assertThat(wait.step()).isEqualTo("enroll/h2");
      assertThat(wait.error()).isEqualTo("Enroll: host h2 refused the enrollment token [Refused]");
      assertThat(wait.actions()).containsExactly(Action.RETRY, Action.SKIP, Action.ABORT);
    });
    assertThat(hosts.enrolled).containsExactlyInAnyOrder("h1", "h3", "h4", "h5");
    keepHistory("FleetWorkflow-trusted-paused-at-operator-enroll");

    fleet.operate(new OperatorAction("enroll/h2", Action.RETRY, "erin", "token renewed"));

    RunbookResult result = result(fleet);
    assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(result.step("enroll/h2").attempts()).isEqualTo(2);
    assertThat(hosts.enrolled).contains("h2");
  }

  @Test
  void twoFailedBranchesWaitAtOnceAndAreAnsweredEachByItsName() {
    hosts.failNext("h1", 1);
    hosts.failNext("h2", 1);
    FleetWorkflow fleet = start(Map.of("child", "false", "hosts", "h1,h2,h3"));

    awaitStatus(fleet, "both failed branches to wait", s -> s.operatorWaits().size() == 2);
    assertRefused(() -> fleet.operate(new OperatorAction("enroll/h9", Action.RETRY, "erin", null)),
        "step 'enroll/h9' is not waiting for an operator; steps enroll/h1, enroll/h2 are");
    fleet.operate(new OperatorAction("enroll/h1", Action.SKIP, "erin", "h1 is being decommissioned"));
    fleet.operate(new OperatorAction("enroll/h2", Action.RETRY, "erin", null));

    RunbookResult result = result(fleet);
    assertThat(result.step("enroll/h1").state()).isEqualTo(StepState.SKIPPED);
    assertThat(result.step("enroll/h1").summary()).isEqualTo("skipped by erin: h1 is being decommissioned");
    assertThat(result.outputs()).containsEntry("enrolled", "2 of 3");
  }

  @Test
  void abortInOneBranchCompensatesEveryBranchThatRanNewestFirst() {
    hosts.failNext("h5", 1);
    FleetWorkflow fleet = start(Map.of("child", "false"));
    awaitStatus(fleet, "h5 to wait for an operator", s -> "enroll/h5".equals(s.awaitingOperator()));

    fleet.operate(new OperatorAction("enroll/h5", Action.ABORT, "erin", "the fleet is being rebuilt"));

    assertThat(failure(fleet).getOriginalMessage()).isEqualTo(
        "aborted by erin at step enroll/h5: the fleet is being rebuilt. Compensated, in this order: "
            + "enroll/h5, enroll/h4, enroll/h3, enroll/h2, enroll/h1");
    assertThat(hosts.enrolled).isEmpty();
    assertThat(hosts.unenrolled).containsExactly("h5", "h4", "h3", "h2", "h1");
  }

  // --- child runbooks ----------------------------------------------------------------------------

  @Test
  void aChildRunbookShowsInItsParentAndIsAnsweredWhereItRuns() throws Exception {
    FleetWorkflow fleet = start(Map.of("hosts", "h1"));

    RunbookStatus parent = awaitStatus(fleet, "the child's plan gate, seen from the parent",
        s -> s.children().stream().anyMatch(c -> "gate approve-plan #1".equals(c.waiting())));
    ChildView child = parent.children().get(0);
    assertThat(child.runbook()).isEqualTo("drill");
    assertThat(child.workflowId()).isEqualTo(CHILD);
    assertThat(child.step()).isEqualTo("drill");
    assertThat(child.waitingIn()).isEqualTo(CHILD);
    assertThat(child.state()).isEqualTo(RunbookState.AWAITING_APPROVAL);
    assertThat(parent.state()).as("the parent shows what its child waits for").isEqualTo(RunbookState.AWAITING_APPROVAL);
    assertThat(DetailsRenderer.render(parent)).contains("`drill` drillplat/fleet/drill · AWAITING_APPROVAL",
        "waiting: gate approve-plan #1 in drillplat/fleet/drill");

    DrillWorkflow drill = client.newWorkflowStub(DrillWorkflow.class, CHILD);
    approve(drill, "approve-plan", "bob");
    approve(drill, "approve-go-live", "bob");

    RunbookResult result = result(fleet);
    assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(result.step("drill").change()).isEqualTo(Change.UPDATED);
    assertThat(result.step("drill").summary()).isEqualTo("SUCCEEDED: drill completed: 3 step(s) changed, 0 unchanged, 0 skipped");
    assertThat(result.children()).singleElement().satisfies(c -> {
      assertThat(c.outcome()).isEqualTo(Outcome.SUCCEEDED);
      assertThat(c.waiting()).isNull();
    });
    assertThat(things.live).containsExactly("alpha", "beta");
    keepHistory("FleetWorkflow-trusted-with-a-child");
  }

  @Test
  void aReRunShowsAChildWhoseWorkIsDoneAsUnchanged() {
    hosts.enrolled.add("h1");
    things.things.addAll(List.of("alpha", "beta"));
    things.live.addAll(List.of("alpha", "beta"));
    FleetWorkflow fleet = start(Map.of("hosts", "h1"));
    awaitStatus(fleet, "the child's go-live gate", s -> s.children().stream()
        .anyMatch(c -> "gate approve-go-live #1".equals(c.waiting())));
    approve(client.newWorkflowStub(DrillWorkflow.class, CHILD), "approve-go-live", "bob");

    RunbookResult result = result(fleet);

    assertThat(result.step("drill").change()).isEqualTo(Change.UNCHANGED);
    assertThat(result.step("enroll/h1").change()).isEqualTo(Change.UNCHANGED);
  }

  @Test
  void cancellingTheParentCancelsTheChildWhichCompensatesItsOwnWork() {
    FleetWorkflow fleet = start(Map.of("hosts", "h1"));
    DrillWorkflow drill = client.newWorkflowStub(DrillWorkflow.class, CHILD);
    awaitStatus(fleet, "the child's plan gate", s -> s.children().stream().anyMatch(c -> c.waiting() != null));
    approve(drill, "approve-plan", "bob");
    awaitStatus(fleet, "the child's go-live gate", s -> s.children().stream()
        .anyMatch(c -> "gate approve-go-live #1".equals(c.waiting())));
    assertThat(things.things).containsExactly("alpha", "beta");

    WorkflowStub.fromTyped(fleet).cancel();

    Throwable ended = catchThrowable(() -> result(fleet));
    assertThat(ended).isInstanceOf(WorkflowFailedException.class).hasCauseInstanceOf(CanceledFailure.class);
    assertThat(things.deleted).as("the child undid its own work").containsExactly("beta", "alpha");
    assertThat(hosts.unenrolled).as("the parent undid its own").containsExactly("h1");
    assertThat(drill.status().notes()).anySatisfy(n -> assertThat(n).contains("cancelled at step approve-go-live"));
  }

  @Test
  void aChildThatIsAbortedFailsItsParentsStepAndRetryStartsItAgain() {
    things.failNext("alpha", 1);
    FleetWorkflow fleet = start(Map.of("hosts", "h1"));
    DrillWorkflow drill = client.newWorkflowStub(DrillWorkflow.class, CHILD);
    awaitStatus(fleet, "the child's plan gate", s -> s.children().stream().anyMatch(c -> c.waiting() != null));
    approve(drill, "approve-plan", "bob");

    RunbookStatus parent = awaitStatus(fleet, "the child's failed step, seen from the parent",
        s -> s.children().stream().anyMatch(c -> "step create-alpha failed".equals(c.waiting())));
    assertThat(parent.children().get(0).summary()).contains("thing alpha cannot be created");
    drill.operate(new OperatorAction("create-alpha", Action.ABORT, "erin", "quota ticket open"));

    RunbookStatus failed = awaitStatus(fleet, "the parent's step to wait for its operator",
        s -> "drill".equals(s.awaitingOperator()));
    assertThat(failed.lastError()).startsWith("drill: DrillWorkflow: aborted by erin at step create-alpha: quota ticket open");
    fleet.operate(new OperatorAction("drill", Action.RETRY, "erin", "quota raised"));
    approve(drill, "approve-plan", "bob");
    approve(drill, "approve-go-live", "bob");

    RunbookResult result = result(fleet);
    assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(result.step("drill").attempts()).isEqualTo(2);
    assertThat(things.live).containsExactly("alpha", "beta");
  }

  @Test
  void aPlanOnlyParentPlansEveryChildAndChangesNothing() {
    RunbookLauncher.start(client, "fleet", "FleetWorkflow",
        RunbookTesting.request(platform(), Mode.PLAN, "alice", Map.of("hosts", "")), taskQueue);
    FleetWorkflow fleet = client.newWorkflowStub(FleetWorkflow.class, FLEET);

    RunbookResult result = result(fleet);

    assertThat(result.outcome()).isEqualTo(Outcome.PLANNED);
    assertThat(result.children()).singleElement().satisfies(c -> assertThat(c.outcome()).isEqualTo(Outcome.PLANNED));
    assertThat(things.things).isEmpty();
  }

  private FleetWorkflow start(Map<String, String> options) {
    RunbookLauncher.start(client, "fleet", "FleetWorkflow", RunbookTesting.request(platform(), Mode.APPLY, "alice", options),
        taskQueue);
    return client.newWorkflowStub(FleetWorkflow.class, FLEET);
  }

  private void keepHistory(String name) throws Exception {
    RunbookTesting.keepHistory(client, FLEET, FleetWorkflowImpl.class, name);
  }

  private static PlatformConfig platform() {
    return PlatformConfig.of("drillplat", Approvals.anyone(), Notifications.none());
  }
}
