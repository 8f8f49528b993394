package io.carbon254.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.carbon254.runbook.config.Approvals;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptorBase;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.NonDeterministicException;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.workflow.Workflow;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The versioning route ({@link Versions}): runs that wait at a gate for days survive a change to
 * the workflow code if, and only if, the change is guarded.
 *
 * <p>The deliberate change is one an operator could well ask for: "record every change of a run's
 * state in an audit log" — an extra activity before each state change, so it lands right where
 * every recorded run paused (a gate opening, an operator wait, a manual task). It is made in a
 * worker interceptor, so the same change applies to every runbook at once. Every history paused at
 * a gate, manual task or operator wait replays with the guarded change and fails without the guard.
 */
class UpgradeTest {

  /** The audit log of the deliberate change. */
  @ActivityInterface
  public interface AuditActivities {
    void recordState(String workflowId, String state);
  }

  public static final class AuditLog implements AuditActivities {
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void recordState(String workflowId, String state) {
      lines.add(workflowId + " " + state);
    }
  }

  /** Adds the audit call before every RunbookState change; {@code guarded} through {@link Versions}. */
  static final class AuditStateChanges extends WorkerInterceptorBase {
    private final boolean guarded;

    AuditStateChanges(boolean guarded) {
      this.guarded = guarded;
    }

    @Override
    public WorkflowInboundCallsInterceptor interceptWorkflow(WorkflowInboundCallsInterceptor next) {
      return new WorkflowInboundCallsInterceptorBase(next) {
        @Override
        public void init(WorkflowOutboundCallsInterceptor outbound) {
          super.init(new WorkflowOutboundCallsInterceptorBase(outbound) {
            @Override
            public void upsertTypedSearchAttributes(SearchAttributeUpdate<?>... updates) {
              for (SearchAttributeUpdate<?> update : updates) {
                if (update.getKey().equals(RunbookSearchAttributes.RUNBOOK_STATE)
                    && (!guarded || Versions.patched("audit-state-changes"))) {
                  Workflow.newActivityStub(AuditActivities.class, ActivityOptions.newBuilder()
                          .setStartToCloseTimeout(Duration.ofSeconds(10)).build())
                      .recordState(Workflow.getInfo().getWorkflowId(), String.valueOf(update.getValue().orElse(null)));
                }
              }
              super.upsertTypedSearchAttributes(updates);
            }
          });
        }
      };
    }
  }

  @TestFactory
  Stream<DynamicTest> everyPausedRunReplaysAfterTheGuardedChange() throws IOException {
    return pausedHistories().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
        () -> assertThatCode(() -> replay(file, new AuditStateChanges(true))).doesNotThrowAnyException()));
  }

  @TestFactory
  Stream<DynamicTest> everyPausedRunFailsToReplayWithoutTheGuard() throws IOException {
    return pausedHistories().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      Throwable failed = catchThrowable(() -> replay(file, new AuditStateChanges(false)));
      assertThat(failed).as("an unguarded change breaks a run paused in %s", file.getFileName()).isNotNull();
      assertThat(isNondeterminism(failed)).as("failed as nondeterministic: %s", failed).isTrue();
    }));
  }

  @Test
  void aRunStartedAfterTheChangeTakesItAndReplaysWithIt() throws Exception {
    AuditLog audit = new AuditLog();
    try (TestWorkflowEnvironment env = environment(new AuditStateChanges(true))) {
      Worker worker = env.newWorker("upgrade");
      worker.registerWorkflowImplementationTypes(DrillWorkflowImpl.class);
      worker.registerActivitiesImplementations(new DrillWorld(), new RecordingNotifier(), audit, new TestPlatforms());
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      RunbookLauncher.start(client, "drill", "DrillWorkflow",
          RunbookTesting.apply(RunbookEngineTest.platform(Approvals.anyone()), "alice"), "upgrade");
      DrillWorkflow drill = client.newWorkflowStub(DrillWorkflow.class, "drillplat/drill");
      RunbookTesting.approve(drill, "approve-plan", "bob");
      RunbookTesting.awaitGate(drill, "approve-go-live");

      assertThat(audit.lines).contains("drillplat/drill AWAITING_APPROVAL", "drillplat/drill RUNNING");
      WorkflowExecutionHistory history = Histories.of(client.fetchHistory("drillplat/drill").getHistory(), "drillplat/drill");
      assertThatCode(() -> replay(history, new AuditStateChanges(true))).doesNotThrowAnyException();
    }
  }

  private static void replay(Path file, AuditStateChanges change) throws Exception {
    replay(Histories.read(file), change);
  }

  private static void replay(WorkflowExecutionHistory history, AuditStateChanges change) throws Exception {
    try (TestWorkflowEnvironment env = environment(change)) {
      Worker worker = env.newWorker("replay");
      ReplayTest.workflowTypes().values().forEach(worker::registerWorkflowImplementationTypes);
      WorkflowReplayer.replayWorkflowExecution(history, worker);
    }
  }

  private static TestWorkflowEnvironment environment(AuditStateChanges change) {
    return Histories.replayEnvironment(change);
  }

  static List<Path> pausedHistories() throws IOException {
    return ReplayTest.histories().stream().filter(f -> f.getFileName().toString().contains("-paused-at-")).toList();
  }

  /** The replayer reports nondeterminism as a cause or, through its replay query, in the message. */
  private static boolean isNondeterminism(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof NonDeterministicException
          || (c.getMessage() != null && c.getMessage().contains(NonDeterministicException.class.getName()))) {
        return true;
      }
    }
    return false;
  }
}
