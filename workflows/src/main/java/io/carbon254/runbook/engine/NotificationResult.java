package io.carbon254.runbook.engine;

import java.util.List;

/**
 * What became of a notification: how many webhooks took it, and why the others did not (a webhook
 * whose URL is not configured in the worker, a chat outage). A notification is best effort: a
 * problem is noted in the run's status, never thrown.
 */
public record NotificationResult(int delivered, List<String> problems) {

  public NotificationResult {
    problems = problems == null ? List.of() : List.copyOf(problems);
  }

  public static NotificationResult delivered(int count) {
    return new NotificationResult(count, List.of());
  }
}
