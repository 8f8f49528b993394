package io.carbon254.runbook.sso;

import static io.carbon254.runbook.engine.RunbookTesting.awaitStatus;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.PlatformConfig;
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
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** sso-validation: every protected host probed in parallel; a failing host waits for an operator, never passes silently. */
class SsoValidationWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = RunbookTesting.extension(SsoValidationWorkflowImpl.class);

  private final SsoWorld world = new SsoWorld();
  private final PlatformConfig config = SsoConfigs.manualMode();
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RunbookTesting.Started started = RunbookTesting.startWorker(env, worker, client, world, new RecordingNotifier());
    this.client = started.client();
    this.taskQueue = started.taskQueue();
  }

  @Test
  void everyHostBehindAccessPassesWithItsEvidenceInTheTable() {
    world.accessConfigured(SsoConfigs.apiMode().sso());

    RunbookResult result = result(start());

    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.steps()).filteredOn(s -> s.id().startsWith("validate/")).hasSize(10)
        .allSatisfy(s -> assertThat(s.state()).isEqualTo(StepState.SUCCEEDED));
    assertThat(result.outputs().get("hosts")).isEqualTo("10 of 10 host(s) passed");
    assertThat(result.outputs().get("validation")).contains("| grafana.254carbon.com | 302 → https://qagi.cloudflareaccess.com"
        + "/cdn-cgi/access/login/grafana.254carbon.com?kid=" + world.apps.get("grafana.254carbon.com").aud()
        + " | 308 → https://grafana.254carbon.com/ | 2027-02-26 (89 d) | max-age=31536000; includeSubDomains"
        + " | not run: no sso.serviceToken configured | ✓ |");
  }

  @Test
  void aHostWithoutHstsWaitsForAnOperatorAndPassesOnRetryOnceFixed() throws Exception {
    world.accessConfigured(SsoConfigs.apiMode().sso());
    world.withoutHsts.add("minio.254carbon.com");
    SsoValidationWorkflow run = start();

    RunbookStatus waiting = awaitStatus(run, "minio's validation to fail",
        s -> "validate/minio.254carbon.com".equals(s.awaitingOperator()));
    assertThat(waiting.lastError()).contains("minio.254carbon.com: no Strict-Transport-Security header");
    keepHistory("SsoValidationWorkflow-trusted-paused-at-operator-validate-minio");

    world.withoutHsts.clear();
    RunbookTesting.operate(run, new OperatorAction("validate/minio.254carbon.com", OperatorAction.Action.RETRY, "erin",
        "HSTS added to the MinIO console's ingress"));

    RunbookResult result = result(run);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.outputs().get("validation")).contains("| minio.254carbon.com | 302");
    assertThat(result.outputs().get("hosts")).isEqualTo("10 of 10 host(s) passed");
  }

  @Test
  void hostsNotYetBehindAccessFailWithWhatTheyAnswered() {
    SsoValidationWorkflow run = start();

    RunbookStatus waiting = awaitStatus(run, "a host's validation to fail",
        s -> s.awaitingOperator() != null && s.awaitingOperator().startsWith("validate/"));
    assertThat(waiting.lastError()).contains(
        "200: the service answers without Access — no Access application protects this host");
  }

  private SsoValidationWorkflow start() {
    RunbookTesting.start(client, SsoValidationWorkflow.RUNBOOK, "SsoValidationWorkflow",
        RunbookTesting.request(config, Mode.APPLY, "alice", Map.of()), taskQueue);
    return client.newWorkflowStub(SsoValidationWorkflow.class, "254carbon/sso-validation");
  }

  private void keepHistory(String name) throws Exception {
    RunbookTesting.keepHistory(client, "254carbon/sso-validation", SsoValidationWorkflowImpl.class, name);
  }
}
