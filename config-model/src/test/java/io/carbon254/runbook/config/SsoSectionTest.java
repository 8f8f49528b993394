package io.carbon254.runbook.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The SSO section: manual mode as shipped, API mode once an account and a token reference are given. */
class SsoSectionTest {

  private final PlatformConfig shipped = ConfigLoader.loadDefault();

  @Test
  void theShippedConfigurationRunsPhaseTwoInManualMode() {
    assertThat(shipped.sso().isApiMode()).isFalse();
    assertThat(shipped.sso().serviceToken()).isNull();
  }

  @Test
  void apiAccessSwitchesToApiModeAndKeepsEverythingElse() {
    SecretRef token = SecretRef.kubernetes("runbook", "cloudflare-access", "api-token");
    Sso.ServiceToken serviceToken = new Sso.ServiceToken(SecretRef.kubernetes("runbook", "cloudflare-access", "client-id"),
        SecretRef.kubernetes("runbook", "cloudflare-access", "client-secret"));

    PlatformConfig api = shipped.withSso(shipped.sso().withApiAccess("0123456789abcdef0123456789abcdef", token, serviceToken));

    assertThat(api.sso().isApiMode()).isTrue();
    assertThat(api.sso().accountId()).isEqualTo("0123456789abcdef0123456789abcdef");
    assertThat(api.sso().apiToken()).isEqualTo(token);
    assertThat(api.sso().serviceToken()).isEqualTo(serviceToken);
    assertThat(api.sso()).usingRecursiveComparison().ignoringFields("accountId", "apiToken", "serviceToken")
        .isEqualTo(shipped.sso());
    assertThat(api).usingRecursiveComparison().ignoringFields("sso").isEqualTo(shipped);
    assertThat(ConfigValidator.validate(api)).isEmpty();
  }
}
