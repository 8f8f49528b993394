package io.carbon254.runbook.engine;

import io.carbon254.runbook.config.PlatformConfig;
import java.util.Map;

/**
 * What every runbook is started with. It holds no secret: the platform description carries only
 * secret references.
 *
 * @param platform the platform description (config/254carbon.yaml)
 * @param mode PLAN (plan only, change nothing) or APPLY
 * @param initiator who started the run (four-eyes gates refuse their approval)
 * @param options runbook-specific overrides, by name
 */
public record RunbookRequest(PlatformConfig platform, Mode mode, String initiator, Map<String, String> options) {

  public RunbookRequest {
    mode = mode == null ? Mode.APPLY : mode;
    options = options == null ? Map.of() : Map.copyOf(options);
  }

  public static RunbookRequest apply(PlatformConfig platform, String initiator) {
    return new RunbookRequest(platform, Mode.APPLY, initiator, Map.of());
  }

  public String option(String name, String fallback) {
    return options.getOrDefault(name, fallback);
  }
}
