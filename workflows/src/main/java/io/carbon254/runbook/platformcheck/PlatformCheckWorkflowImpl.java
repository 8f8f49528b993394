package io.carbon254.runbook.platformcheck;

import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.AbstractRunbookWorkflow;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.Runbook;
import io.carbon254.runbook.engine.StepOutcome;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Functions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class PlatformCheckWorkflowImpl extends AbstractRunbookWorkflow implements PlatformCheckWorkflow {

  /** Reads only: quick retries, then an operator decides (usually the cluster is unreachable). */
  static final ActivityOptions CHECKS = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofMinutes(1))
      .setRetryOptions(RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(1))
          .setMaximumInterval(Duration.ofSeconds(10))
          .setMaximumAttempts(4)
          .build())
      .build();

  private final PlatformCheckActivities platform = runbook.activities(PlatformCheckActivities.class, CHECKS);

  public PlatformCheckWorkflowImpl() {
    super(RUNBOOK);
  }

  @Override
  public RunbookResult run(RunbookRequest request) {
    Map<String, CheckResult> results = new LinkedHashMap<>();
    return runbook.run(request, rb -> {
      PlatformConfig p = rb.platform();
      // Mirroring is done when the namespaces image-mirror switches pull from Harbor.
      List<String> mirrored = p.harbor() == null || p.harbor().switchNamespaces().isEmpty()
          ? p.namespaces() : p.harbor().switchNamespaces();
      check(rb, results, "cluster", "Kubernetes API reachable, nodes", platform::checkCluster);
      check(rb, results, "namespaces", "Platform namespaces exist", () -> platform.checkNamespaces(p.namespaces()));
      check(rb, results, "workloads", "Service workloads ready", () -> platform.checkWorkloads(p.services()));
      check(rb, results, "monitoring", "Prometheus targets, ServiceMonitors, Grafana dashboards",
          () -> platform.checkMonitoring(p.monitoring()));
      check(rb, results, "sso", "Ingresses protected by Cloudflare Access", () -> platform.checkSso(p.sso(), p.services()));
      check(rb, results, "backups", "Velero, storage location, schedules, MinIO", () -> platform.checkBackups(p.backup()));
      check(rb, results, "autoscaling", "Metrics API and HPAs", () -> platform.checkAutoscaling(p.hpa()));
      check(rb, results, "image-mirroring", "Harbor health, workloads pulling from Harbor",
          () -> platform.checkImageMirroring(p.harbor(), mirrored));
      check(rb, results, "high-availability", "Worker nodes, PostgreSQL standby, distributed MinIO",
          () -> platform.checkHighAvailability(p.ha()));

      ReadinessReport report = ReadinessReport.of(results);
      rb.output("score", report.score() + "%");
      rb.output("report", report.markdown());
      rb.output("ready", String.join(", ", report.lines().stream().filter(ReadinessReport.Line::ok)
          .map(ReadinessReport.Line::component).toList()));
    });
  }

  /** One check; a check an operator skipped counts as not ready, saying who skipped it. */
  private static void check(Runbook rb, Map<String, CheckResult> results, String id, String title,
      Functions.Func<CheckResult> check) {
    StepOutcome<CheckResult> outcome = rb.declare("check-" + id, title).run(check);
    results.put(id, outcome.orElse(CheckResult.failed(id, "not checked: " + outcome.describe(""), List.of())));
  }
}
