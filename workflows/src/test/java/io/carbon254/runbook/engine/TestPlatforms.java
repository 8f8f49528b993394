package io.carbon254.runbook.engine;

import io.carbon254.runbook.config.PlatformConfig;
import io.temporal.failure.ApplicationFailure;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The platforms a test's worker serves, as a real worker's configuration would: a test serves the
 * configuration it starts a run on ({@link RunbookTesting#request}), and the run reads it from here.
 */
public class TestPlatforms implements PlatformActivities {

  private static final Map<String, PlatformConfig> SERVED = new ConcurrentHashMap<>();

  public static void serve(PlatformConfig config) {
    SERVED.put(config.name(), config);
  }

  /** The served configuration of {@code name}, or null. */
  static PlatformConfig served(String name) {
    return SERVED.get(name);
  }

  @Override
  public LoadedPlatform platform(String name) {
    PlatformConfig config = SERVED.get(name);
    if (config == null) {
      throw ApplicationFailure.newNonRetryableFailure("this test's worker serves no platform '" + name + "'",
          "PlatformNotServed");
    }
    return new LoadedPlatform(config, "test-" + Integer.toHexString(config.hashCode()));
  }
}
