package io.carbon254.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.GatePolicy;
import io.carbon254.runbook.config.TimeoutOutcome;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A worker on the happy path logs no failure: here with the workflow cache off, as on the embedded
 * test server, where every workflow task ends by closing the run's state — the moment the SDK
 * reports failures nobody looked at.
 */
class QuietWorkerTest {

  @Test
  void gatesDecidedBeforeTheirRemindersLeaveNoUnhandledFailureInTheLog() {
    try (LogCapture log = LogCapture.start();
        TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
            .setWorkerFactoryOptions(WorkerFactoryOptions.newBuilder().setWorkflowCacheSize(0).build())
            .build())) {
      RunbookSearchAttributes.ALL.forEach(env::registerSearchAttribute);
      Worker worker = env.newWorker("quiet", WorkerOptions.newBuilder()
          .setStickyQueueScheduleToStartTimeout(Duration.ZERO).build());
      worker.registerWorkflowImplementationTypes(DrillWorkflowImpl.class);
      worker.registerActivitiesImplementations(new DrillWorld(), new RecordingNotifier(), new TestPlatforms());
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      RunbookLauncher.start(client, "drill", "DrillWorkflow", RunbookEngineTest.apply(RunbookEngineTest.goLivePolicy(
          new GatePolicy(1, List.of(), false, "2d", "1h", TimeoutOutcome.FAIL))), "quiet");
      DrillWorkflow drill = client.newWorkflowStub(DrillWorkflow.class, "drillplat/drill");

      RunbookTesting.approve(drill, "approve-plan", "bob");
      RunbookTesting.approve(drill, "approve-go-live", "bob");

      assertThat(RunbookTesting.result(drill).outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
      assertThat(log.lines()).as("the timers cancelled by the decisions were handled")
          .noneMatch(line -> line.contains("never accessed"));
    }
  }
}
