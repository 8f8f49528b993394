package io.carbon254.runbook.engine;

import java.util.List;
import java.util.Map;

/**
 * The whole picture of a run, answered by the {@code status} query: what the CLI's {@code status}
 * and the Web UI's query tab show.
 *
 * @param openGate the gate waiting for decisions now, or null
 * @param openTask the manual task waiting for a person now, or null
 * @param awaitingOperator the step waiting for an operator's RETRY/SKIP/ABORT, or null
 * @param notes notable events: ignored signals, failed notifications, compensation results
 * @param operatorWaits every step waiting for an operator (several when parallel branches failed),
 *     with the answers each accepts
 * @param children the child runbooks this run started, with what waits for a person in each
 * @param parentWorkflowId the run that started this one as its child, or null
 * @param platformHash the hash of the worker's configuration of the platform this run works on
 *     (null for runs started before the worker decided it)
 * @param namespace the Temporal namespace, and
 * @param chainRunId the first run id of the run's chain (a reset and a continue-as-new keep it): with
 *     the workflow id, what a signed decision names
 * @param identity SIGNED (decisions must be signed by an allowed signer) or ASSERTED (typed names)
 */
public record RunbookStatus(
    String runbook,
    String platform,
    String workflowId,
    Mode mode,
    String initiator,
    RunbookState state,
    String currentStep,
    List<StepView> steps,
    List<GateView> gates,
    Plan plan,
    GateView openGate,
    ManualTaskView openTask,
    String awaitingOperator,
    String lastError,
    Map<String, String> outputs,
    List<String> notes,
    List<OperatorWaitView> operatorWaits,
    List<ChildView> children,
    String parentWorkflowId,
    String platformHash,
    String namespace,
    String chainRunId,
    String identity) {

  public RunbookStatus {
    operatorWaits = operatorWaits == null ? List.of() : List.copyOf(operatorWaits);
    children = children == null ? List.of() : List.copyOf(children);
  }
}
