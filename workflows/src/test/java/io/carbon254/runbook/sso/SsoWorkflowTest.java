package io.carbon254.runbook.sso;

import static io.carbon254.runbook.engine.RunbookTesting.approve;
import static io.carbon254.runbook.engine.RunbookTesting.awaitGate;
import static io.carbon254.runbook.engine.RunbookTesting.awaitStatus;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.ChildView;
import io.carbon254.runbook.engine.Mode;
import io.carbon254.runbook.engine.RecordingNotifier;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.RunbookTesting;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** sso: phases 2 → 3 → 4 as children, from no SSO to a validated table; the parent shows where a gate is open. */
class SsoWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = RunbookTesting.extension(SsoWorkflowImpl.class,
      SsoAccessWorkflowImpl.class, SsoIntegrationWorkflowImpl.class, SsoValidationWorkflowImpl.class);

  private final SsoWorld world = new SsoWorld();
  private final PlatformConfig config = SsoConfigs.apiMode();
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RunbookTesting.Started started = RunbookTesting.startWorker(env, worker, client, world, new RecordingNotifier());
    this.client = started.client();
    this.taskQueue = started.taskQueue();
  }

  @Test
  void thePhasesRunAsChildrenWhoseGatesTheParentShowsAndTheValidationTableEndsTheRun() throws Exception {
    RunbookTesting.start(client, SsoWorkflow.RUNBOOK, "SsoWorkflow",
        RunbookTesting.request(config, Mode.APPLY, "alice", Map.of()), taskQueue);
    SsoWorkflow sso = client.newWorkflowStub(SsoWorkflow.class, "254carbon/sso");

    RunbookStatus parent = awaitStatus(sso, "the parent to show its child's gate",
        s -> s.children().stream().anyMatch(c -> c.runbook().equals("sso-access") && c.waiting() != null));
    assertThat(parent.children()).extracting(ChildView::workflowId).containsExactly("254carbon/sso/sso-access");
    assertThat(parent.children().get(0).waiting()).isEqualTo("gate approve-plan #1");
    SsoAccessWorkflow access = client.newWorkflowStub(SsoAccessWorkflow.class, "254carbon/sso/sso-access");
    awaitGate(access, "approve-plan");
    keepHistory("SsoWorkflow-trusted-paused-at-child-approve-plan");
    approve(access, "approve-plan", "bob", "carol");

    awaitStatus(sso, "sso-integration to wait for its plan's approval",
        s -> s.children().stream().anyMatch(c -> c.runbook().equals("sso-integration") && c.waiting() != null));
    SsoIntegrationWorkflow integration = client.newWorkflowStub(SsoIntegrationWorkflow.class,
        "254carbon/sso/sso-integration");
    approve(integration, "approve-plan", "bob", "carol");

    RunbookResult result = result(sso);
    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.steps()).extracting(s -> s.id()).containsExactly("sso-access", "sso-integration", "sso-validation");
    assertThat(result.outputs().get("hosts")).isEqualTo("10 of 10 host(s) passed");
    assertThat(result.outputs().get("validation")).contains("| lakefs.254carbon.com | 302 → https://qagi.cloudflareaccess.com");
    assertThat(result.outputs().get("applications")).contains("| LakeFS.254Carbon | lakefs.254carbon.com |");
    assertThat(world.apps).hasSize(10);
    assertThat(world.objects.get(SsoWorld.GRAFANA_CONFIG)).isEqualTo("auth.proxy header_name=X-WEBAUTH-USER");
  }

  private void keepHistory(String name) throws Exception {
    RunbookTesting.keepHistory(client, "254carbon/sso", SsoWorkflowImpl.class, name);
  }
}
