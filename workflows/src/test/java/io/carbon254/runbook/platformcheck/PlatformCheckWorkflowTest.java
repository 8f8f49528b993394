package io.carbon254.runbook.platformcheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.Ha;
import io.carbon254.runbook.config.Harbor;
import io.carbon254.runbook.config.Hpa;
import io.carbon254.runbook.config.Monitoring;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.config.PlatformService;
import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.RecordingNotifier;
import io.carbon254.runbook.engine.RunbookLauncher;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookTesting;
import io.carbon254.runbook.engine.TestKeys;
import io.carbon254.runbook.engine.StepState;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** platform-check reads the platform and reports readiness in the status report's terms. */
class PlatformCheckWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = RunbookTesting.extension(PlatformCheckWorkflowImpl.class);

  /** The platform as the status report left it: monitoring complete, the five tasks open. */
  static class PlatformAt85Percent implements PlatformCheckActivities {
    boolean ssoDone;
    boolean clusterUnreachable;

    public CheckResult checkCluster() {
      if (clusterUnreachable) {
        throw ApplicationFailure.newNonRetryableFailure("Kubernetes API https://10.0.0.1:6443 refused the connection", "Unreachable");
      }
      return CheckResult.ok("cluster", "Kubernetes v1.28.4, 1 of 1 nodes Ready", List.of("cp-1 Ready"));
    }

    public CheckResult checkNamespaces(List<String> namespaces) {
      return CheckResult.ok("namespaces", namespaces.size() + " of " + namespaces.size() + " namespaces exist", namespaces);
    }

    public CheckResult checkWorkloads(List<PlatformService> services) {
      return CheckResult.ok("workloads", services.size() + " of " + services.size() + " services ready", List.of());
    }

    public CheckResult checkMonitoring(Monitoring monitoring) {
      return CheckResult.ok("monitoring", "18 active Prometheus targets (≥ 16), 16 ServiceMonitors, 4 Grafana dashboards", List.of());
    }

    public CheckResult checkSso(Sso sso, List<PlatformService> services) {
      return ssoDone
          ? CheckResult.ok("sso", "9 of 9 SSO ingresses protected by Access (qagi.cloudflareaccess.com)", List.of())
          : CheckResult.failed("sso", "0 of 9 SSO ingresses protected by Access (qagi.cloudflareaccess.com)", List.of());
    }

    public CheckResult checkBackups(Backup backup) {
      return CheckResult.failed("backups", "BSL default Unavailable; schedules 0 of 3 Enabled; MinIO live", List.of());
    }

    public CheckResult checkAutoscaling(Hpa hpa) {
      return CheckResult.failed("autoscaling", "metrics API v1beta1.metrics.k8s.io not Available (FailedDiscoveryCheck); 0 of 2 HPAs", List.of());
    }

    public CheckResult checkImageMirroring(Harbor harbor, List<String> namespaces) {
      return CheckResult.failed("image-mirroring", "Harbor healthy; 0 of 41 workload images from harbor.254carbon.local", List.of());
    }

    public CheckResult checkHighAvailability(Ha ha) {
      return CheckResult.failed("high-availability", "0 of 3 worker nodes Ready", List.of());
    }
  }

  private final PlatformAt85Percent platform = new PlatformAt85Percent();
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RunbookTesting.Started started = RunbookTesting.startWorker(env, worker, client, platform, new RecordingNotifier());
    this.client = started.client();
    this.taskQueue = started.taskQueue();
  }

  @Test
  void theReportHasOneLinePerStatusReportComponentAndTheScoreStartsAt85() throws Exception {
    PlatformConfig config = TestKeys.signedBy(ConfigLoader.loadDefault());

    RunbookResult result = check(config);

    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.outputs()).containsEntry("score", "85%");
    assertThat(result.outputs().get("report"))
        .contains("| SSO Infrastructure | ✗ | 0 of 9 SSO ingresses protected by Access (qagi.cloudflareaccess.com) |")
        .contains("| Enhanced Monitoring | ✓ | 18 active Prometheus targets (≥ 16), 16 ServiceMonitors, 4 Grafana dashboards |")
        .contains("| Backup Strategy | ✗ | BSL default Unavailable; schedules 0 of 3 Enabled; MinIO live |")
        .contains("| Platform workloads | ✓ | Kubernetes v1.28.4, 1 of 1 nodes Ready; 9 of 9 namespaces exist; 10 of 10 services ready |")
        .contains("**Production readiness: 85%**");
    assertThat(result.step("check-sso").summary()).isEqualTo("✗ 0 of 9 SSO ingresses protected by Access (qagi.cloudflareaccess.com)");
    assertThat(result.steps()).extracting(s -> s.state()).containsOnly(StepState.SUCCEEDED);
    assertThat(result.gates()).as("a read-only runbook asks nobody").isEmpty();

    keepHistory("PlatformCheckWorkflow-trusted-at-85-percent");
  }

  @Test
  void eachFinishedTaskAddsThreePercent() {
    platform.ssoDone = true;

    RunbookResult result = check(TestKeys.signedBy(ConfigLoader.loadDefault()));

    assertThat(result.outputs()).containsEntry("score", "88%");
    assertThat(result.outputs().get("report")).contains("| SSO Infrastructure | ✓ |");
  }

  @Test
  void aRunPausedForAnOperatorIsKeptForReplay() throws Exception {
    platform.clusterUnreachable = true;
    PlatformConfig config = TestKeys.signedBy(ConfigLoader.loadDefault());
    RunbookTesting.start(client, PlatformCheckWorkflow.RUNBOOK, "PlatformCheckWorkflow",
        RunbookTesting.apply(config, "alice"), taskQueue);
    PlatformCheckWorkflow run = client.newWorkflowStub(PlatformCheckWorkflow.class, "254carbon/platform-check");
    RunbookTesting.awaitStatus(run, "the failed check", s -> "check-cluster".equals(s.awaitingOperator()));
    keepHistory("PlatformCheckWorkflow-trusted-paused-at-operator-check-cluster");
  }

  private RunbookResult check(PlatformConfig config) {
    RunbookTesting.start(client, PlatformCheckWorkflow.RUNBOOK, "PlatformCheckWorkflow",
        RunbookTesting.apply(config, "alice"), taskQueue);
    return WorkflowStub.fromTyped(client.newWorkflowStub(PlatformCheckWorkflow.class, config.name() + "/platform-check"))
        .getResult(RunbookResult.class);
  }

  private void keepHistory(String name) throws Exception {
    RunbookTesting.keepHistory(client, "254carbon/platform-check", PlatformCheckWorkflowImpl.class, name);
  }

}
