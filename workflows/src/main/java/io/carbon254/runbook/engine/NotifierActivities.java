package io.carbon254.runbook.engine;

import io.carbon254.runbook.config.Notifications;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Tells people that a run needs them. */
@ActivityInterface
public interface NotifierActivities {

  /**
   * Posts the notification to every webhook (Slack-compatible JSON). The webhook URLs are secret
   * references resolved in the worker; they never come back.
   */
  @ActivityMethod
  void notify(Notifications targets, Notification notification);
}
