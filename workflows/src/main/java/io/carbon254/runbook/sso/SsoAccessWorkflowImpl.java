package io.carbon254.runbook.sso;

import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.AbstractRunbookWorkflow;
import io.carbon254.runbook.engine.ActivityDefaults;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.Step;
import io.carbon254.runbook.engine.StepOutcome;
import io.carbon254.runbook.engine.Verification;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public class SsoAccessWorkflowImpl extends AbstractRunbookWorkflow implements SsoAccessWorkflow {

  /**
   * Cloudflare answers 429 for minutes once the rate limit is hit; the adapter waits it out,
   * heartbeating, so a dead worker is still noticed within the heartbeat timeout.
   */
  static final ActivityOptions CLOUDFLARE = ActivityDefaults.waits(Duration.ofMinutes(15));

  private final AccessActivities access = runbook.activities(AccessActivities.class, CLOUDFLARE);

  private final AccessProbeActivities probes = runbook.activities(AccessProbeActivities.class,
      ActivityDefaults.IDEMPOTENT_CALLS);

  public SsoAccessWorkflowImpl() {
    super(RUNBOOK);
  }

  @Override
  public RunbookResult run(RunbookRequest request) {
    return runbook.run(request, rb -> {
      Sso sso = rb.platform().sso();
      List<AccessAppSpec> specs = AccessAppSpec.of(sso);
      List<String> hosts = sso.apps().stream().map(Sso.AccessApp::host).toList();
      if (!sso.isApiMode()) {
        Step configure = rb.declare("configure-access", "Configure the " + specs.size()
            + " Access applications in the Zero Trust dashboard (no sso.apiToken configured: manual mode)");
        rb.output("mode", "manual (no sso.apiToken in the worker's configuration)");
        // A platform already behind Access needs nobody at the dashboard: a re-run is done at once.
        Verification already = alreadyBehindAccess(sso, hosts);
        if (already.ok()) {
          configure.alreadyDone(already.evidence());
          return;
        }
        rb.manualTask(configure, checklist(sso, specs), report -> probes.verifyAccessRedirects(sso, hosts));
        return;
      }
      rb.output("mode", "API (account " + sso.accountId() + ")");
      Step identityProvider = rb.declare("identity-provider", "The one-time-PIN identity provider");

      rb.approvePlan(() -> access.planAccess(sso));

      AccessIdentityProvider[] idp = new AccessIdentityProvider[1];
      identityProvider.compensateWith(() -> {
        if (idp[0] != null) {
          access.deleteCreatedIdentityProvider(sso, idp[0]);
        }
      });
      idp[0] = identityProvider.require(() -> access.ensureIdentityProvider(sso));

      Map<String, AccessApplication> ensured = new HashMap<>();
      List<StepOutcome<AccessApplication>> apps = rb.parallel("application", specs)
          .named(SsoAccessWorkflowImpl::stepName)
          .titled(spec -> spec.name() + " on " + spec.domain() + " (" + spec.sessionDuration() + ", policy "
              + spec.policyName() + ")")
          .atMost(2)
          .compensateWith(spec -> {
            AccessApplication created = ensured.get(spec.domain());
            if (created != null) {
              access.deleteCreatedApplication(sso, created);
            }
          })
          .run(spec -> {
            AccessApplication app = access.ensureApplication(sso, spec, idp[0].id());
            ensured.put(spec.domain(), app);
            return app;
          });
      rb.output("applications", table(apps));
    });
  }

  /** Whether every host redirects to the Access login already; a probe that could not run says no. */
  private Verification alreadyBehindAccess(Sso sso, List<String> hosts) {
    try {
      return probes.verifyAccessRedirects(sso, hosts);
    } catch (ActivityFailure failure) {
      return Verification.failed("the hosts could not be probed: " + failure.getMessage());
    }
  }

  /** The step of an application: its domain, or {@code acme-<host>} for an ACME bypass. */
  static String stepName(AccessAppSpec spec) {
    return spec.bypass() ? "acme-" + spec.domain().substring(0, spec.domain().indexOf('/')) : spec.domain();
  }

  /** Every field to enter in the Zero Trust dashboard, one application per line. */
  static List<String> checklist(Sso sso, List<AccessAppSpec> specs) {
    Sso.AppSettings settings = sso.appSettings() == null ? new Sso.AppSettings(null, null, null) : sso.appSettings();
    Sso.Allow allow = sso.allow() == null ? new Sso.Allow(null, null) : sso.allow();
    List<String> include = new ArrayList<>();
    allow.emailDomains().forEach(domain -> include.add("emails ending in @" + domain));
    allow.emails().forEach(email -> include.add("email " + email));
    List<String> items = new ArrayList<>();
    items.add("Zero Trust (team " + sso.teamDomain() + ") → Settings → Authentication → Login methods: add One-time PIN");
    for (AccessAppSpec spec : specs) {
      String policy = spec.bypass() ? "action Bypass, include Everyone"
          : "action Allow, include " + (include.isEmpty() ? "(nobody: set sso.allow)" : String.join(" or ", include));
      items.add("Access → Applications → Add → Self-hosted: name \"" + spec.name() + "\", domain " + spec.domain()
          + ", session duration " + spec.sessionDuration() + ", identity providers: One-time PIN only"
          + ", instant auth " + onOff(settings.autoRedirectToIdentity())
          + ", app launcher " + (settings.appLauncherVisible() ? "visible" : "hidden")
          + ", HTTP-only cookie " + onOff(settings.httpOnlyCookie())
          + "; policy \"" + spec.policyName() + "\": " + policy);
    }
    items.add("Report it done: the runbook then requests each host and expects the redirect to " + sso.teamDomain()
        + "'s login page, and lists what is still missing");
    return items;
  }

  private static String onOff(Boolean value) {
    return Boolean.TRUE.equals(value) ? "on" : "off";
  }

  /** The applications as a Markdown table: what sso-integration and the origins need (the AUD). */
  static String table(List<StepOutcome<AccessApplication>> apps) {
    StringBuilder md = new StringBuilder("| application | domain | id | AUD | policy | change |\n|---|---|---|---|---|---|\n");
    for (StepOutcome<AccessApplication> outcome : apps) {
      outcome.ifDone(app -> md.append("| ").append(app.name()).append(" | ").append(app.domain()).append(" | ")
          .append(app.appId()).append(" | ").append(app.aud()).append(" | ").append(app.policyId()).append(" | ")
          .append(app.change()).append(" |\n"));
      if (outcome instanceof StepOutcome.Skipped<AccessApplication> skipped) {
        md.append("| | | skipped: ").append(skipped.reason()).append(" | | | |\n");
      }
    }
    return md.toString();
  }
}
