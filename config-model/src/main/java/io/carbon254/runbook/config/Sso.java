package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Cloudflare Access in front of the platform (SSO phases 2–4).
 *
 * @param teamDomain the Zero Trust team domain ({@code qagi.cloudflareaccess.com})
 * @param accountId Cloudflare account id (32 hex digits); required in API mode
 * @param apiToken Cloudflare API token with Access: Apps and Policies edit; absent: manual mode
 * @param allow who the allow policies admit
 * @param appSettings settings shared by every Access application
 * @param apps the self-hosted Access applications
 * @param acmeBypass also create "ACME Bypass" apps on {@code <host>/.well-known/acme-challenge/*}
 * @param acmeBypassSessionDuration session duration of those bypass apps
 * @param serviceToken Access service token used by the validation to reach health paths; absent:
 *     authenticated checks are skipped and reported as such
 * @param validation what phase 4 checks
 * @param tunnel the Cloudflare Tunnel that carries the hosts to the ingress controller
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Sso(
    String teamDomain,
    String accountId,
    SecretRef apiToken,
    Allow allow,
    AppSettings appSettings,
    List<AccessApp> apps,
    Boolean acmeBypass,
    String acmeBypassSessionDuration,
    ServiceToken serviceToken,
    Validation validation,
    Tunnel tunnel) {

  public Sso {
    apps = Immutable.list(apps);
    acmeBypass = acmeBypass == null ? Boolean.FALSE : acmeBypass;
  }

  /** API mode (the runbook calls Cloudflare) when a token is configured; manual mode otherwise. */
  /**
   * This section with API access to a Cloudflare account (API mode) and an Access service token
   * for phase 4's authenticated checks; the rest as it is.
   */
  public Sso withApiAccess(String account, SecretRef token, ServiceToken service) {
    return new Sso(teamDomain, account, token, allow, appSettings, apps, acmeBypass, acmeBypassSessionDuration, service,
        validation, tunnel);
  }

  @JsonIgnore
  public boolean isApiMode() {
    return apiToken != null;
  }

  /** The allow rule of every application's policy: any of these email domains or addresses. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Allow(List<String> emailDomains, List<String> emails) {
    public Allow {
      emailDomains = Immutable.list(emailDomains);
      emails = Immutable.list(emails);
    }
  }

  /** Cloudflare app flags shared by all applications. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AppSettings(Boolean httpOnlyCookie, Boolean appLauncherVisible, Boolean autoRedirectToIdentity) {
    public AppSettings {
      httpOnlyCookie = httpOnlyCookie == null ? Boolean.TRUE : httpOnlyCookie;
      appLauncherVisible = appLauncherVisible == null ? Boolean.TRUE : appLauncherVisible;
      autoRedirectToIdentity = autoRedirectToIdentity == null ? Boolean.FALSE : autoRedirectToIdentity;
    }
  }

  /**
   * One self-hosted Access application.
   *
   * @param name application name ({@code Grafana.254Carbon})
   * @param host the protected host
   * @param sessionDuration Cloudflare session duration (Go units only: {@code 24h}, not {@code 1d})
   * @param policyName name of its allow policy ({@code Allow Grafana Access})
   * @param service id of the {@link PlatformService} behind it
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AccessApp(String name, String host, String sessionDuration, String policyName, String service) {}

  /** An Access service token: its client id and secret, both as references. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ServiceToken(SecretRef clientId, SecretRef clientSecret) {}

  /**
   * Phase 4 settings.
   *
   * @param certificateMinDays a certificate expiring sooner fails the check
   * @param latencyBudget default budget of a health request through Access
   * @param requestTimeout timeout of each probe request
   * @param parallelism hosts probed at once
   * @param cookieDomain the domain the Access cookie must be set for
   * @param requireHsts a missing {@code Strict-Transport-Security} header fails the check
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Validation(
      Integer certificateMinDays,
      String latencyBudget,
      String requestTimeout,
      Integer parallelism,
      String cookieDomain,
      Boolean requireHsts) {}

  /**
   * The Cloudflare Tunnel.
   *
   * @param name tunnel name
   * @param namespace namespace of the cloudflared Deployment
   * @param deployment the cloudflared Deployment
   * @param replicas expected ready replicas
   * @param origin where the tunnel sends every host ({@code service.namespace:port})
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Tunnel(String name, String namespace, String deployment, Integer replicas, String origin) {}
}
