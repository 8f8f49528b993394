package io.carbon254.runbook.engine;

/**
 * Renders a run's status as the Markdown the Web UI shows as "current details": the checklist of
 * steps, and for whatever waits for a person, what to do and the exact command that does it.
 */
public final class DetailsRenderer {

  private DetailsRenderer() {}

  public static String render(RunbookStatus s) {
    StringBuilder md = new StringBuilder();
    md.append("**").append(s.runbook()).append("** on **").append(s.platform()).append("** · ")
        .append(s.state()).append(s.mode() == Mode.PLAN ? " · plan only" : "")
        .append(" · started by ").append(s.initiator()).append("\n\n");
    for (StepView step : s.steps()) {
      md.append("- ").append(step.state().mark()).append(" `").append(step.id()).append("` ").append(step.title());
      if (step.change() != null) {
        md.append(" — ").append(step.change());
      }
      if (step.summary() != null && !step.summary().isBlank()) {
        md.append(step.change() != null ? ": " : " — ").append(step.summary());
      }
      if (step.state() == StepState.FAILED && step.lastError() != null) {
        md.append(" — ✗ ").append(step.lastError());
      }
      md.append('\n');
    }
    GateView gate = s.openGate();
    if (gate != null) {
      md.append("\n### Waiting for approval: `").append(gate.gate()).append("` #").append(gate.instance()).append("\n\n")
          .append(gate.prompt()).append("\n\n")
          .append("Approvals ").append(gate.approvals()).append(" of ").append(gate.requiredApprovals())
          .append(gate.allowedApprovers().isEmpty() ? " · anyone may approve"
              : " · allowed: " + String.join(", ", gate.allowedApprovers()))
          .append(gate.forbidInitiator() ? " · four eyes: " + s.initiator() + " may not approve" : "")
          .append(gate.deadline() == null ? "" : " · deadline " + gate.deadline()).append("\n\n")
          .append("Answer with the CLI:\n\n    ").append(Commands.approve(s.workflowId(), gate.gate()))
          .append("\n    ").append(Commands.reject(s.workflowId(), gate.gate()))
          .append("\n\nor in the Web UI: Send Signal `approve` (or `reject`) with input\n\n    ")
          .append(Commands.approveSignalInput(gate.gate(), gate.instance(), gate.planHash())).append('\n');
    }
    ManualTaskView task = s.openTask();
    if (task != null) {
      md.append("\n### Manual task: `").append(task.task()).append("` ").append(task.title()).append("\n\n");
      task.checklist().forEach(item -> md.append("- [ ] ").append(item).append('\n'));
      if (task.lastVerification() != null) {
        md.append("\n✗ ").append(task.lastVerification()).append('\n');
      }
      md.append("\nWhen done:\n\n    ").append(Commands.taskDone(s.workflowId(), task.task()))
          .append("\n\nor in the Web UI: Send Signal `manualTaskDone` with input\n\n    ")
          .append(Commands.taskDoneSignalInput(task.task())).append('\n');
    }
    if (s.awaitingOperator() != null) {
      md.append("\n### Waiting for an operator: step `").append(s.awaitingOperator()).append("` failed\n\n")
          .append(s.lastError()).append("\n\nDecide:\n\n    ").append(Commands.decide(s.workflowId(), s.awaitingOperator()))
          .append("\n\nor in the Web UI: Send Signal `operatorAction` with input\n\n    ")
          .append(Commands.operatorSignalInput(s.awaitingOperator())).append('\n');
    }
    return md.toString();
  }
}
