package io.carbon254.runbook.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.engine.GateOutcome;
import io.carbon254.runbook.engine.GateView;
import io.carbon254.runbook.engine.ManualTaskView;
import io.carbon254.runbook.engine.Mode;
import io.carbon254.runbook.engine.OperatorAction;
import io.carbon254.runbook.engine.OperatorWaitView;
import io.carbon254.runbook.engine.RunbookState;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.StepState;
import io.carbon254.runbook.engine.StepView;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gauges the deployment's alerts fire on (deploy/base/prometheusrule.yaml): how long each run
 * has waited for a person, and how long an open gate has left, as Prometheus scrapes them.
 */
class WaitingRunsMetricsTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<RunbookStatus> runs = new ArrayList<>();
  private final WaitingRunsMetrics metrics =
      new WaitingRunsMetrics(registry, () -> List.copyOf(runs), Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void aGateOpenForNinetyMinutesWithHalfAnHourLeftShowsBoth() {
    runs.add(status("backup-activation", "backup-activation-254carbon", RunbookState.AWAITING_APPROVAL,
        gate("activate-schedules", "2026-03-01T10:30:00Z", "2026-03-01T12:30:00Z"), null, List.of(), List.of()));

    metrics.refresh();

    assertThat(registry.scrape()).contains(
        "runbook_waiting_for_person_seconds{name=\"activate-schedules\",runbook=\"backup-activation\","
            + "waiting_for=\"gate\",workflow_id=\"backup-activation-254carbon\"} 5400.0",
        "runbook_gate_deadline_remaining_seconds{gate=\"activate-schedules\",runbook=\"backup-activation\","
            + "workflow_id=\"backup-activation-254carbon\"} 1800.0");
  }

  @Test
  void aFailedStepWaitsForAnOperatorSinceItFailed() {
    runs.add(status("image-mirror", "image-mirror-254carbon", RunbookState.AWAITING_OPERATOR, null, null,
        List.of(new StepView("copy-images", "Copy images", StepState.FAILED, "2026-03-01T11:00:00Z",
            "2026-03-01T11:15:00Z", 1, null, null, "registry answered 503")),
        List.of(new OperatorWaitView("copy-images", "registry answered 503",
            List.of(OperatorAction.Action.values()), null, "hash"))));

    metrics.refresh();

    assertThat(registry.scrape()).contains("runbook_waiting_for_person_seconds{name=\"copy-images\","
        + "runbook=\"image-mirror\",waiting_for=\"operator\",workflow_id=\"image-mirror-254carbon\"} 2700.0")
        .doesNotContain("runbook_gate_deadline_remaining_seconds{");
  }

  @Test
  void aManualTaskWaitsSinceItsStepBegan() {
    runs.add(status("platform-check", "platform-check-254carbon", RunbookState.AWAITING_APPROVAL, null,
        new ManualTaskView("rotate-token", "Rotate the tunnel token", List.of(), null),
        List.of(new StepView("rotate-token", "Rotate the tunnel token", StepState.WAITING, "2026-03-01T11:59:00Z",
            null, 1, null, null, null)),
        List.of()));

    metrics.refresh();

    assertThat(registry.scrape()).contains("runbook_waiting_for_person_seconds{name=\"rotate-token\","
        + "runbook=\"platform-check\",waiting_for=\"manual_task\",workflow_id=\"platform-check-254carbon\"} 60.0");
  }

  @Test
  void aWaitThatEndedDisappearsAtTheNextRefresh() {
    runs.add(status("backup-activation", "backup-activation-254carbon", RunbookState.AWAITING_APPROVAL,
        gate("activate-schedules", "2026-03-01T10:30:00Z", null), null, List.of(), List.of()));
    metrics.refresh();
    assertThat(registry.scrape()).contains("runbook_waiting_for_person_seconds{");

    runs.clear();
    metrics.refresh();

    assertThat(registry.scrape()).doesNotContain("runbook_waiting_for_person_seconds{")
        .doesNotContain("runbook_gate_deadline_remaining_seconds{");
  }

  static GateView gate(String id, String openedAt, String deadline) {
    return new GateView(id, 1, GateOutcome.OPEN, "Activate?", 1, List.of(), false, List.of(), null, openedAt, deadline,
        null, "hash", null);
  }

  static RunbookStatus status(String runbook, String workflowId, RunbookState state, GateView gate,
      ManualTaskView task, List<StepView> steps, List<OperatorWaitView> operatorWaits) {
    String current = steps.isEmpty() ? null : steps.get(0).id();
    return new RunbookStatus(runbook, "254carbon", workflowId, Mode.APPLY, "alice", state, current, steps,
        gate == null ? List.of() : List.of(gate), null, gate, task, operatorWaits.isEmpty() ? null : current, null,
        Map.of(), List.of(), operatorWaits, List.of(), null, null, "default", "run-1", "ASSERTED");
  }
}
