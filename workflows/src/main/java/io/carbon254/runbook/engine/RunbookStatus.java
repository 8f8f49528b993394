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
    List<String> notes) {}
