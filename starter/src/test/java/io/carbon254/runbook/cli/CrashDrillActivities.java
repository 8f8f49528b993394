package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.Changed;
import io.temporal.activity.ActivityInterface;

@ActivityInterface
public interface CrashDrillActivities {

  Changed.Result prepare();

  /** Does {@code chunks} chunks of work, heartbeating after each; a retry resumes after the last heartbeat. */
  Changed.Result work(int chunks);
}
