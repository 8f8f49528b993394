package io.carbon254.runbook.worker;

import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.sandbox.Sandbox;
import java.util.List;

/**
 * {@link OnTheSandbox} as the demo runs it: the worker's configuration gives API access to the
 * sandbox's Cloudflare account ({@link Sandbox#withCloudflareApi}), so sso-access runs in API mode
 * and sso-validation's authenticated checks run. A test registers its workflows with
 * {@code extension(API_MODE_AUTHORIZATION, ...)}.
 */
abstract class OnTheSandboxWithCloudflareApi extends OnTheSandbox {

  static final PlatformConfig API_MODE = Sandbox.withCloudflareApi(CONFIG);
  static final ChangeAuthorization API_MODE_AUTHORIZATION = new ChangeAuthorization(List.of(API_MODE));

  @Override
  PlatformConfig configuration() {
    return API_MODE;
  }

  @Override
  ChangeAuthorization authorization() {
    return API_MODE_AUTHORIZATION;
  }
}
