package io.carbon254.runbook.engine;

/**
 * A message for the platform team's chat.
 *
 * @param kind why it is sent
 * @param title one line
 * @param markdown the body (Slack mrkdwn-compatible Markdown)
 * @param command the exact CLI command that answers it, or null
 */
public record Notification(Kind kind, String runbook, String workflowId, String title, String markdown, String command) {

  public enum Kind {
    GATE_OPENED,
    GATE_REMINDER,
    MANUAL_TASK,
    AWAITING_OPERATOR
  }
}
