package io.carbon254.runbook.worker;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.PlatformActivities;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The platforms this worker serves, as its own validated configuration describes them: what every
 * run reads at its start. A run on a platform the worker does not serve is refused.
 */
public final class ConfiguredPlatforms implements PlatformActivities {

  private final Map<String, LoadedPlatform> platforms = new LinkedHashMap<>();

  public ConfiguredPlatforms(List<PlatformConfig> configs) {
    for (PlatformConfig config : configs) {
      platforms.put(config.name(), new LoadedPlatform(config, hash(config)));
    }
  }

  @Override
  public LoadedPlatform platform(String name) {
    LoadedPlatform loaded = platforms.get(name);
    if (loaded == null) {
      throw ApplicationFailure.newNonRetryableFailure("this worker serves platform(s) "
          + String.join(", ", platforms.keySet()) + ", not '" + name + "'; start the run on a served platform, or give"
          + " a worker that configuration", "PlatformNotServed");
    }
    return loaded;
  }

  /** SHA-256 of the platform's canonical YAML, 16 hex digits: which configuration a run used. */
  public static String hash(PlatformConfig config) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(ConfigLoader.toYaml(config).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
