package io.carbon254.runbook.engine;

import io.carbon254.runbook.config.PlatformConfig;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The worker's own description of a platform: what every run reads at its start (a local
 * activity, recorded in the run's history, so replay reads the same). The worker validated it at
 * start-up; a run never takes a platform description from whoever started it.
 */
@ActivityInterface
public interface PlatformActivities {

  /** The platform {@code name} as this worker's configuration describes it; refused if it serves no such platform. */
  @ActivityMethod
  LoadedPlatform platform(String name);

  /**
   * A platform description and its hash (SHA-256 of its canonical YAML, 16 hex digits), shown in the
   * run's details and result, so anyone can tell which configuration a run used.
   */
  record LoadedPlatform(PlatformConfig config, String hash) {}
}
