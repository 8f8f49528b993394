package io.carbon254.runbook.engine;

import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.api.common.v1.WorkflowExecution;
import io.carbon254.runbook.trust.SignedMessages;

/**
 * Starts runbooks the one way they are started: deterministic workflow id {@code
 * <platform>/<runbook>}, so that a runbook runs at most once at a time on a platform, with the
 * static summary and search attributes the Web UI shows from the first moment.
 */
public final class RunbookLauncher {

  /** The task queue every runbook workflow and activity runs on. */
  public static final String TASK_QUEUE = "runbooks";

  private RunbookLauncher() {}

  public static String workflowId(String platform, String runbook) {
    return platform + "/" + runbook;
  }

  public static WorkflowOptions options(String runbook, RunbookRequest request, String taskQueue) {
    String platform = request.platformId();
    return WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId(platform, runbook))
        .setTaskQueue(taskQueue)
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
        .setStaticSummary(runbook + " on " + platform + (request.mode() == Mode.PLAN ? " (plan only)" : "")
            + ", started by " + request.initiator())
        .setStaticDetails("Runbook `" + runbook + "` on platform `" + platform + "`, mode " + request.mode()
            + ", started by " + request.initiator() + ". Current details show the steps and what waits for a person.")
        .setTypedSearchAttributes(SearchAttributes.newBuilder()
            .set(RunbookSearchAttributes.RUNBOOK_NAME, runbook)
            .set(RunbookSearchAttributes.PLATFORM, platform)
            .set(RunbookSearchAttributes.RUNBOOK_STATE, RunbookState.PLANNING.name())
            .set(RunbookSearchAttributes.AWAITING_APPROVAL, false)
            .build())
        .build();
  }

  /**
   * The exact text an initiator signs to start {@code runbook} with {@code request} on the
   * namespace of {@code client} (see {@code SignedMessages.start}).
   */
  public static String startMessage(WorkflowClient client, String runbook, RunbookRequest request, String expires) {
    return SignedMessages.start(client.getOptions().getNamespace(), workflowId(request.platformId(), runbook), runbook,
        request.mode().name(), request.options(), request.initiator(), expires);
  }

  /** Signs the start with {@code signer} (the text → the signature) and starts the runbook. */
  public static WorkflowExecution startSigned(WorkflowClient client, String runbook, String workflowType,
      RunbookRequest request, String taskQueue, String expires, java.util.function.Function<String, Signature> signer) {
    Signature signature = signer.apply(startMessage(client, runbook, request, expires));
    return start(client, runbook, workflowType, request.signed(signature), taskQueue);
  }

  /**
   * Starts runbook {@code runbook} (its workflow type is {@code workflowType}) and returns the
   * started execution. If the runbook already runs on this platform, throws {@link
   * AlreadyRunningException} naming who started it.
   */
  public static WorkflowExecution start(WorkflowClient client, String runbook, String workflowType,
      RunbookRequest request, String taskQueue) {
    WorkflowOptions options = options(runbook, request, taskQueue);
    WorkflowStub stub = client.newUntypedWorkflowStub(workflowType, options);
    try {
      return stub.start(request);
    } catch (WorkflowExecutionAlreadyStarted e) {
      String startedBy = "someone";
      try {
        RunbookStatus running = client.newUntypedWorkflowStub(options.getWorkflowId()).query("status", RunbookStatus.class);
        startedBy = running.initiator();
      } catch (RuntimeException queryFailed) {
        // The run exists; who started it is a courtesy.
      }
      throw new AlreadyRunningException(options.getWorkflowId(), startedBy);
    }
  }

  /** A runbook is already running on this platform. */
  public static final class AlreadyRunningException extends RuntimeException {
    private final String workflowId;
    private final String startedBy;

    public AlreadyRunningException(String workflowId, String startedBy) {
      super("runbook " + workflowId + " is already running (started by " + startedBy
          + "); watch it with 'runbook status " + workflowId + "' or cancel it with 'runbook cancel " + workflowId + "'");
      this.workflowId = workflowId;
      this.startedBy = startedBy;
    }

    public String workflowId() {
      return workflowId;
    }

    public String startedBy() {
      return startedBy;
    }
  }
}
