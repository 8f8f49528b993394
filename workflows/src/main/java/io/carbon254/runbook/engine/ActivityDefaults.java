package io.carbon254.runbook.engine;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Activity options every runbook shares; a runbook declares its own only where it differs. */
public final class ActivityDefaults {

  /**
   * Reads and idempotent writes against the platform: a couple of minutes each, retried a few
   * times with backoff, then the step fails for good and an operator decides.
   */
  public static final ActivityOptions IDEMPOTENT_CALLS = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofMinutes(2))
      .setRetryOptions(RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(1))
          .setMaximumInterval(Duration.ofSeconds(30))
          .setMaximumAttempts(5)
          .build())
      .build();

  /**
   * An activity that polls until something is as wanted (a rollout, a storage location, a metrics
   * API), heartbeating as it goes: a dead worker is noticed by the missing heartbeat within 30 s.
   */
  public static ActivityOptions waits(Duration startToClose) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(startToClose)
        .setHeartbeatTimeout(Duration.ofSeconds(30))
        .setRetryOptions(RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(2))
            .setMaximumAttempts(3)
            .build())
        .build();
  }

  private ActivityDefaults() {}
}
