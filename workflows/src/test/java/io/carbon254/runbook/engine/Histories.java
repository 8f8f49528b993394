package io.carbon254.runbook.engine;

import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.History;
import io.temporal.api.history.v1.WorkflowExecutionStartedEventAttributes;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.converter.DefaultDataConverter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Recorded histories with the workflow id of their run. The test server does not write the id into
 * the start event, and the replayer would make one up; workflow code that reads it (a child's id,
 * the commands shown to people) must replay as on a worker.
 *
 * <p>The run id cannot be given to the replayer: it replays every history as if the run had been
 * reset (a run id of its own). Workflow code therefore never derives what it creates from the run
 * id, only from what a reset keeps (the first execution's run id, {@code Workflow.randomUUID()}).
 */
public final class Histories {

  private Histories() {}

  public static WorkflowExecutionHistory read(Path file) {
    try {
      return of(WorkflowExecutionHistory.fromJson(Files.readString(file, StandardCharsets.UTF_8)).getHistory(), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code history} of the run {@code workflowId}, or — when null — of the id its start names. */
  public static WorkflowExecutionHistory of(History history, String workflowId) {
    WorkflowExecutionStartedEventAttributes started = history.getEvents(0).getWorkflowExecutionStartedEventAttributes();
    return new WorkflowExecutionHistory(history, workflowId != null ? workflowId : workflowIdOf(started));
  }

  /**
   * Replays {@code history} on {@code implementations} in the namespace the tests record in
   * ({@code UnitTest}): a run's signed decisions name its namespace, as they do on a worker.
   */
  public static void replay(WorkflowExecutionHistory history, Class<?>... implementations) throws Exception {
    try (io.temporal.testing.TestWorkflowEnvironment env = replayEnvironment(null)) {
      io.temporal.worker.Worker worker = env.newWorker("replay");
      worker.registerWorkflowImplementationTypes(implementations);
      io.temporal.testing.WorkflowReplayer.replayWorkflowExecution(history, worker);
    }
  }

  /** A test environment for replays: the recording namespace, and the worker's interceptors if any. */
  public static io.temporal.testing.TestWorkflowEnvironment replayEnvironment(
      io.temporal.common.interceptors.WorkerInterceptor interceptor) {
    io.temporal.worker.WorkerFactoryOptions.Builder factory = io.temporal.worker.WorkerFactoryOptions.newBuilder();
    if (interceptor != null) {
      factory.setWorkerInterceptors(interceptor);
    }
    io.temporal.testing.TestWorkflowEnvironment env = io.temporal.testing.TestWorkflowEnvironment.newInstance(
        io.temporal.testing.TestEnvironmentOptions.newBuilder()
            .setWorkflowClientOptions(io.temporal.client.WorkflowClientOptions.newBuilder().setNamespace(NAMESPACE).build())
            .setWorkerFactoryOptions(factory.build())
            .build());
    RunbookSearchAttributes.ALL.forEach(env::registerSearchAttribute);
    return env;
  }

  /** The namespace of the test environment (TestWorkflowExtension's default), where histories are recorded. */
  public static final String NAMESPACE = "UnitTest";

  /** {@code <platform>/<runbook>}, or {@code <parent>/<runbook>} for a child, from the run's start. */
  static String workflowIdOf(WorkflowExecutionStartedEventAttributes started) {
    if (!started.getWorkflowId().isEmpty()) {
      return started.getWorkflowId();
    }
    String runbook = attribute(started, RunbookSearchAttributes.RUNBOOK_NAME.getName());
    if (started.hasParentWorkflowExecution()) {
      return started.getParentWorkflowExecution().getWorkflowId() + "/" + runbook;
    }
    return attribute(started, RunbookSearchAttributes.PLATFORM.getName()) + "/" + runbook;
  }

  private static String attribute(WorkflowExecutionStartedEventAttributes started, String name) {
    Payload payload = started.getSearchAttributes().getIndexedFieldsOrThrow(name);
    return DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload, String.class, String.class);
  }
}
