package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.Commands;
import io.carbon254.runbook.engine.ChildView;
import io.carbon254.runbook.engine.GateView;
import io.carbon254.runbook.engine.OperatorWaitView;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.StepState;
import io.carbon254.runbook.engine.StepView;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;

/** A run's status as a table for a terminal. */
final class StatusTable {

  private StatusTable() {}

  static String render(RunbookStatus s, Instant now) {
    StringBuilder out = new StringBuilder();
    out.append(s.workflowId()).append("  ").append(s.state())
        .append(s.mode() == null ? "" : "  (" + s.mode() + ", started by " + s.initiator() + ")").append('\n');
    int width = s.steps().stream().mapToInt(step -> step.id().length()).max().orElse(4);
    for (StepView step : s.steps()) {
      out.append("  ").append(step.state().mark()).append(' ')
          .append(pad(step.id(), width)).append("  ")
          .append(pad(step.state().name(), 11)).append(' ')
          .append(pad(timing(step, now), 8)).append(' ')
          .append(step.attempts() > 1 ? "attempt " + step.attempts() + "  " : "")
          .append(step.change() == null ? "" : step.change() + "  ")
          .append(step.state() == StepState.FAILED && step.lastError() != null ? "✗ " + step.lastError()
              : step.summary() == null ? step.title() : step.summary())
          .append('\n');
    }
    GateView gate = s.openGate();
    if (gate != null) {
      out.append("\nWaiting for approval: ").append(gate.gate()).append(" #").append(gate.instance())
          .append(" — ").append(gate.approvals()).append(" of ").append(gate.requiredApprovals()).append(" approvals")
          .append(gate.allowedApprovers().isEmpty() ? "" : ", allowed: " + String.join(", ", gate.allowedApprovers()))
          .append(gate.forbidInitiator() ? ", not " + s.initiator() + " (four eyes)" : "")
          .append(gate.deadline() == null ? "" : ", deadline " + gate.deadline()).append('\n')
          .append(indent(gate.prompt())).append('\n')
          .append("  ").append(Commands.approve(s.workflowId(), gate.gate())).append('\n')
          .append("  ").append(Commands.reject(s.workflowId(), gate.gate())).append('\n');
    }
    if (s.openTask() != null) {
      out.append("\nManual task: ").append(s.openTask().task()).append(" — ").append(s.openTask().title()).append('\n');
      s.openTask().checklist().forEach(item -> out.append("  [ ] ").append(item).append('\n'));
      if (s.openTask().lastVerification() != null) {
        out.append("  ✗ ").append(s.openTask().lastVerification()).append('\n');
      }
      out.append("  ").append(Commands.taskDone(s.workflowId(), s.openTask().task())).append('\n');
    }
    for (OperatorWaitView wait : s.operatorWaits()) {
      out.append("\nWaiting for an operator: ").append(wait.step()).append(": ").append(wait.error()).append('\n');
      if (wait.whyNoSkip() != null) {
        out.append("  (cannot be skipped: ").append(wait.whyNoSkip()).append(")\n");
      }
      out.append("  ").append(Commands.decide(s.workflowId(), wait.step(), wait.actions())).append('\n');
    }
    if (!s.children().isEmpty()) {
      out.append("\nChild runbooks:\n");
      for (ChildView child : s.children()) {
        out.append("  ").append(pad(child.runbook(), 20)).append(' ')
            .append(pad(child.outcome() != null ? child.outcome().name() : child.state().name(), 17))
            .append(child.outcome() == null && child.currentStep() != null ? " step " + child.currentStep() : "")
            .append(child.outcome() == null && child.waiting() != null
                ? "  ⏸ " + child.waiting() + " in " + child.waitingIn() + " — answer it here: the commands reach it" : "")
            .append('\n');
      }
    }
    for (Map.Entry<String, String> output : s.outputs().entrySet()) {
      out.append('\n').append(output.getKey()).append(":\n").append(indent(output.getValue())).append('\n');
    }
    return out.toString();
  }

  /**
   * What the running activities are doing: attempt, the progress they last heartbeated, and how
   * long ago — so a long copy or a wait for a rollout shows that it is alive.
   */
  static String progress(DescribeWorkflowExecutionResponse description, Instant now) {
    StringBuilder out = new StringBuilder();
    for (PendingActivityInfo activity : description.getPendingActivitiesList()) {
      out.append("  ⟳ ").append(activity.getActivityType().getName())
          .append(" ").append(activity.getState().name().replace("PENDING_ACTIVITY_STATE_", "").toLowerCase(Locale.ROOT))
          .append(activity.getAttempt() > 1 ? ", attempt " + activity.getAttempt() : "");
      if (activity.hasHeartbeatDetails() && activity.getHeartbeatDetails().getPayloadsCount() > 0) {
        out.append(", progress ")
            .append(activity.getHeartbeatDetails().getPayloads(0).getData().toStringUtf8());
      }
      if (activity.hasLastHeartbeatTime()) {
        Instant beat = Instant.ofEpochSecond(activity.getLastHeartbeatTime().getSeconds(), activity.getLastHeartbeatTime().getNanos());
        out.append(", last heartbeat ").append(human(Duration.between(beat, now))).append(" ago");
      }
      if (activity.hasLastFailure()) {
        out.append(", last failure: ").append(activity.getLastFailure().getMessage());
      }
      out.append('\n');
    }
    return out.length() == 0 ? "" : "\nRunning now:\n" + out;
  }

  private static String timing(StepView step, Instant now) {
    if (step.startedAt() == null) {
      return "";
    }
    Instant start = Instant.parse(step.startedAt());
    Instant end = step.endedAt() == null ? now : Instant.parse(step.endedAt());
    return human(Duration.between(start, end));
  }

  static String human(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 60) {
      return d.toMillis() < 1000 ? d.toMillis() + "ms" : s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
    }
    return s / 3600 + "h" + (s % 3600 / 60 == 0 ? "" : s % 3600 / 60 + "m");
  }

  private static String indent(String text) {
    return text.strip().lines().map(line -> "    " + line).reduce((a, b) -> a + "\n" + b).orElse("");
  }

  private static String pad(String text, int width) {
    return text.length() >= width ? text : text + " ".repeat(width - text.length());
  }
}
