package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.Approvals;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.Notifications;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.DrillWorkflowImpl;
import io.carbon254.runbook.engine.DrillWorld;
import io.carbon254.runbook.engine.FleetWorkflow;
import io.carbon254.runbook.engine.FleetWorkflowImpl;
import io.carbon254.runbook.engine.FleetWorld;
import io.carbon254.runbook.engine.Mode;
import io.carbon254.runbook.engine.RecordingNotifier;
import io.carbon254.runbook.engine.RunbookLauncher;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.RunbookTesting;
import io.carbon254.runbook.engine.TestPlatforms;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * People answer a child runbook through its parent: the engine's fleet runbook runs the drill as a
 * child, and the CLI's approve, reject and status, given the parent, reach the child run where the
 * gate is open.
 */
class ChildRoutingTest {

  private static DevEnvironment dev;
  private static WorkerFactory workers;
  private static String address;

  @BeforeAll
  static void start(@TempDir Path state) {
    int port = DevEnvironment.freePort();
    dev = DevEnvironment.start(port, ConfigLoader.loadDefault(), false, false, state);
    address = "127.0.0.1:" + port;
    workers = WorkerFactory.newInstance(dev.temporal.client());
    Worker worker = workers.newWorker(RunbookLauncher.TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(FleetWorkflowImpl.class, DrillWorkflowImpl.class);
    worker.registerActivitiesImplementations(new FleetWorld(), new DrillWorld(), new RecordingNotifier(), new TestPlatforms());
    workers.start();
  }

  @AfterAll
  static void stop() {
    workers.shutdownNow();
    dev.close();
  }

  @Test
  void approvingTheParentReachesTheGateOfItsChild() {
    WorkflowClient client = dev.temporal.client();
    // The platform of the default configuration, so that the CLI's 'fleet' means 254carbon/fleet.
    RunbookLauncher.start(client, "fleet", "FleetWorkflow", RunbookTesting.request(
        PlatformConfig.of("254carbon", Approvals.anyone(), Notifications.none()), Mode.APPLY, "alice",
        Map.of("hosts", "h1")), RunbookLauncher.TASK_QUEUE);
    FleetWorkflow fleet = client.newWorkflowStub(FleetWorkflow.class, "254carbon/fleet");
    await(fleet, s -> s.children().stream().anyMatch(c -> "gate approve-plan #1".equals(c.waiting())));

    CliTest.Run status = CliTest.runbook("status", "fleet", "--address", address);
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out()).contains("Child runbooks:").contains("drill").contains("AWAITING_APPROVAL")
        .contains("⏸ gate approve-plan #1 in 254carbon/fleet/drill");

    String hash = fleetChild().openGate().shownHash();
    CliTest.Run wrongChild = CliTest.runbook("approve", "fleet", "--child", "coffee", "--as", "bob", "--yes",
        "--expect-hash", hash, "--address", address);
    assertThat(wrongChild.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(wrongChild.err()).contains("no child runbook 'coffee' in 254carbon/fleet (its children: drill)");

    CliTest.Run approved = CliTest.runbook("approve", "fleet", "--as", "bob", "--yes", "--expect-hash", hash,
        "--address", address);
    assertThat(approved.exitCode()).as(approved.err()).isZero();
    assertThat(approved.out()).contains("approved approve-plan #1 of 254carbon/fleet/drill as bob");

    await(fleet, s -> s.children().stream().anyMatch(c -> "gate approve-go-live #1".equals(c.waiting())));
    CliTest.Run rejected = CliTest.runbook("reject", "fleet", "--child", "drill", "--as", "carol",
        "--reason", "not this week", "--address", address);
    assertThat(rejected.exitCode()).as(rejected.err()).isZero();
    assertThat(rejected.out()).contains("rejected approve-go-live #1 of 254carbon/fleet/drill as carol");

    RunbookResult result = WorkflowStub.fromTyped(fleet).getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.children()).singleElement().satisfies(c -> assertThat(c.outcome())
        .isEqualTo(RunbookResult.Outcome.SUCCEEDED));
  }

  /** The drill child's status, as its own run answers it. */
  private static RunbookStatus fleetChild() {
    return dev.temporal.client().newWorkflowStub(io.carbon254.runbook.engine.DrillWorkflow.class, "254carbon/fleet/drill").status();
  }

  private static RunbookStatus await(FleetWorkflow fleet, Predicate<RunbookStatus> until) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    RunbookStatus status = null;
    while (System.nanoTime() < deadline) {
      status = fleet.status();
      if (until.test(status)) {
        return status;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    throw new AssertionError("the fleet did not get there within 30 s; it is: " + status);
  }
}
