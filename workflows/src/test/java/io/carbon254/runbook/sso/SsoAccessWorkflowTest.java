package io.carbon254.runbook.sso;

import static io.carbon254.runbook.engine.RunbookTesting.approve;
import static io.carbon254.runbook.engine.RunbookTesting.awaitGate;
import static io.carbon254.runbook.engine.RunbookTesting.awaitStatus;
import static io.carbon254.runbook.engine.RunbookTesting.failure;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.GateView;
import io.carbon254.runbook.engine.ManualTaskReport;
import io.carbon254.runbook.engine.Mode;
import io.carbon254.runbook.engine.OperatorAction;
import io.carbon254.runbook.engine.RecordingNotifier;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.RunbookTesting;
import io.carbon254.runbook.engine.StepState;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * sso-access on a Cloudflare account in memory that has nothing of the platform yet: in API mode
 * (an account and a token reference in the worker's configuration) a plan, two admins' approval,
 * then the identity provider and the 10 applications; in manual mode a checklist that is done only
 * when the hosts redirect to the Access login.
 */
class SsoAccessWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = RunbookTesting.extension(SsoAccessWorkflowImpl.class);

  private final SsoWorld world = new SsoWorld();
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RunbookTesting.Started started = RunbookTesting.startWorker(env, worker, client, world, new RecordingNotifier());
    this.client = started.client();
    this.taskQueue = started.taskQueue();
  }

  @Test
  void anApprovedPlanCreatesTheIdentityProviderAndTheTenApplicationsWithTheirAudTags() {
    SsoAccessWorkflow run = start(SsoConfigs.apiMode(), Mode.APPLY);

    GateView plan = awaitGate(run, "approve-plan");
    assertThat(plan.prompt()).contains("CREATE IdentityProvider One-time PIN",
        "CREATE AccessApplication grafana.254carbon.com — Grafana.254Carbon, session 24h, policy Allow Grafana Access",
        "CREATE AccessApplication vault.254carbon.com — Vault.254Carbon, session 2h, policy Allow Vault Access");
    assertThat(world.cloudflareWrites).as("nothing changes before the approvals").hasValue(0);
    approve(run, "approve-plan", "bob", "carol");

    RunbookResult result = result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(world.apps).hasSize(10).containsKeys("254carbon.com", "grafana.254carbon.com", "lakefs.254carbon.com");
    assertThat(world.policies).hasSize(10).containsKey("Allow Superset Access");
    assertThat(world.identityProvider).isNotNull();
    assertThat(result.step("identity-provider").change()).isEqualTo(Change.CREATED);
    assertThat(result.step("application/grafana.254carbon.com").change()).isEqualTo(Change.CREATED);
    assertThat(result.outputs().get("mode")).isEqualTo("API (account 0123456789abcdef0123456789abcdef)");
    assertThat(result.outputs().get("applications")).contains("| Grafana.254Carbon | grafana.254carbon.com | "
        + world.apps.get("grafana.254carbon.com").id() + " | " + world.apps.get("grafana.254carbon.com").aud() + " |");
  }

  @Test
  void onAConfiguredAccountNothingNeedsApprovalAndNothingIsWritten() {
    PlatformConfig config = SsoConfigs.apiMode();
    world.accessConfigured(config.sso());

    RunbookResult result = result(start(config, Mode.APPLY));

    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.step("approve-plan").state()).isEqualTo(StepState.SKIPPED);
    assertThat(result.steps()).filteredOn(s -> s.id().startsWith("application/"))
        .hasSize(10).allSatisfy(s -> assertThat(s.change()).isEqualTo(Change.UNCHANGED));
    assertThat(world.cloudflareWrites).hasValue(0);
  }

  @Test
  void driftOnOneApplicationIsPlannedAndRepairedWithoutADuplicate() {
    PlatformConfig config = SsoConfigs.apiMode();
    world.accessConfigured(config.sso());
    SsoWorld.App vault = world.apps.get("vault.254carbon.com");
    world.apps.put(vault.domain(), new SsoWorld.App(vault.id(), vault.name(), vault.domain(), "24h", vault.policy(), vault.aud()));

    SsoAccessWorkflow run = start(config, Mode.APPLY);
    assertThat(awaitGate(run, "approve-plan").prompt()).contains(
        "UPDATE AccessApplication vault.254carbon.com — session_duration 24h → 2h");
    approve(run, "approve-plan", "bob", "carol");

    RunbookResult result = result(run);
    assertThat(result.step("application/vault.254carbon.com").change()).isEqualTo(Change.UPDATED);
    assertThat(world.apps).hasSize(10);
    assertThat(world.apps.get("vault.254carbon.com")).isEqualTo(vault);
    assertThat(world.cloudflareWrites).hasValue(1);
  }

  @Test
  void anAbortDeletesWhatThisRunCreatedAndNothingThatWasThereBefore() {
    PlatformConfig config = SsoConfigs.apiMode();
    world.ensureApplication(config.sso(), AccessAppSpec.of(config.sso()).get(0), "idp-before");
    SsoWorld.App portal = world.apps.get("254carbon.com");
    world.failingDomains.add("trino.254carbon.com");

    SsoAccessWorkflow run = start(config, Mode.APPLY);
    approve(run, "approve-plan", "bob", "carol");
    RunbookStatus waiting = awaitStatus(run, "trino's application to fail",
        s -> "application/trino.254carbon.com".equals(s.awaitingOperator()));
    assertThat(waiting.lastError()).contains("Cloudflare POST /accounts/0123456789abcdef0123456789abcdef/access/apps: 403");
    RunbookTesting.operate(run, new OperatorAction("application/trino.254carbon.com", OperatorAction.Action.ABORT,
        "erin", "the token lacks Access: Apps and Policies edit; fix it and run again"));

    assertThat(failure(run).getType()).isEqualTo("RunbookAborted");
    assertThat(world.apps).as("only the application that was there before").containsOnlyKeys("254carbon.com");
    assertThat(world.apps.get("254carbon.com")).isEqualTo(portal);
    assertThat(world.policies).containsOnlyKeys("Allow Portal Access");
    assertThat(world.identityProvider).as("the identity provider this run created is gone").isNull();
  }

  @Test
  void manualModeShowsEveryFieldAndIsDoneOnlyWhenEveryHostRedirectsToTheAccessLogin() throws Exception {
    PlatformConfig config = SsoConfigs.manualMode();
    SsoAccessWorkflow run = start(config, Mode.APPLY);

    RunbookStatus open = awaitStatus(run, "the manual task", s -> s.openTask() != null);
    assertThat(open.openTask().task()).isEqualTo("configure-access");
    assertThat(open.openTask().checklist()).hasSize(12).anySatisfy(item -> assertThat(item).isEqualTo(
        "Access → Applications → Add → Self-hosted: name \"Vault.254Carbon\", domain vault.254carbon.com, session"
            + " duration 2h, identity providers: One-time PIN only, instant auth off, app launcher visible, HTTP-only"
            + " cookie on; policy \"Allow Vault Access\": action Allow, include emails ending in @254carbon.com"));
    keepHistory("SsoAccessWorkflow-trusted-paused-at-configure-access");

    // Nine of ten done in the dashboard: the verification names the one still missing.
    PlatformConfig api = SsoConfigs.apiMode();
    AccessAppSpec.of(api.sso()).stream().filter(s -> !s.domain().equals("doris.254carbon.com"))
        .forEach(spec -> world.ensureApplication(api.sso(), spec, "idp"));
    RunbookTesting.taskDone(run, new ManualTaskReport("configure-access", "dave", "all ten entered", List.of()));
    RunbookStatus notYet = awaitStatus(run, "the verification to fail", s -> s.openTask() != null
        && s.openTask().lastVerification() != null);
    assertThat(notYet.openTask().lastVerification())
        .isEqualTo("verification failed: doris.254carbon.com: 200, no Access application protects it yet");

    world.ensureApplication(api.sso(), AccessAppSpec.of(api.sso()).stream()
        .filter(s -> s.domain().equals("doris.254carbon.com")).findFirst().orElseThrow(), "idp");
    RunbookTesting.taskDone(run, new ManualTaskReport("configure-access", "dave", "doris too", List.of()));

    RunbookResult result = result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.step("configure-access").summary()).isEqualTo(
        "done by dave; verified: 10 host(s) redirect to qagi.cloudflareaccess.com");
    assertThat(result.outputs().get("mode")).isEqualTo("manual (no sso.apiToken in the worker's configuration)");
  }

  @Test
  void manualModeOnAPlatformAlreadyBehindAccessAsksNobody() {
    world.accessConfigured(SsoConfigs.apiMode().sso());

    RunbookResult result = result(start(SsoConfigs.manualMode(), Mode.APPLY));

    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.step("configure-access").change()).isEqualTo(Change.UNCHANGED);
    assertThat(result.step("configure-access").summary()).isEqualTo("10 host(s) redirect to qagi.cloudflareaccess.com");
  }

  @Test
  void aRunPausedAtThePlanGateIsKeptForReplay() throws Exception {
    SsoAccessWorkflow run = start(SsoConfigs.apiMode(), Mode.APPLY);
    awaitGate(run, "approve-plan");
    keepHistory("SsoAccessWorkflow-trusted-paused-at-approve-plan");
  }

  private SsoAccessWorkflow start(PlatformConfig config, Mode mode) {
    RunbookTesting.start(client, SsoAccessWorkflow.RUNBOOK, "SsoAccessWorkflow",
        RunbookTesting.request(config, mode, "alice", Map.of()), taskQueue);
    return client.newWorkflowStub(SsoAccessWorkflow.class, "254carbon/sso-access");
  }

  private void keepHistory(String name) throws Exception {
    RunbookTesting.keepHistory(client, "254carbon/sso-access", SsoAccessWorkflowImpl.class, name);
  }
}
