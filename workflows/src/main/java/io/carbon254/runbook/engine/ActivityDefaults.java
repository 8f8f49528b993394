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

  private ActivityDefaults() {}
}
