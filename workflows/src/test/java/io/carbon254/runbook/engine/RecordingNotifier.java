package io.carbon254.runbook.engine;

import io.carbon254.runbook.config.Notifications;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Keeps the notifications a run sends; can be told to fail like a chat outage. */
public class RecordingNotifier implements NotifierActivities {

  final List<Notification> sent = Collections.synchronizedList(new ArrayList<>());
  volatile boolean down;
  volatile boolean unconfigured;

  @Override
  public NotificationResult notify(Notifications targets, Notification notification) {
    if (down) {
      throw ApplicationFailure.newFailure("webhook 'team-chat' answered 503 Service Unavailable", "WebhookUnavailable");
    }
    if (unconfigured) {
      return new NotificationResult(0, List.of("webhook 'team-chat': environment variable TEAM_CHAT_URL is not set in the worker"));
    }
    sent.add(notification);
    return NotificationResult.delivered(1);
  }

  List<Notification.Kind> kinds() {
    synchronized (sent) {
      return sent.stream().map(Notification::kind).toList();
    }
  }
}
