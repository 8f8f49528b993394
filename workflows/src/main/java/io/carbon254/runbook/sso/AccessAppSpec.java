package io.carbon254.runbook.sso;

import io.carbon254.runbook.config.Sso;
import java.util.ArrayList;
import java.util.List;

/**
 * One Cloudflare Access self-hosted application as the configuration wants it, with the reusable
 * policy attached to it. Computed from the configuration alone (deterministic: the workflow and the
 * planning activity derive the same list).
 *
 * @param name the application's name
 * @param domain its domain, the key it is found by ({@code exact=true}): a host, or a host and a
 *     path for an ACME bypass ({@code host/.well-known/acme-challenge/*})
 * @param sessionDuration Access session duration, e.g. {@code 24h}
 * @param policyName the reusable policy attached to it
 * @param decision {@code allow} (the allow rules of {@code sso.allow}) or {@code bypass} (everyone)
 */
public record AccessAppSpec(String name, String domain, String sessionDuration, String policyName, String decision) {

  public static final String ALLOW = "allow";
  public static final String BYPASS = "bypass";

  /** The applications of {@code sso.apps}, then an ACME bypass per host when {@code sso.acmeBypass}. */
  public static List<AccessAppSpec> of(Sso sso) {
    List<AccessAppSpec> specs = new ArrayList<>();
    for (Sso.AccessApp app : sso.apps()) {
      specs.add(new AccessAppSpec(app.name(), app.host(), app.sessionDuration(), app.policyName(), ALLOW));
    }
    if (Boolean.TRUE.equals(sso.acmeBypass())) {
      String session = sso.acmeBypassSessionDuration() == null ? "1h" : sso.acmeBypassSessionDuration();
      for (Sso.AccessApp app : sso.apps()) {
        specs.add(new AccessAppSpec("ACME Bypass " + app.host(), app.host() + "/.well-known/acme-challenge/*", session,
            "ACME Bypass " + app.host(), BYPASS));
      }
    }
    return List.copyOf(specs);
  }

  public boolean bypass() {
    return BYPASS.equals(decision);
  }
}
