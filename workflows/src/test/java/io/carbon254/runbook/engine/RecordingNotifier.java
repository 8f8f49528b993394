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

  @Override
  public void notify(Notifications targets, Notification notification) {
    if (down) {
      throw ApplicationFailure.newFailure("webhook 'team-chat' answered 503 Service Unavailable", "WebhookUnavailable");
    }
    sent.add(notification);
  }

  List<Notification.Kind> kinds() {
    synchronized (sent) {
      return sent.stream().map(Notification::kind).toList();
    }
  }
}
