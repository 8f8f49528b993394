package io.carbon254.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.trust.SignedMessages;
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

  /** The test environment of this test, whose clock (ahead of the wall clock after time skips) signatures expire by. */
  private static volatile io.temporal.testing.TestWorkflowEnvironment environment;

  /** Signatures made by this class expire by {@code env}'s clock (a test that starts its environment itself). */
  public static void useClockOf(io.temporal.testing.TestWorkflowEnvironment env) {
    environment = env;
  }

  /** Registers the test's activities (and the platforms it serves) and starts the environment. */
  public static Started startWorker(io.temporal.testing.TestWorkflowEnvironment env, io.temporal.worker.Worker worker,
      WorkflowClient client, Object... activities) {
    environment = env;
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

  /**
   * Approves the open instance of {@code gate} as each of {@code actors}, with the plan hash it shows;
   * where the platform takes signed decisions, each signed with the actor's test key.
   */
  public static void approve(RunbookWorkflow run, String gate, String... actors) {
    RunbookStatus status = awaitStatus(run, "gate " + gate + " to open",
        s -> s.openGate() != null && s.openGate().gate().equals(gate));
    GateView open = status.openGate();
    for (String actor : actors) {
      run.decide(signed(status, Decision.approve(gate, open.instance(), actor, open.planHash())));
    }
  }

  public static void reject(RunbookWorkflow run, String gate, String actor, String reason) {
    RunbookStatus status = awaitStatus(run, "gate " + gate + " to open",
        s -> s.openGate() != null && s.openGate().gate().equals(gate));
    run.decide(signed(status, Decision.reject(gate, status.openGate().instance(), actor, reason)));
  }

  /** {@code d} for the open gate of {@code status}, signed by its actor's test key where the run takes signed decisions. */
  public static Decision signed(RunbookStatus status, Decision d) {
    if (!"SIGNED".equals(status.identity())) {
      return d;
    }
    String expires = TestKeys.tenMinutesAfter(status.openGate().openedAt());
    return d.signed(TestKeys.sign(d.actor(), status.platform(), SignedMessages.decision(status.namespace(),
        status.workflowId(), status.chainRunId(), d.gate(), d.instance(), d.verdict().name(), status.openGate().shownHash(),
        expires), expires));
  }

  /** Answers a failed step, signed by the actor's test key where the run takes signed decisions. */
  public static StepView operate(RunbookWorkflow run, OperatorAction action) {
    RunbookStatus status = awaitStatus(run, "step " + action.step() + " to wait for an operator",
        s -> s.operatorWaits().stream().anyMatch(w -> w.step().equals(action.step())));
    if (!"SIGNED".equals(status.identity())) {
      return run.operate(action);
    }
    OperatorWaitView wait = status.operatorWaits().stream().filter(w -> w.step().equals(action.step())).findFirst().orElseThrow();
    String expires = TestKeys.tenMinutesAfter(status.steps().stream().filter(st -> st.id().equals(action.step()))
        .findFirst().orElseThrow().startedAt());
    return run.operate(action.signed(TestKeys.sign(action.actor(), status.platform(), SignedMessages.operatorAction(
        status.namespace(), status.workflowId(), status.chainRunId(), action.step(), action.action().name(),
        wait.shownHash(), expires), expires)));
  }

  /** Reports a manual task done, signed by the actor's test key where the run takes signed decisions. */
  public static void taskDone(RunbookWorkflow run, ManualTaskReport report) {
    RunbookStatus status = run.status();
    if (!"SIGNED".equals(status.identity())) {
      run.manualTaskDone(report);
      return;
    }
    String expires = TestKeys.tenMinutesAfter(status.steps().stream().filter(st -> st.id().equals(report.task()))
        .findFirst().orElseThrow().startedAt());
    run.manualTaskDone(report.signed(TestKeys.sign(report.actor(), status.platform(), SignedMessages.taskDone(
        status.namespace(), status.workflowId(), status.chainRunId(), report.task(), report.values(), expires), expires)));
  }

  /**
   * Starts {@code runbook} with {@code request} on the test's worker: where the served platform
   * takes signed decisions, the start is signed by the initiator's test key.
   */
  public static io.temporal.api.common.v1.WorkflowExecution start(WorkflowClient client, String runbook,
      String workflowType, RunbookRequest request, String taskQueue) {
    PlatformConfig served = TestPlatforms.served(request.platformId());
    boolean signed = served != null && served.approvals() != null
        && served.approvals().identity() == io.carbon254.runbook.config.Identity.SIGNED;
    if (!signed) {
      return RunbookLauncher.start(client, runbook, workflowType, request, taskQueue);
    }
    long now = environment != null ? environment.currentTimeMillis() : System.currentTimeMillis();
    String expires = java.time.Instant.ofEpochMilli(now).plus(java.time.Duration.ofMinutes(10)).toString();
    return RunbookLauncher.startSigned(client, runbook, workflowType, request, taskQueue, expires,
        message -> TestKeys.sign(request.initiator(), request.platformId(), message, expires));
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
    Histories.replay(Histories.of(history.getHistory(), workflowId), implementation);
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
