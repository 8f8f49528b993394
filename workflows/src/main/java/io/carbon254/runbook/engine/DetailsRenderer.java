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
        .append(" · started by ").append(s.initiator())
        .append(s.platformHash() == null ? "" : " · worker's configuration `" + s.platformHash() + "`").append("\n\n");
    if (s.outputs().containsKey("score")) {
      md.append("Production readiness **").append(s.outputs().get("score")).append("**")
          .append(s.outputs().containsKey("score-before") ? " (" + s.outputs().get("score-before") + " at the start)" : "")
          .append("\n\n");
    }
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
          .append("Shown-hash `").append(gate.shownHash()).append("` (what a decision names)\n\n")
          .append("Answer with the CLI:\n\n    ").append(Commands.approve(s.workflowId(), gate.gate()))
          .append("\n    ").append(Commands.reject(s.workflowId(), gate.gate()));
      if ("SIGNED".equals(s.identity())) {
        md.append("\n\nor in the Web UI: Send Signal `approve` (or `reject`) with the signed input that\n\n    ")
            .append(Commands.sign(s.workflowId(), gate.shownHash()))
            .append("\n\nprints (decisions on this platform are signed by an allowed signer's SSH key)\n");
      } else {
        md.append("\n\nor in the Web UI: Send Signal `approve` (or `reject`) with input\n\n    ")
            .append(Commands.approveSignalInput(gate.gate(), gate.instance(), gate.planHash())).append('\n');
      }
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
    for (OperatorWaitView wait : s.operatorWaits()) {
      md.append("\n### Waiting for an operator: step `").append(wait.step()).append("` failed\n\n")
          .append(wait.error()).append("\n\n");
      if (wait.whyNoSkip() != null) {
        md.append("It cannot be skipped: ").append(wait.whyNoSkip()).append(".\n\n");
      }
      md.append("Decide:\n\n    ").append(Commands.decide(s.workflowId(), wait.step(), wait.actions()))
          .append("\n\nor in the Web UI: Send Signal `operatorAction` with input\n\n    ")
          .append(Commands.operatorSignalInput(wait.step(), wait.actions())).append('\n');
    }
    if (!s.children().isEmpty()) {
      md.append("\n### Child runbooks\n\n");
      for (ChildView child : s.children()) {
        md.append("- `").append(child.runbook()).append("` ").append(child.workflowId()).append(" · ")
            .append(child.outcome() != null ? child.outcome().name() : child.state().name());
        if (child.outcome() == null && child.currentStep() != null) {
          md.append(" · step `").append(child.currentStep()).append('`');
        }
        if (child.outcome() == null && child.waiting() != null) {
          md.append(" · waiting: ").append(child.waiting()).append(" in ").append(child.waitingIn())
              .append(" — answer with `runbook status ").append(child.waitingIn()).append('`');
        }
        md.append('\n');
      }
    }
    return md.toString();
  }
}
