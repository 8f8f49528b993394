package io.carbon254.runbook.worker;

import io.carbon254.runbook.engine.GateView;
import io.carbon254.runbook.engine.OperatorWaitView;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.RunbookWorkflow;
import io.carbon254.runbook.engine.StepState;
import io.carbon254.runbook.engine.StepView;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.temporal.client.WorkflowClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is waiting for a person now, as gauges an alert can fire on. The engine's own metrics
 * ({@code runbook_steps_total}, {@code runbook_gate_wait}) are recorded when a step or a gate
 * ends; a gate nobody answers never ends. So the worker asks Temporal's visibility, every
 * {@link #EVERY}, for the runs waiting for a person and asks each for its {@code status}:
 * <ul>
 *   <li>{@value #WAITING}{runbook, workflow_id, waiting_for, name}: seconds since the wait began
 *       ({@code waiting_for}: {@code gate}, {@code manual_task} or {@code operator}; {@code name}:
 *       the gate, task or step);
 *   <li>{@value #DEADLINE}{runbook, workflow_id, gate}: seconds until an open gate times out.
 * </ul>
 * Every worker replica reports the same runs: alerts and dashboards take the max (or min) by run.
 */
final class WaitingRunsMetrics implements AutoCloseable {

  static final String WAITING = "runbook_waiting_for_person_seconds";
  static final String DEADLINE = "runbook_gate_deadline_remaining_seconds";

  /** Visibility: the open runs whose state waits for a person (gates and manual tasks set AwaitingApproval). */
  static final String QUERY = "ExecutionStatus = 'Running' AND (AwaitingApproval = true OR RunbookState = 'AWAITING_OPERATOR')";
  static final Duration EVERY = Duration.ofMinutes(1);
  /** More open waits than this is an incident of its own; the gauges show the first ones. */
  static final int LIMIT = 200;

  private static final Logger log = LoggerFactory.getLogger(WaitingRunsMetrics.class);

  /** One wait for a person in one run. */
  record Wait(String runbook, String workflowId, String waitingFor, String name, Instant since, Instant deadline) {}

  private final MultiGauge waiting;
  private final MultiGauge deadlines;
  private final Supplier<List<RunbookStatus>> source;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private volatile List<Wait> current = List.of();

  WaitingRunsMetrics(MeterRegistry registry, Supplier<List<RunbookStatus>> source, Clock clock) {
    this.waiting = MultiGauge.builder(WAITING)
        .description("Seconds since a run began waiting for a person (gate, manual task, failed step)")
        .register(registry);
    this.deadlines = MultiGauge.builder(DEADLINE)
        .description("Seconds until an open gate times out")
        .register(registry);
    this.source = source;
    this.clock = clock;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "waiting-runs-metrics");
      t.setDaemon(true);
      return t;
    });
  }

  /** Refreshes now and then every {@link #EVERY}. */
  static WaitingRunsMetrics start(MeterRegistry registry, WorkflowClient client) {
    WaitingRunsMetrics metrics = new WaitingRunsMetrics(registry, () -> waitingRuns(client), Clock.systemUTC());
    metrics.timer.scheduleWithFixedDelay(metrics::refreshQuietly, 0, EVERY.toSeconds(), TimeUnit.SECONDS);
    return metrics;
  }

  /** The status of every open run waiting for a person; a run that ended meanwhile is left out. */
  static List<RunbookStatus> waitingRuns(WorkflowClient client) {
    List<RunbookStatus> found = new ArrayList<>();
    client.listExecutions(QUERY).limit(LIMIT).forEach(run -> {
      try {
        found.add(client.newWorkflowStub(RunbookWorkflow.class, run.getExecution().getWorkflowId()).status());
      } catch (RuntimeException e) {
        log.debug("run {} did not answer its status query: {}", run.getExecution().getWorkflowId(), e.toString());
      }
    });
    return found;
  }

  /** Replaces the gauges' rows by the waits of the runs the source finds now. */
  void refresh() {
    List<Wait> now = new ArrayList<>();
    source.get().forEach(status -> now.addAll(waits(status)));
    // A gauge holds its object weakly: this field keeps the waits alive until the next refresh.
    current = List.copyOf(now);
    List<MultiGauge.Row<?>> waitRows = new ArrayList<>();
    List<MultiGauge.Row<?>> deadlineRows = new ArrayList<>();
    for (Wait wait : current) {
      Tags run = Tags.of("runbook", wait.runbook(), "workflow_id", wait.workflowId());
      if (wait.since() != null) {
        waitRows.add(MultiGauge.Row.of(run.and("waiting_for", wait.waitingFor(), "name", wait.name()), wait,
            w -> secondsBetween(w.since(), clock.instant())));
      }
      if (wait.deadline() != null) {
        deadlineRows.add(MultiGauge.Row.of(run.and("gate", wait.name()), wait,
            w -> secondsBetween(clock.instant(), w.deadline())));
      }
    }
    waiting.register(waitRows, true);
    deadlines.register(deadlineRows, true);
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      // The gauges keep their last rows; the worker's own work goes on.
      log.warn("cannot list the runs waiting for a person (visibility query {}): {}", QUERY, e.toString());
    }
  }

  /**
   * What a run waits for a person on, and since when: an open gate since it opened (until its
   * deadline), a manual task since its step began, a failed step since it failed.
   */
  static List<Wait> waits(RunbookStatus s) {
    List<Wait> waits = new ArrayList<>();
    GateView gate = s.openGate();
    if (gate != null) {
      waits.add(new Wait(s.runbook(), s.workflowId(), "gate", gate.gate(), instant(gate.openedAt()),
          instant(gate.deadline())));
    }
    if (s.openTask() != null) {
      StepView step = step(s, s.currentStep());
      Instant since = step != null && step.state() == StepState.WAITING ? instant(step.startedAt()) : null;
      waits.add(new Wait(s.runbook(), s.workflowId(), "manual_task", s.openTask().task(), since, null));
    }
    for (OperatorWaitView operator : s.operatorWaits()) {
      StepView step = step(s, operator.step());
      Instant since = step == null ? null : instant(step.endedAt() != null ? step.endedAt() : step.startedAt());
      waits.add(new Wait(s.runbook(), s.workflowId(), "operator", operator.step(), since, null));
    }
    return waits;
  }

  private static StepView step(RunbookStatus s, String id) {
    if (id == null || s.steps() == null) {
      return null;
    }
    return s.steps().stream().filter(step -> id.equals(step.id())).findFirst().orElse(null);
  }

  private static Instant instant(String iso) {
    return iso == null ? null : Instant.parse(iso);
  }

  private static double secondsBetween(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
