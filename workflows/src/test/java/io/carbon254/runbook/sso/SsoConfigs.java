package io.carbon254.runbook.sso;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.TestKeys;

/** The default configuration, in manual mode as shipped or in API mode (an account and a token reference). */
final class SsoConfigs {

  private SsoConfigs() {}

  static PlatformConfig manualMode() {
    PlatformConfig config = TestKeys.signedBy(ConfigLoader.loadDefault());
    assertThat(config.sso().isApiMode()).isFalse();
    return config;
  }

  static PlatformConfig apiMode() {
    String yaml = ConfigLoader.defaultYaml().replace(
        "  # accountId: 0123456789abcdef0123456789abcdef\n  # apiToken: {env: CLOUDFLARE_API_TOKEN}",
        "  accountId: 0123456789abcdef0123456789abcdef\n  apiToken: {env: CLOUDFLARE_API_TOKEN}");
    PlatformConfig config = TestKeys.signedBy(ConfigLoader.fromYaml(yaml));
    assertThat(config.sso().isApiMode()).as("the default configuration's commented account and token").isTrue();
    return config;
  }
}
