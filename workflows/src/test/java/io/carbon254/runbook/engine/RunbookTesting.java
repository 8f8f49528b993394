package io.carbon254.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbon254.runbook.config.PlatformConfig;
import io.temporal.client.WorkflowClient;
import java.util.Map;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.function.Predicate;

/** What every runbook test does with a run: wait for it, answer it, read how it ended. */
public final class RunbookTesting {

  private RunbookTesting() {}

  /**
   * The Temporal test environment for runbook tests: time skipping, our search attributes
   * registered, these workflow implementations, started by {@link #startWorker} once the test has
   * its activities.
   */
  public static TestWorkflowExtension extension(Class<?>... workflowImplementations) {
    return withSearchAttributes(TestWorkflowExtension.newBuilder())
        .registerWorkflowImplementationTypes(workflowImplementations)
        .setDoNotStart(true)
        .build();
  }

  /** The client and the task queue of a started test environment. */
  public record Started(WorkflowClient client, String taskQueue) {}

  /** Registers the test's activities (and the platforms it serves) and starts the environment. */
  public static Started startWorker(io.temporal.testing.TestWorkflowEnvironment env, io.temporal.worker.Worker worker,
      WorkflowClient client, Object... activities) {
    worker.registerActivitiesImplementations(activities);
    worker.registerActivitiesImplementations(new TestPlatforms());
    env.start();
    return new Started(client, worker.getTaskQueue());
  }

  /** The extension builder with our search attributes registered (upserts fail without them). */
  public static TestWorkflowExtension.Builder withSearchAttributes(TestWorkflowExtension.Builder builder) {
    RunbookSearchAttributes.ALL.forEach(builder::registerSearchAttribute);
    return builder;
  }

  /** A request to run on {@code config}, which the test's worker then serves. */
  public static RunbookRequest request(PlatformConfig config, Mode mode, String initiator, Map<String, String> options) {
    TestPlatforms.serve(config);
    return new RunbookRequest(config.name(), mode, initiator, options);
  }

  public static RunbookRequest apply(PlatformConfig config, String initiator) {
    return request(config, Mode.APPLY, initiator, Map.of());
  }

  public static RunbookStatus awaitStatus(RunbookWorkflow run, String what, Predicate<RunbookStatus> until) {
    return Eventually.await(what, run::status, until);
  }

  public static GateView awaitGate(RunbookWorkflow run, String gate) {
    return awaitGate(run, gate, 1);
  }

  public static GateView awaitGate(RunbookWorkflow run, String gate, int instance) {
    return awaitStatus(run, "gate " + gate + " #" + instance + " to open",
        s -> s.openGate() != null && s.openGate().gate().equals(gate) && s.openGate().instance() == instance)
        .openGate();
  }

  /** Approves the open instance of {@code gate} as each of {@code actors}, with the plan hash it shows. */
  public static void approve(RunbookWorkflow run, String gate, String... actors) {
    GateView open = awaitStatus(run, "gate " + gate + " to open",
        s -> s.openGate() != null && s.openGate().gate().equals(gate)).openGate();
    for (String actor : actors) {
      run.decide(Decision.approve(gate, open.instance(), actor, open.planHash()));
    }
  }

  public static void reject(RunbookWorkflow run, String gate, String actor, String reason) {
    GateView open = awaitStatus(run, "gate " + gate + " to open",
        s -> s.openGate() != null && s.openGate().gate().equals(gate)).openGate();
    run.decide(Decision.reject(gate, open.instance(), actor, reason));
  }

  public static RunbookResult result(RunbookWorkflow run) {
    return WorkflowStub.fromTyped(run).getResult(RunbookResult.class);
  }

  public static ApplicationFailure failure(RunbookWorkflow run) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> result(run));
    assertThat(thrown).isInstanceOf(WorkflowFailedException.class);
    assertThat(thrown.getCause()).isInstanceOf(ApplicationFailure.class);
    return (ApplicationFailure) thrown.getCause();
  }

  /**
   * Replays the latest run of {@code workflowId} on today's {@code implementation}, and with
   * {@code -Drecord.histories=true} keeps it as {@code src/test/resources/histories/<name>.json}
   * for {@link ReplayTest}.
   */
  public static void keepHistory(WorkflowClient client, String workflowId, Class<?> implementation, String name)
      throws Exception {
    WorkflowExecutionHistory history = client.fetchHistory(workflowId);
    WorkflowReplayer.replayWorkflowExecution(Histories.of(history.getHistory(), workflowId), implementation);
    if (Boolean.getBoolean("record.histories")) {
      Files.createDirectories(ReplayTest.HISTORIES);
      Files.writeString(ReplayTest.HISTORIES.resolve(name + ".json"), history.toJson(true), StandardCharsets.UTF_8);
    }
  }

  public static void assertRefused(Runnable decision, String reason) {
    assertThatThrownBy(decision::run)
        .isInstanceOf(WorkflowUpdateException.class)
        .cause()
        .hasMessageContaining(reason);
  }
}
