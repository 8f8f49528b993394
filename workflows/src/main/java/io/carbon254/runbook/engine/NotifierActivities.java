package io.carbon254.runbook.engine;

import io.carbon254.runbook.config.Notifications;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Tells people that a run needs them. */
@ActivityInterface
public interface NotifierActivities {

  /**
   * Posts the notification to every webhook (Slack-compatible JSON). The webhook URLs are secret
   * references resolved in the worker; they never come back. A webhook the worker is not configured
   * for (its URL's secret missing) is reported in the result, not thrown: retrying cannot mend it.
   * A chat that does not answer is thrown, and retried.
   */
  @ActivityMethod
  NotificationResult notify(Notifications targets, Notification notification);
}
