package io.carbon254.runbook.activities.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carbon254.runbook.activities.ChangeGuard;
import io.carbon254.runbook.activities.KubernetesApi;
import io.carbon254.runbook.activities.SecretResolver;
import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.sso.AccessActivities;
import io.carbon254.runbook.sso.AccessAppSpec;
import io.carbon254.runbook.sso.AccessApplication;
import io.carbon254.runbook.sso.AccessIdentityProvider;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import okhttp3.OkHttpClient;

/**
 * Cloudflare Access for the platform's hosts: the one-time-PIN identity provider (found by type),
 * per application a reusable policy (found by exact name) and a self-hosted application (found by
 * exact domain). Nothing is created twice; drift is repaired with a {@code PUT} of the whole object;
 * an account that is already as configured sees no write at all. What an attempt creates is
 * heartbeated, so a retried attempt still reports it as created and compensation deletes it.
 */
public final class CloudflareAccess implements AccessActivities {

  static final String IDP_TYPE = "onetimepin";
  static final String IDP_NAME = "One-time PIN";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Sso.AppSettings DEFAULT_SETTINGS = new Sso.AppSettings(null, null, null);

  private final OkHttpClient http;
  private final SecretResolver secrets;
  private final Duration rateLimitBudget;

  public CloudflareAccess(OkHttpClient http, SecretResolver secrets) {
    this(http, secrets, Duration.ofMinutes(15));
  }

  /** @param rateLimitBudget the longest one request waits out Cloudflare's 429s before the attempt fails (retryable) */
  public CloudflareAccess(OkHttpClient http, SecretResolver secrets, Duration rateLimitBudget) {
    this.http = http;
    this.secrets = secrets;
    this.rateLimitBudget = rateLimitBudget;
  }

  /**
   * What an attempt created so far, sent with every heartbeat: a retry of the activity reads it back.
   *
   * @param waiting what the activity is waiting for, if anything (a rate limit)
   */
  public record Created(String identityProviderId, String policyId, String appId, String waiting) {}

  // ----------------------------------------------------------------------------------- plan

  @Override
  public List<PlanItem> planAccess(Sso sso) {
    return ChangeGuard.readOnly("planning Cloudflare Access only reads", () -> {
      Progress progress = new Progress(null);
      CloudflareApi api = api(sso, progress);
      List<PlanItem> plan = new ArrayList<>();
      JsonNode idp = findIdentityProvider(api);
      plan.add(idp == null ? PlanItem.create("IdentityProvider", IDP_NAME, "type " + IDP_TYPE)
          : PlanItem.keep("IdentityProvider", IDP_NAME, "exists"));
      String idpId = idp == null ? null : idp.path("id").asText();
      Map<String, JsonNode> policies = policiesByName(api);
      for (AccessAppSpec spec : AccessAppSpec.of(sso)) {
        JsonNode policy = policies.get(spec.policyName());
        ObjectNode desiredPolicy = policyBody(sso, spec);
        if (policy == null) {
          plan.add(PlanItem.create("AccessPolicy", spec.policyName(), spec.decision() + ": " + rules(desiredPolicy.path("include"))));
        } else {
          List<String> drift = policyDrift(policy, desiredPolicy);
          plan.add(drift.isEmpty() ? PlanItem.keep("AccessPolicy", spec.policyName(), "as configured")
              : PlanItem.update("AccessPolicy", spec.policyName(), String.join("; ", drift)));
        }
        JsonNode app = findApplication(api, spec.domain());
        String policyId = policy == null ? null : policy.path("id").asText();
        if (app == null) {
          plan.add(PlanItem.create("AccessApplication", spec.domain(), spec.name() + ", session " + spec.sessionDuration()
              + ", policy " + spec.policyName() + ", " + IDP_NAME + " login"));
        } else {
          List<String> drift = appDrift(app, appBody(sso, spec, idpId, policyId), spec.policyName());
          plan.add(drift.isEmpty() ? PlanItem.keep("AccessApplication", spec.domain(), spec.name() + " as configured")
              : PlanItem.update("AccessApplication", spec.domain(), String.join("; ", drift)));
        }
      }
      return plan;
    });
  }

  // ---------------------------------------------------------------------------------- ensure

  @Override
  public AccessIdentityProvider ensureIdentityProvider(Sso sso) {
    Progress progress = Progress.resume();
    CloudflareApi api = api(sso, progress);
    JsonNode existing = findIdentityProvider(api);
    if (existing != null) {
      String id = existing.path("id").asText();
      boolean createdEarlier = id.equals(progress.idp);
      return new AccessIdentityProvider(id, createdEarlier, createdEarlier ? Change.CREATED : Change.UNCHANGED,
          (createdEarlier ? "created " : "") + IDP_NAME + " identity provider " + (createdEarlier ? "" : "exists ") + "(" + id + ")");
    }
    ObjectNode body = JSON.createObjectNode().put("name", IDP_NAME).put("type", IDP_TYPE);
    body.putObject("config");
    String path = api.access("identity_providers");
    JsonNode created = api.expect(api.post(path, body), "POST", path, "create the " + IDP_NAME + " identity provider").result();
    String id = created.path("id").asText();
    progress.idp = id;
    progress.heartbeat(null);
    return new AccessIdentityProvider(id, true, Change.CREATED, "created " + IDP_NAME + " identity provider (" + id + ")");
  }

  @Override
  public AccessApplication ensureApplication(Sso sso, AccessAppSpec spec, String idpId) {
    if (idpId == null || idpId.isBlank()) {
      throw ApplicationFailure.newNonRetryableFailure("no identity provider id for application " + spec.name()
          + ": ensureIdentityProvider runs first and its id is passed on", "CloudflareConfig");
    }
    Progress progress = Progress.resume();
    CloudflareApi api = api(sso, progress);
    List<String> changes = new ArrayList<>();

    ObjectNode desiredPolicy = policyBody(sso, spec);
    JsonNode policy = findPolicy(api, spec.policyName());
    boolean policyCreated;
    boolean policyUpdated = false;
    String policyId;
    if (policy == null) {
      String path = api.access("policies");
      policy = api.expect(api.post(path, desiredPolicy), "POST", path, "create policy " + spec.policyName()).result();
      policyId = policy.path("id").asText();
      policyCreated = true;
      progress.policy = policyId;
      progress.heartbeat(null);
      changes.add("policy " + spec.policyName() + " created");
    } else {
      policyId = policy.path("id").asText();
      policyCreated = policyId.equals(progress.policy);
      List<String> drift = policyDrift(policy, desiredPolicy);
      if (!drift.isEmpty()) {
        api.put(api.access("policies/" + policyId), overlaid(policy, desiredPolicy), "update policy " + spec.policyName());
        policyUpdated = true;
        changes.add("policy " + spec.policyName() + ": " + String.join(", ", drift));
      }
    }

    ObjectNode desiredApp = appBody(sso, spec, idpId, policyId);
    JsonNode app;
    String appId;
    boolean appCreated = false;
    boolean appUpdated = false;
    try {
      app = findApplication(api, spec.domain());
      if (app == null) {
        String path = api.access("apps");
        CloudflareApi.Answer answer = api.post(path, desiredApp);
        if (answer.status() == 409) {
          // Someone else created it since the lookup (or it holds the domain in a way the lookup does not show).
          app = findApplication(api, spec.domain());
          if (app == null) {
            throw ApplicationFailure.newNonRetryableFailure("Cloudflare refused to create application " + spec.name() + ": POST "
                + path + " answered 409 " + answer.errors() + ", yet no application is found by domain " + spec.domain()
                + ": another application holds it (perhaps among its destinations); find it in Zero Trust → Access →"
                + " Applications, remove " + spec.domain() + " from it or delete it, then retry", "CloudflareRefused");
          }
        } else {
          app = api.expect(answer, "POST", path, "create application " + spec.name() + " on " + spec.domain()).result();
          appCreated = true;
          progress.app = app.path("id").asText();
          progress.heartbeat(null);
        }
      }
      appId = app.path("id").asText();
      if (!appCreated) {
        appCreated = appId.equals(progress.app);
        List<String> drift = appDrift(app, desiredApp, spec.policyName());
        if (!drift.isEmpty()) {
          app = api.put(api.access("apps/" + appId), overlaid(app, desiredApp),
              "update application " + spec.name() + " on " + spec.domain());
          appUpdated = true;
          changes.add(0, String.join(", ", drift));
        }
      }
    } catch (ApplicationFailure failure) {
      throw withoutOrphanPolicy(api, failure, spec, policyCreated ? policyId : null);
    }
    String aud = app.path("aud").asText();
    String on = spec.name() + " on " + spec.domain() + " (aud " + shortAud(aud) + ")";
    Change change;
    String summary;
    if (appCreated) {
      change = Change.CREATED;
      summary = "created " + on + " with policy " + spec.policyName() + (policyCreated ? " (created)" : "");
    } else if (policyCreated || policyUpdated || appUpdated) {
      change = Change.UPDATED;
      summary = "updated " + on + ": " + String.join("; ", changes);
    } else {
      change = Change.UNCHANGED;
      summary = on + " as configured";
    }
    return new AccessApplication(spec.name(), spec.domain(), appId, aud, policyId, appCreated, policyCreated, change, summary);
  }

  /**
   * A failure that ends the step (not retried) after this run created the application's policy:
   * the policy is deleted first, as nothing else would (compensation knows only what a successful
   * call returned); a retried failure keeps it for the next attempt, which finds it in its heartbeat.
   */
  private static ApplicationFailure withoutOrphanPolicy(CloudflareApi api, ApplicationFailure failure, AccessAppSpec spec,
      String createdPolicy) {
    if (createdPolicy == null || !failure.isNonRetryable()) {
      return failure;
    }
    try {
      api.delete(api.access("policies/" + createdPolicy), "delete the policy of " + spec.name());
      return failure;
    } catch (ApplicationFailure cleanup) {
      return ApplicationFailure.newNonRetryableFailure(failure.getOriginalMessage() + "; the policy " + spec.policyName()
          + " (" + createdPolicy + ") this run created is left: " + cleanup.getOriginalMessage(), failure.getType());
    }
  }

  /**
   * The body of a PUT (which replaces the whole object): the object as Cloudflare holds it with the
   * fields this runbook manages set as desired, so settings made in the dashboard that the
   * configuration does not speak of (a logo, CORS, custom pages) survive the repair of a drift.
   */
  static ObjectNode overlaid(JsonNode current, ObjectNode desired) {
    ObjectNode body = current instanceof ObjectNode object ? object.deepCopy() : desired.objectNode();
    for (String assigned : List.of("id", "aud", "uid", "created_at", "updated_at")) {
      body.remove(assigned);
    }
    body.setAll(desired);
    return body;
  }

  // ---------------------------------------------------------------------------------- delete

  @Override
  public Changed.Result deleteCreatedApplication(Sso sso, AccessApplication application) {
    if (!application.appCreated() && !application.policyCreated()) {
      return new Changed.Result(Change.UNCHANGED, "nothing was created for " + application.name() + " by this run");
    }
    CloudflareApi api = api(sso, new Progress(null));
    List<String> deleted = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    if (application.appCreated()) {
      (api.delete(api.access("apps/" + application.appId()), "delete application " + application.name())
          ? deleted : gone).add("application " + application.name() + " on " + application.domain());
    }
    if (application.policyCreated()) {
      (api.delete(api.access("policies/" + application.policyId()), "delete the policy of " + application.name())
          ? deleted : gone).add("its policy (" + application.policyId() + ")");
    }
    return result(deleted, gone);
  }

  @Override
  public Changed.Result deleteCreatedIdentityProvider(Sso sso, AccessIdentityProvider identityProvider) {
    if (!identityProvider.created()) {
      return new Changed.Result(Change.UNCHANGED, IDP_NAME + " identity provider was not created by this run: kept");
    }
    CloudflareApi api = api(sso, new Progress(null));
    boolean deleted = api.delete(api.access("identity_providers/" + identityProvider.id()), "delete the " + IDP_NAME
        + " identity provider");
    String what = IDP_NAME + " identity provider (" + identityProvider.id() + ")";
    return deleted ? new Changed.Result(Change.DELETED, "deleted " + what) : new Changed.Result(Change.UNCHANGED, what + " already gone");
  }

  private static Changed.Result result(List<String> deleted, List<String> gone) {
    String summary = (deleted.isEmpty() ? "" : "deleted " + String.join(" and ", deleted))
        + (deleted.isEmpty() || gone.isEmpty() ? "" : "; ")
        + (gone.isEmpty() ? "" : "already gone: " + String.join(" and ", gone));
    return new Changed.Result(deleted.isEmpty() ? Change.UNCHANGED : Change.DELETED, summary);
  }

  // --------------------------------------------------------------------------------- lookups

  private static JsonNode findIdentityProvider(CloudflareApi api) {
    return api.list(api.access("identity_providers"), "list the identity providers").stream()
        .filter(idp -> IDP_TYPE.equals(idp.path("type").asText())).findFirst().orElse(null);
  }

  private static JsonNode findPolicy(CloudflareApi api, String name) {
    return policiesByName(api).get(name);
  }

  /** Every reusable policy by exact name (the first, should a name be taken twice). */
  private static Map<String, JsonNode> policiesByName(CloudflareApi api) {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    for (JsonNode policy : api.list(api.access("policies"), "list the reusable Access policies")) {
      byName.putIfAbsent(policy.path("name").asText(), policy);
    }
    return byName;
  }

  /** The application of exactly this domain ({@code exact=true}; checked again here, as the key it is). */
  private static JsonNode findApplication(CloudflareApi api, String domain) {
    String path = api.access("apps?domain=" + URLEncoder.encode(domain, StandardCharsets.UTF_8) + "&exact=true");
    return api.list(path, "look up the application of " + domain).stream()
        .filter(app -> domain.equals(app.path("domain").asText())).findFirst().orElse(null);
  }

  // ------------------------------------------------------------------------- desired and drift

  private static ObjectNode policyBody(Sso sso, AccessAppSpec spec) {
    ObjectNode body = JSON.createObjectNode().put("name", spec.policyName()).put("decision", spec.decision());
    ArrayNode include = body.putArray("include");
    if (spec.bypass()) {
      include.addObject().putObject("everyone");
    } else {
      Sso.Allow allow = sso.allow() == null ? new Sso.Allow(null, null) : sso.allow();
      allow.emailDomains().forEach(d -> include.addObject().putObject("email_domain").put("domain", d));
      allow.emails().forEach(e -> include.addObject().putObject("email").put("email", e));
      if (include.isEmpty()) {
        throw ApplicationFailure.newNonRetryableFailure("sso.allow lists no emailDomains and no emails: policy "
            + spec.policyName() + " would admit nobody; set sso.allow.emailDomains (e.g. [254carbon.com]) or sso.allow.emails",
            "CloudflareConfig");
      }
    }
    body.putArray("exclude");
    body.putArray("require");
    return body;
  }

  private static ObjectNode appBody(Sso sso, AccessAppSpec spec, String idpId, String policyId) {
    Sso.AppSettings settings = sso.appSettings() == null ? DEFAULT_SETTINGS : sso.appSettings();
    ObjectNode body = JSON.createObjectNode().put("type", "self_hosted").put("name", spec.name()).put("domain", spec.domain());
    body.putArray("destinations").addObject().put("type", "public").put("uri", spec.domain());
    body.put("session_duration", spec.sessionDuration())
        .put("app_launcher_visible", settings.appLauncherVisible())
        .put("http_only_cookie_attribute", settings.httpOnlyCookie())
        .put("auto_redirect_to_identity", settings.autoRedirectToIdentity());
    ArrayNode idps = body.putArray("allowed_idps");
    if (idpId != null) {
      idps.add(idpId);
    }
    ArrayNode policies = body.putArray("policies");
    if (policyId != null) {
      policies.addObject().put("id", policyId).put("precedence", 1);
    }
    return body;
  }

  /** Field by field, {@code field actual → desired}; a null policy or IdP id in {@code desired} is one still to be created. */
  static List<String> appDrift(JsonNode actual, ObjectNode desired, String policyName) {
    List<String> drift = new ArrayList<>();
    for (String field : List.of("name", "session_duration")) {
      String is = actual.path(field).asText("");
      String want = desired.path(field).asText();
      if (!is.equals(want)) {
        drift.add(field + " " + (is.isEmpty() ? "unset" : is) + " → " + want);
      }
    }
    List<String> destinations = new ArrayList<>();
    actual.path("destinations").forEach(d -> destinations.add(d.path("uri").asText()));
    List<String> wantDestinations = List.of(desired.path("domain").asText());
    if (!destinations.equals(wantDestinations)) {
      drift.add("destinations " + destinations + " → " + wantDestinations);
    }
    // Cloudflare's defaults for a flag it leaves out: launcher visible and HTTP-only cookie on, no auto-redirect.
    Map<String, Boolean> defaults = Map.of("app_launcher_visible", true, "http_only_cookie_attribute", true,
        "auto_redirect_to_identity", false);
    for (String flag : List.of("app_launcher_visible", "http_only_cookie_attribute", "auto_redirect_to_identity")) {
      boolean is = actual.path(flag).asBoolean(defaults.get(flag));
      boolean want = desired.path(flag).asBoolean();
      if (is != want) {
        drift.add(flag + " " + is + " → " + want);
      }
    }
    List<String> idps = new ArrayList<>();
    actual.path("allowed_idps").forEach(i -> idps.add(i.asText()));
    List<String> wantIdps = new ArrayList<>();
    desired.path("allowed_idps").forEach(i -> wantIdps.add(i.asText()));
    if (wantIdps.isEmpty()) {
      drift.add("allowed_idps " + idps + " → [" + IDP_NAME + ", to be created]");
    } else if (!idps.equals(wantIdps)) {
      drift.add("allowed_idps " + idps + " → " + wantIdps);
    }
    List<String> policyIds = new ArrayList<>();
    List<String> policyNames = new ArrayList<>();
    actual.path("policies").forEach(p -> {
      policyIds.add(p.isTextual() ? p.asText() : p.path("id").asText());
      policyNames.add(p.path("name").asText(p.isTextual() ? p.asText() : p.path("id").asText()));
    });
    List<String> wantPolicies = new ArrayList<>();
    desired.path("policies").forEach(p -> wantPolicies.add(p.path("id").asText()));
    if (wantPolicies.isEmpty()) {
      drift.add("policies " + policyNames + " → [" + policyName + ", to be created]");
    } else if (!policyIds.equals(wantPolicies)) {
      drift.add("policies " + policyNames + " → [" + policyName + "]");
    }
    return drift;
  }

  static List<String> policyDrift(JsonNode actual, ObjectNode desired) {
    List<String> drift = new ArrayList<>();
    if (!Objects.equals(actual.path("decision").asText(), desired.path("decision").asText())) {
      drift.add("decision " + actual.path("decision").asText() + " → " + desired.path("decision").asText());
    }
    for (String rules : List.of("include", "exclude", "require")) {
      if (!ruleSet(actual.path(rules)).equals(ruleSet(desired.path(rules)))) {
        drift.add(rules + " " + rules(actual.path(rules)) + " → " + rules(desired.path(rules)));
      }
    }
    return drift;
  }

  private static Set<JsonNode> ruleSet(JsonNode rules) {
    Set<JsonNode> set = new HashSet<>();
    rules.forEach(set::add);
    return set;
  }

  /** {@code [email_domain 254carbon.com, email a@x, everyone]}. */
  private static String rules(JsonNode rules) {
    List<String> shown = new ArrayList<>();
    rules.forEach(rule -> {
      if (rule.has("email_domain")) {
        shown.add("email_domain " + rule.path("email_domain").path("domain").asText());
      } else if (rule.has("email")) {
        shown.add("email " + rule.path("email").path("email").asText());
      } else if (rule.has("everyone")) {
        shown.add("everyone");
      } else {
        shown.add(rule.toString());
      }
    });
    return shown.toString();
  }

  private static String shortAud(String aud) {
    return aud.length() > 8 ? aud.substring(0, 8) + "…" : aud;
  }

  // ------------------------------------------------------------------------------ the account

  private CloudflareApi api(Sso sso, Progress progress) {
    if (sso.accountId() == null || sso.accountId().isBlank()) {
      throw ApplicationFailure.newNonRetryableFailure("sso.accountId is not set: API mode needs the Cloudflare account id"
          + " (32 hex digits, in the Zero Trust dashboard's URL) next to sso.apiToken; set it in the configuration",
          "CloudflareConfig");
    }
    if (sso.apiToken() == null) {
      throw ApplicationFailure.newNonRetryableFailure("sso.apiToken is not set: API mode needs a reference to a Cloudflare"
          + " API token with \"Access: Apps and Policies: Edit\" (e.g. apiToken: {env: CLOUDFLARE_API_TOKEN}); without it"
          + " the runbook runs in manual mode", "CloudflareConfig");
    }
    String token = secrets.resolve(sso.apiToken());
    return new CloudflareApi(http, token, sso.accountId().trim(), sso.apiToken().describe(), progress::heartbeat,
        rateLimitBudget);
  }

  /** What this attempt (or an earlier attempt of the same activity) created. */
  private static final class Progress {
    String idp;
    String policy;
    String app;

    Progress(Created earlier) {
      if (earlier != null) {
        idp = earlier.identityProviderId();
        policy = earlier.policyId();
        app = earlier.appId();
      }
    }

    static Progress resume() {
      try {
        return new Progress(Activity.getExecutionContext().getHeartbeatDetails(Created.class).orElse(null));
      } catch (IllegalStateException notInAnActivity) {
        return new Progress(null);
      }
    }

    void heartbeat(String waiting) {
      KubernetesApi.heartbeat(new Created(idp, policy, app, waiting));
    }
  }
}
