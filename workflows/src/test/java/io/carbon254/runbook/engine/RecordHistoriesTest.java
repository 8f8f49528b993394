package io.carbon254.runbook.engine;

import static io.carbon254.runbook.engine.RunbookEngineTest.approvePlan;
import static io.carbon254.runbook.engine.RunbookEngineTest.platform;
import static io.carbon254.runbook.engine.RunbookTesting.approve;
import static io.carbon254.runbook.engine.RunbookTesting.awaitStatus;
import static io.carbon254.runbook.engine.RunbookTesting.failure;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.Approvals;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Produces the histories that {@link ReplayTest} replays. Every build runs these scenarios and
 * replays what they produce; with {@code -Drecord.histories=true} it also writes them to
 * {@code src/test/resources/histories/}, to be committed with the workflow change they record:
 *
 * <pre>mvn -pl config-model,workflows test -Dtest=RecordHistoriesTest -Drecord.histories=true</pre>
 */
class RecordHistoriesTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = RunbookTesting.extension(DrillWorkflowImpl.class);

  private final DrillWorld world = new DrillWorld();
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RunbookTesting.Started started = RunbookTesting.startWorker(env, worker, client, world, new RecordingNotifier());
    this.client = started.client();
    this.taskQueue = started.taskQueue();
  }

  @Test
  void drillWithEveryKindOfHumanStep() throws Exception {
    world.failNext("alpha", 1);
    DrillWorkflow drill = start(RunbookTesting.request(platform(Approvals.anyone()), Mode.APPLY, "alice", Map.of("manual-task", "true")));
    approvePlan(drill, "bob");
    awaitStatus(drill, "create-alpha to fail", s -> s.awaitingOperator() != null);
    drill.operate(new OperatorAction("create-alpha", OperatorAction.Action.RETRY, "erin", null));
    approve(drill, "approve-go-live", "bob");
    awaitStatus(drill, "the manual task", s -> s.openTask() != null);
    world.readyHosts.add("worker-1");
    drill.manualTaskDone(new ManualTaskReport("provision-hosts", "frank", null, List.of("worker-1")));
    assertThat(result(drill).outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);

    keep("DrillWorkflow-trusted-every-human-step");
  }

  @Test
  void drillAbortedWithCompensations() throws Exception {
    world.failNext("go-live", 1);
    DrillWorkflow drill = start(RunbookTesting.apply(platform(Approvals.anyone()), "alice"));
    approvePlan(drill, "bob");
    approve(drill, "approve-go-live", "bob");
    awaitStatus(drill, "go-live to fail", s -> "go-live".equals(s.awaitingOperator()));
    drill.operate(new OperatorAction("go-live", OperatorAction.Action.ABORT, "erin", "broken"));
    assertThat(failure(drill).getType()).isEqualTo("RunbookAborted");

    keep("DrillWorkflow-trusted-aborted");
  }

  // --- runs paused where people answer them -----------------------------------------------------

  @Test
  void drillPausedAtThePlanGate() throws Exception {
    DrillWorkflow drill = start(RunbookTesting.apply(platform(Approvals.anyone()), "alice"));
    RunbookTesting.awaitGate(drill, "approve-plan");
    keep("DrillWorkflow-trusted-paused-at-approve-plan");
  }

  @Test
  void drillPausedAtTheGoLiveGate() throws Exception {
    DrillWorkflow drill = start(RunbookTesting.apply(platform(Approvals.anyone()), "alice"));
    approvePlan(drill, "bob");
    RunbookTesting.awaitGate(drill, "approve-go-live");
    keep("DrillWorkflow-trusted-paused-at-approve-go-live");
  }

  @Test
  void drillPausedAtTheManualTask() throws Exception {
    DrillWorkflow drill = start(RunbookTesting.request(platform(Approvals.anyone()), Mode.APPLY, "alice", Map.of("manual-task", "true")));
    approvePlan(drill, "bob");
    approve(drill, "approve-go-live", "bob");
    awaitStatus(drill, "the manual task", s -> s.openTask() != null);
    keep("DrillWorkflow-trusted-paused-at-provision-hosts");
  }

  @Test
  void drillPausedForAnOperator() throws Exception {
    world.failNext("alpha", 1);
    DrillWorkflow drill = start(RunbookTesting.apply(platform(Approvals.anyone()), "alice"));
    approvePlan(drill, "bob");
    awaitStatus(drill, "create-alpha to fail", s -> s.awaitingOperator() != null);
    keep("DrillWorkflow-trusted-paused-at-operator-create-alpha");
  }

  private DrillWorkflow start(RunbookRequest request) {
    RunbookLauncher.start(client, "drill", "DrillWorkflow", request, taskQueue);
    return client.newWorkflowStub(DrillWorkflow.class, RunbookLauncher.workflowId("drillplat", "drill"));
  }

  private void keep(String name) throws Exception {
    RunbookTesting.keepHistory(client, RunbookLauncher.workflowId("drillplat", "drill"), DrillWorkflowImpl.class, name);
  }
}
