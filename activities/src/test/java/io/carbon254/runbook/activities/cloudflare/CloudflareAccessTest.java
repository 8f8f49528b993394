package io.carbon254.runbook.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.carbon254.runbook.activities.ChangeGuard;
import io.carbon254.runbook.activities.EndpointRoutes;
import io.carbon254.runbook.activities.Secrets;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.SecretRef;
import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.sandbox.CloudflareAccessFake;
import io.carbon254.runbook.sso.AccessActivities;
import io.carbon254.runbook.sso.AccessAppSpec;
import io.carbon254.runbook.sso.AccessApplication;
import io.carbon254.runbook.sso.AccessIdentityProvider;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** sso-access's Cloudflare adapter, as stories on a stateful Cloudflare Access with the API's documented semantics. */
class CloudflareAccessTest {

  private static final SecretRef TOKEN_REF = SecretRef.env("CLOUDFLARE_API_TOKEN");
  private static final Sso DEFAULT = ConfigLoader.loadDefault().sso();

  private final CloudflareAccessFake fake = new CloudflareAccessFake().start();
  private final OkHttpClient http = new OkHttpClient.Builder()
      .addInterceptor(new EndpointRoutes(Map.of("https://api.cloudflare.com", fake.url()))).build();
  private final Sso sso = withAccount(CloudflareAccessFake.DEMO_ACCOUNT_ID, TOKEN_REF);
  private final List<AccessAppSpec> specs = AccessAppSpec.of(sso);
  private final CloudflareAccess access = access(CloudflareAccessFake.DEMO_TOKEN);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private TestActivityEnvironment env;

  @BeforeEach
  void captureLogs() {
    logs.start();
    ((Logger) LoggerFactory.getLogger("io.carbon254.runbook.activities.cloudflare")).addAppender(logs);
  }

  @AfterEach
  void close() {
    ((Logger) LoggerFactory.getLogger("io.carbon254.runbook.activities.cloudflare")).detachAppender(logs);
    if (env != null) {
      env.close();
    }
    fake.close();
  }

  @Test
  void onAnEmptyAccountThePlanCreatesTheIdentityProviderAndEveryPolicyAndApplication() {
    List<PlanItem> plan = access.planAccess(sso);

    assertThat(specs).hasSize(10);
    assertThat(plan).hasSize(21).extracting(PlanItem::action).containsOnly(PlanItem.Action.CREATE);
    assertThat(plan.get(0).line()).isEqualTo("CREATE IdentityProvider One-time PIN — type onetimepin");
    assertThat(plan).extracting(PlanItem::line)
        .contains("CREATE AccessPolicy Allow Grafana Access — allow: [email_domain 254carbon.com]")
        .contains("CREATE AccessApplication grafana.254carbon.com — Grafana.254Carbon, session 24h, policy Allow Grafana"
            + " Access, One-time PIN login");
    assertThat(fake.writes()).isZero();
  }

  @Test
  void anApplicationCloudflareRefusesLeavesNoPolicyBehind() {
    String idp = access.ensureIdentityProvider(sso).id();
    fake.refuseNextApplicationCreate(400, 12130, "access.api.error.invalid_domain");

    ApplicationFailure refused = catchThrowableOfType(ApplicationFailure.class,
        () -> access.ensureApplication(sso, specs.get(1), idp));

    assertThat(refused.isNonRetryable()).isTrue();
    assertThat(refused.getOriginalMessage()).contains("400", "12130 access.api.error.invalid_domain");
    assertThat(fake.applications()).isEmpty();
    assertThat(fake.policies()).as("the policy created for it is deleted again: compensation would not know it").isEmpty();
  }

  @Test
  void everythingIsCreatedOnceAndARerunChangesNothing() {
    List<AccessApplication> apps = ensureAll();

    assertThat(apps).hasSize(10).allSatisfy(app -> {
      assertThat(app.change()).isEqualTo(Change.CREATED);
      assertThat(app.appCreated()).isTrue();
      assertThat(app.policyCreated()).isTrue();
      assertThat(app.appId()).isNotBlank();
      assertThat(app.aud()).matches("[0-9a-f]{64}");
      assertThat(fake.audFor(app.domain())).contains(app.aud());
    });
    assertThat(apps.get(1).summary()).startsWith("created Grafana.254Carbon on grafana.254carbon.com (aud "
        + apps.get(1).aud().substring(0, 8) + "…) with policy Allow Grafana Access (created)");
    assertThat(fake.applications()).hasSize(10);
    assertThat(fake.policies()).hasSize(10);
    assertThat(fake.identityProviders()).extracting(CloudflareAccessFake.IdentityProvider::type).containsExactly("onetimepin");
    CloudflareAccessFake.Application vault = fake.applications().stream()
        .filter(a -> a.domain().equals("vault.254carbon.com")).findFirst().orElseThrow();
    assertThat(vault.sessionDuration()).isEqualTo("2h");
    assertThat(vault.destinations()).containsExactly("vault.254carbon.com");
    assertThat(vault.httpOnlyCookie()).isTrue();
    assertThat(vault.appLauncherVisible()).isTrue();
    assertThat(vault.autoRedirectToIdentity()).isFalse();
    assertThat(vault.allowedIdps()).containsExactly(fake.identityProviders().get(0).id());
    assertThat(vault.policyIds()).hasSize(1);
    assertThat(fake.hasApplicationFor("254carbon.com")).isTrue();
    assertThat(fake.hasApplicationFor("harbor.254carbon.com")).isFalse();

    int writes = fake.writes();
    List<AccessApplication> again = ensureAll();

    assertThat(again).extracting(AccessApplication::change).containsOnly(Change.UNCHANGED);
    assertThat(again).noneMatch(AccessApplication::appCreated).noneMatch(AccessApplication::policyCreated);
    assertThat(again).extracting(AccessApplication::aud).isEqualTo(apps.stream().map(AccessApplication::aud).toList());
    assertThat(again.get(1).summary()).isEqualTo("Grafana.254Carbon on grafana.254carbon.com (aud "
        + apps.get(1).aud().substring(0, 8) + "…) as configured");
    assertThat(fake.writes()).isEqualTo(writes);
    assertThat(fake.appCreates()).isEqualTo(10);
    assertThat(fake.policyCreates()).isEqualTo(10);
    assertThat(fake.identityProviderCreates()).isEqualTo(1);
    assertThat(access.planAccess(sso)).extracting(PlanItem::action).containsOnly(PlanItem.Action.KEEP);
  }

  @Test
  void aSessionDurationChangedByHandIsShownAsDriftAndRepaired() {
    ensureAll();
    fake.setSessionDuration("grafana.254carbon.com", "12h");
    fake.setApplicationField("grafana.254carbon.com", "logo_url", "https://grafana.254carbon.com/public/img/grafana_icon.svg");

    assertThat(access.planAccess(sso)).filteredOn(item -> item.action() != PlanItem.Action.KEEP).extracting(PlanItem::line)
        .containsExactly("UPDATE AccessApplication grafana.254carbon.com — session_duration 12h → 24h");
    List<AccessApplication> repaired = ensureAll();

    AccessApplication grafana = repaired.get(1);
    assertThat(grafana.change()).isEqualTo(Change.UPDATED);
    assertThat(grafana.appCreated()).isFalse();
    assertThat(grafana.summary()).endsWith(": session_duration 12h → 24h");
    assertThat(repaired).filteredOn(a -> a.change() != Change.UNCHANGED).containsExactly(grafana);
    assertThat(fake.applications()).filteredOn(a -> a.domain().equals("grafana.254carbon.com"))
        .extracting(CloudflareAccessFake.Application::sessionDuration).containsExactly("24h");
    assertThat(fake.applicationField("grafana.254carbon.com", "logo_url")).as("a dashboard setting the runbook does not manage")
        .isEqualTo("https://grafana.254carbon.com/public/img/grafana_icon.svg");
    assertThat(fake.appCreates()).isEqualTo(10);
  }

  @Test
  void aPolicyOpenedToEveryoneByHandIsShownAsDriftAndClosedAgain() {
    List<AccessApplication> apps = ensureAll();
    CloudflareApi api = new CloudflareApi(http, CloudflareAccessFake.DEMO_TOKEN, CloudflareAccessFake.DEMO_ACCOUNT_ID, "test",
        line -> { }, Duration.ofMinutes(1));
    var open = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("name", "Allow Trino Access")
        .put("decision", "allow");
    open.putArray("include").addObject().putObject("everyone");
    api.put(api.access("policies/" + apps.get(7).policyId()), open, "open the policy");

    assertThat(access.planAccess(sso)).filteredOn(item -> item.action() != PlanItem.Action.KEEP).extracting(PlanItem::line)
        .containsExactly("UPDATE AccessPolicy Allow Trino Access — include [everyone] → [email_domain 254carbon.com]");
    AccessApplication trino = access.ensureApplication(sso, specs.get(7), fake.identityProviders().get(0).id());

    assertThat(trino.change()).isEqualTo(Change.UPDATED);
    assertThat(trino.summary()).endsWith(": policy Allow Trino Access: include [everyone] → [email_domain 254carbon.com]");
    assertThat(fake.policies()).filteredOn(p -> p.name().equals("Allow Trino Access")).extracting(CloudflareAccessFake.Policy::include)
        .containsExactly("[{\"email_domain\":{\"domain\":\"254carbon.com\"}}]");
    assertThat(fake.policyCreates()).isEqualTo(10);
  }

  @Test
  void anAcmeBypassApplicationLetsEveryoneThroughOnTheChallengePathOnly() {
    Sso withBypass = new Sso(sso.teamDomain(), sso.accountId(), sso.apiToken(), sso.allow(), sso.appSettings(),
        sso.apps().subList(1, 2), true, "1h", null, sso.validation(), sso.tunnel());
    List<AccessAppSpec> bypassSpecs = AccessAppSpec.of(withBypass);
    AccessIdentityProvider idp = access.ensureIdentityProvider(withBypass);

    AccessApplication bypass = access.ensureApplication(withBypass, bypassSpecs.get(1), idp.id());

    assertThat(bypass.domain()).isEqualTo("grafana.254carbon.com/.well-known/acme-challenge/*");
    assertThat(fake.policies()).singleElement().satisfies(p -> {
      assertThat(p.decision()).isEqualTo("bypass");
      assertThat(p.include()).isEqualTo("[{\"everyone\":{}}]");
    });
    assertThat(fake.hasApplicationFor("grafana.254carbon.com")).isFalse();
    assertThat(access.ensureApplication(withBypass, bypassSpecs.get(1), idp.id()).change()).isEqualTo(Change.UNCHANGED);
  }

  @Test
  void anApplicationCreatedByHandIsAdoptedAndCompletedNotDuplicated() {
    String before = fake.seedApplication("Grafana", "grafana.254carbon.com", "8h");

    List<PlanItem> plan = access.planAccess(sso);
    assertThat(plan).extracting(PlanItem::line).contains("UPDATE AccessApplication grafana.254carbon.com — name Grafana →"
        + " Grafana.254Carbon; session_duration 8h → 24h; allowed_idps [] → [One-time PIN, to be created]; policies [] →"
        + " [Allow Grafana Access, to be created]");
    List<AccessApplication> apps = ensureAll();

    assertThat(apps.get(1).appId()).isEqualTo(before);
    assertThat(apps.get(1).change()).isEqualTo(Change.UPDATED);
    assertThat(apps.get(1).appCreated()).isFalse();
    assertThat(apps.get(1).policyCreated()).isTrue();
    assertThat(fake.applications()).hasSize(10);
    assertThat(fake.appCreates()).isEqualTo(9);
  }

  @Test
  void whenAnotherClientCreatesTheApplicationFirstThe409IsResolvedByAdoptingIt() {
    AccessIdentityProvider idp = access.ensureIdentityProvider(sso);
    fake.beforeNextApplicationCreate(() -> fake.seedApplication("Grafana.254Carbon", "grafana.254carbon.com", "24h"));

    AccessApplication grafana = access.ensureApplication(sso, specs.get(1), idp.id());

    assertThat(grafana.appCreated()).isFalse();
    assertThat(grafana.change()).isEqualTo(Change.UPDATED); // its policy and IdP were attached
    assertThat(fake.applications()).hasSize(1);
    assertThat(fake.applications().get(0).policyIds()).containsExactly(grafana.policyId());
    assertThat(fake.appCreates()).isZero();
  }

  @Test
  void aRateLimitInTheMiddleOfARunIsWaitedOutWithHeartbeatsAndNothingIsDuplicated() {
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(access);
    List<CloudflareAccess.Created> heartbeats = Collections.synchronizedList(new ArrayList<>());
    env.setActivityHeartbeatListener(CloudflareAccess.Created.class, heartbeats::add);
    AccessActivities activities = env.newActivityStub(AccessActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(1)).setHeartbeatTimeout(Duration.ofSeconds(30))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build()).build());

    AccessIdentityProvider idp = activities.ensureIdentityProvider(sso);
    List<AccessApplication> apps = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      if (i == 3) {
        fake.rateLimitNext(1);
      }
      apps.add(activities.ensureApplication(sso, specs.get(i), idp.id()));
    }

    assertThat(apps).extracting(AccessApplication::change).containsOnly(Change.CREATED);
    assertThat(heartbeats).extracting(CloudflareAccess.Created::waiting).filteredOn(w -> w != null)
        .isNotEmpty().allMatch(w -> w.startsWith("Cloudflare rate limit: GET /accounts/"));
    assertThat(fake.appCreates()).isEqualTo(10);
    assertThat(fake.policyCreates()).isEqualTo(10);
    assertThat(fake.applications()).hasSize(10);
  }

  @Test
  void aRetriedAttemptStillKnowsWhatTheEarlierAttemptCreated() {
    AccessIdentityProvider idp = access.ensureIdentityProvider(sso);
    AccessApplication first = access.ensureApplication(sso, specs.get(1), idp.id());
    int writes = fake.writes();
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(access);
    env.setHeartbeatDetails(new CloudflareAccess.Created(null, first.policyId(), first.appId(), null));
    AccessActivities retried = env.newActivityStub(AccessActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(1)).build());

    AccessApplication again = retried.ensureApplication(sso, specs.get(1), idp.id());

    assertThat(again.change()).isEqualTo(Change.CREATED);
    assertThat(again.appCreated()).isTrue();
    assertThat(again.policyCreated()).isTrue();
    assertThat(fake.writes()).isEqualTo(writes);
  }

  @Test
  void aServerErrorIsRetryableAndTheRetryCreatesOnce() {
    fake.failNext(1, 503);

    assertThatThrownBy(() -> access.ensureIdentityProvider(sso)).isInstanceOfSatisfying(ApplicationFailure.class, f -> {
      assertThat(f.isNonRetryable()).isFalse();
      assertThat(f.getOriginalMessage()).contains("GET /accounts/" + CloudflareAccessFake.DEMO_ACCOUNT_ID
          + "/access/identity_providers").contains("answered 503");
    });
    assertThat(access.ensureIdentityProvider(sso).change()).isEqualTo(Change.CREATED);
    assertThat(access.ensureIdentityProvider(sso).change()).isEqualTo(Change.UNCHANGED);
    assertThat(fake.identityProviderCreates()).isEqualTo(1);
  }

  @Test
  void aRefusedTokenIsNonRetryableWithCloudflaresAnswerAndTheTokenAppearsNowhere() {
    String wrongToken = "planted-Cloudflare-token-Zx81";
    CloudflareAccess refused = access(wrongToken);

    assertThatThrownBy(() -> refused.ensureIdentityProvider(sso)).isInstanceOfSatisfying(ApplicationFailure.class, f -> {
      assertThat(f.isNonRetryable()).isTrue();
      assertThat(f.getType()).isEqualTo("CloudflareRefused");
      assertThat(f.getOriginalMessage()).isEqualTo("Cloudflare refused to list the identity providers: GET /accounts/"
          + CloudflareAccessFake.DEMO_ACCOUNT_ID + "/access/identity_providers answered 403 [10000 Authentication error];"
          + " the API token (env:CLOUDFLARE_API_TOKEN) is invalid or lacks \"Access: Apps and Policies: Edit\" (and, for"
          + " the identity provider, \"Access: Organizations, Identity Providers, and Groups: Edit\") on account "
          + CloudflareAccessFake.DEMO_ACCOUNT_ID + ": fix the token's permissions, then retry");
      assertThat(f.getMessage()).doesNotContain(wrongToken);
    });
    // The same through an activity stub: the failure as the workflow would see it.
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(refused);
    AccessActivities stub = env.newActivityStub(AccessActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(1)).build());
    assertThatThrownBy(() -> stub.planAccess(sso)).isInstanceOfSatisfying(ActivityFailure.class, f -> {
      assertThat(f.getCause()).isInstanceOf(ApplicationFailure.class);
      assertThat(((ApplicationFailure) f.getCause()).isNonRetryable()).isTrue();
      assertThat(f.getCause().getMessage()).contains("403").doesNotContain(wrongToken);
    });

    assertThat(ensureAll()).extracting(AccessApplication::summary).noneMatch(line -> line.contains(CloudflareAccessFake.DEMO_TOKEN));
    assertThat(logs.list).isNotEmpty()
        .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(CloudflareAccessFake.DEMO_TOKEN).doesNotContain(wrongToken));
  }

  @Test
  void aMissingAccountIdOrTokenNamesTheConfigurationKey() {
    assertThatThrownBy(() -> access.planAccess(withAccount(null, TOKEN_REF)))
        .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
          assertThat(f.isNonRetryable()).isTrue();
          assertThat(f.getOriginalMessage()).startsWith("sso.accountId is not set");
        });
    assertThatThrownBy(() -> access.ensureIdentityProvider(withAccount(CloudflareAccessFake.DEMO_ACCOUNT_ID, null)))
        .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
          assertThat(f.isNonRetryable()).isTrue();
          assertThat(f.getOriginalMessage()).startsWith("sso.apiToken is not set");
        });
  }

  @Test
  void aRunWithoutApprovalToChangeAnythingWritesNothing() {
    assertThatThrownBy(() -> ChangeGuard.readOnly("the plan had no changes", () -> access.ensureIdentityProvider(sso)))
        .isInstanceOfSatisfying(ApplicationFailure.class, f -> assertThat(f.getOriginalMessage())
            .isEqualTo("Cloudflare POST /accounts/" + CloudflareAccessFake.DEMO_ACCOUNT_ID + "/access/identity_providers"
                + " refused by this worker: the plan had no changes"));
    assertThat(fake.writes()).isZero();
  }

  @Test
  void compensationDeletesOnlyWhatThisRunCreated() {
    String before = fake.seedApplication("Grafana.254Carbon", "grafana.254carbon.com", "24h");
    AccessIdentityProvider idp = access.ensureIdentityProvider(sso);
    List<AccessApplication> apps = new ArrayList<>();
    for (AccessAppSpec spec : specs) {
      apps.add(access.ensureApplication(sso, spec, idp.id()));
    }

    for (AccessApplication app : apps) {
      Change deleted = access.deleteCreatedApplication(sso, app).change();
      assertThat(deleted).isEqualTo(Change.DELETED);
    }
    assertThat(access.deleteCreatedIdentityProvider(sso, idp).change()).isEqualTo(Change.DELETED);

    assertThat(fake.applications()).extracting(CloudflareAccessFake.Application::id).containsExactly(before);
    assertThat(fake.policies()).isEmpty();
    assertThat(fake.identityProviders()).isEmpty();
    var again = access.deleteCreatedApplication(sso, apps.get(0));
    assertThat(again.change()).isEqualTo(Change.UNCHANGED);
    assertThat(again.summary()).isEqualTo("already gone: application 254Carbon Portal on 254carbon.com and its policy ("
        + apps.get(0).policyId() + ")");
    assertThat(access.deleteCreatedIdentityProvider(sso, idp).change()).isEqualTo(Change.UNCHANGED);
    assertThat(access.deleteCreatedIdentityProvider(sso, new AccessIdentityProvider("x", false, Change.UNCHANGED, "")).summary())
        .isEqualTo("One-time PIN identity provider was not created by this run: kept");
  }

  // -------------------------------------------------------------------------------------------

  private List<AccessApplication> ensureAll() {
    AccessIdentityProvider idp = access.ensureIdentityProvider(sso);
    List<AccessApplication> apps = new ArrayList<>();
    for (AccessAppSpec spec : specs) {
      apps.add(access.ensureApplication(sso, spec, idp.id()));
    }
    return apps;
  }

  private CloudflareAccess access(String token) {
    return new CloudflareAccess(http, new Secrets(Map.of("CLOUDFLARE_API_TOKEN", token)::get, null), Duration.ofMinutes(1));
  }

  private static Sso withAccount(String accountId, SecretRef token) {
    return new Sso(DEFAULT.teamDomain(), accountId, token, DEFAULT.allow(), DEFAULT.appSettings(), DEFAULT.apps(),
        DEFAULT.acmeBypass(), DEFAULT.acmeBypassSessionDuration(), DEFAULT.serviceToken(), DEFAULT.validation(),
        DEFAULT.tunnel());
  }
}
