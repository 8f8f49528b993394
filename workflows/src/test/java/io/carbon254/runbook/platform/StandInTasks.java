package io.carbon254.runbook.platform;

import io.carbon254.runbook.engine.Changed;
import io.temporal.activity.ActivityInterface;

/** What the stand-in children do: complete the check their runbook makes ✓. */
@ActivityInterface
public interface StandInTasks {
  Changed.Result complete(String check);
}
