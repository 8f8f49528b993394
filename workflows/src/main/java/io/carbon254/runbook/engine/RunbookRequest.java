package io.carbon254.runbook.engine;

import io.carbon254.runbook.config.PlatformConfig;
import java.util.Map;

/**
 * What starts a runbook. It names the platform; what the platform is — its approval policy, signers,
 * endpoints and secret references — comes from the configuration of the worker that runs it, never
 * from whoever starts the run. It holds no secret.
 *
 * @param platformName the platform, as the worker's configuration names it ({@code 254carbon})
 * @param mode PLAN (plan only, change nothing) or APPLY
 * @param initiator who starts the run; where decisions are signed, the principal of {@code intent}'s
 *     key is who started it, whatever this says
 * @param options runbook-specific overrides, by name
 * @param intent the initiator's signature over the start ({@code runbook start} makes it), or null
 *     where the platform takes typed names
 * @param platform the starter's copy of the platform description, carried only by runs started
 *     before the worker decided the platform; later runs never read it
 * @param origin for a child runbook, the start its root run's initiator signed; null for a root
 */
public record RunbookRequest(String platformName, Mode mode, String initiator, Map<String, String> options,
    Signature intent, PlatformConfig platform, Origin origin) {

  /**
   * The start a root run's initiator signed, carried by its children (whose own options are a part
   * of it): what the worker checks {@code intent} against before an activity changes the platform.
   */
  public record Origin(String workflowId, String runbook, Mode mode, Map<String, String> options) {}

  public RunbookRequest {
    mode = mode == null ? Mode.APPLY : mode;
    options = options == null ? Map.of() : Map.copyOf(options);
  }

  public RunbookRequest(String platformName, Mode mode, String initiator, Map<String, String> options,
      Signature intent, PlatformConfig platform) {
    this(platformName, mode, initiator, options, intent, platform, null);
  }

  public RunbookRequest(String platformName, Mode mode, String initiator, Map<String, String> options) {
    this(platformName, mode, initiator, options, null, null);
  }

  public static RunbookRequest apply(String platformName, String initiator) {
    return new RunbookRequest(platformName, Mode.APPLY, initiator, Map.of());
  }

  /** This request with the initiator's signed intent. */
  public RunbookRequest signed(Signature signature) {
    return new RunbookRequest(platformName, mode, initiator, options, signature, platform, origin);
  }

  /** The platform's name, also for runs started with the starter's copy of the platform. */
  public String platformId() {
    return platformName != null ? platformName : platform == null ? null : platform.name();
  }

  public String option(String name, String fallback) {
    return options.getOrDefault(name, fallback);
  }
}
