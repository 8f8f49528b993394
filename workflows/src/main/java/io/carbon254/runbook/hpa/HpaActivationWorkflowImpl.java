package io.carbon254.runbook.hpa;

import io.carbon254.runbook.config.Hpa;
import io.carbon254.runbook.engine.AbstractRunbookWorkflow;
import io.carbon254.runbook.engine.ActivityDefaults;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.Step;
import io.carbon254.runbook.engine.StepOutcome;
import io.carbon254.runbook.engine.Verification;
import io.temporal.activity.ActivityOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public class HpaActivationWorkflowImpl extends AbstractRunbookWorkflow implements HpaActivationWorkflow {

  /** Polls until the metrics API or the HPAs are as wanted; a dead worker is noticed by the missing heartbeat. */
  static final ActivityOptions WAITS = ActivityDefaults.waits(Duration.ofMinutes(30));

  private final AutoscalingActivities autoscaling = runbook.activities(AutoscalingActivities.class,
      ActivityDefaults.IDEMPOTENT_CALLS, Map.of("waitForMetricsApi", WAITS, "waitForAutoscalers", WAITS));

  public HpaActivationWorkflowImpl() {
    super(RUNBOOK);
  }

  @Override
  public RunbookResult run(RunbookRequest request) {
    MetricsApi[] found = new MetricsApi[1];

    return runbook.run(request, rb -> {
      Hpa hpa = rb.platform().hpa();
      Hpa.MetricsServer metricsServer = hpa.metricsServer();
      Step fixMetricsServer = rb.declare("fix-metrics-server", "metrics-server's arguments, where the metrics API needs them");
      Step waitForMetricsApi = rb.declare("wait-metrics-api", "APIService " + metricsServer.apiService()
          + " Available, node metrics served");
      Step snapshot = rb.declare("snapshot-autoscalers", "Record the HPAs as they are (put back on abort)");
      Step ensureAutoscalers = rb.declare("ensure-autoscalers", "HPAs as configured: " + String.join(", ",
          hpa.autoscalers().stream().map(a -> a.name() + " " + a.minReplicas() + "–" + a.maxReplicas() + " at "
              + a.cpuUtilization() + "% CPU").toList()));
      Step verifyAutoscalers = rb.declare("verify-autoscalers", "Every HPA reports current metrics and ScalingActive");

      rb.approvePlan(() -> {
        found[0] = autoscaling.inspectMetricsApi(metricsServer);
        List<PlanItem> plan = new ArrayList<>();
        plan.add(metricsServerItem(found[0]));
        plan.addAll(autoscaling.planAutoscalers(hpa));
        return plan;
      });

      MetricsApi api = found[0];
      if (api.needsFix()) {
        fixMetricsServer.compensateWith(() -> autoscaling.restoreMetricsServer(metricsServer, api.args()))
            .run(() -> autoscaling.fixMetricsServer(metricsServer));
      } else {
        fixMetricsServer.alreadyDone(api.available() ? api.availability() + ": nothing to fix"
            : "metrics-server already has every argument the configuration asks for");
      }
      StepOutcome<Verification> metrics = waitForMetricsApi.run(() -> autoscaling.waitForMetricsApi(metricsServer));
      rb.output("metrics-api", evidence(metrics, waitForMetricsApi));

      List<HpaSnapshot> before = snapshot.require(() -> autoscaling.snapshotAutoscalers(hpa));
      ensureAutoscalers.compensateWith(() -> autoscaling.restoreAutoscalers(before))
          .run(() -> autoscaling.ensureAutoscalers(hpa));
      StepOutcome<Verification> verified = verifyAutoscalers.run(() -> autoscaling.waitForAutoscalers(hpa));
      rb.output("autoscalers", evidence(verified, verifyAutoscalers));
    });
  }

  /** The exact argument diff when metrics-server needs one; else what was found, kept. */
  static PlanItem metricsServerItem(MetricsApi api) {
    if (api.needsFix()) {
      return PlanItem.update("Deployment", api.deployment(), "container " + api.container() + " args "
          + String.join(" ", api.missingArgs().stream().map(arg -> "+ " + arg).toList()) + " (" + api.availability() + ")");
    }
    if (api.available()) {
      return PlanItem.keep("Deployment", api.deployment(), api.availability());
    }
    return PlanItem.keep("Deployment", api.deployment(), "has every argument the configuration asks for, yet "
        + api.availability() + ": the wait for the metrics API will report why");
  }

  private static String evidence(StepOutcome<Verification> outcome, Step step) {
    return outcome.map(Verification::evidence).orElse("step " + step.id() + " was " + outcome.describe(""));
  }
}
