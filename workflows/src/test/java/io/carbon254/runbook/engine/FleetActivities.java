package io.carbon254.runbook.engine;

import io.temporal.activity.ActivityInterface;

@ActivityInterface
public interface FleetActivities {

  Changed.Result enroll(String host);

  void unenroll(String host);
}
