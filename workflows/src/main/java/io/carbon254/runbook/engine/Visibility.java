package io.carbon254.runbook.engine;

import io.temporal.common.SearchAttributeUpdate;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps what others see of a run in step with it: the typed search attributes ({@code runbook
 * list}, the Web UI's filters), the Web UI's current details, the parent's view of a child run, and
 * the runbook metrics. Workflow code: every output is replay-safe.
 */
final class Visibility {

  private final String runbookId;
  /** The change that made the readiness score a search attribute (see {@link Versions}). */
  static final String READINESS_SCORE_CHANGE = "readiness-score-search-attribute";

  private Map<String, Object> published = Map.of();
  /** Whether this run shows its score as a search attribute: decided once, where it first has one. */
  private Boolean scoreAttribute;
  private ChildView reported;
  private long seq;

  Visibility(String runbookId) {
    this.runbookId = runbookId;
  }

  void publish(RunbookStatus status) {
    upsertSearchAttributes(status);
    Workflow.setCurrentDetails(DetailsRenderer.render(status));
    reportToParent(status);
  }

  private void upsertSearchAttributes(RunbookStatus status) {
    Map<String, Object> now = new LinkedHashMap<>();
    now.put(RunbookSearchAttributes.RUNBOOK_NAME.getName(), runbookId);
    now.put(RunbookSearchAttributes.PLATFORM.getName(), status.platform());
    now.put(RunbookSearchAttributes.RUNBOOK_STATE.getName(), status.state().name());
    now.put(RunbookSearchAttributes.RUNBOOK_STEP.getName(), status.currentStep() == null ? "" : status.currentStep());
    now.put(RunbookSearchAttributes.AWAITING_APPROVAL.getName(), status.state() == RunbookState.AWAITING_APPROVAL);
    Long score = percent(status.outputs().get("score"));
    // Runs that started before the score was a search attribute replay without the upsert.
    if (score != null && scoreAttribute == null) {
      scoreAttribute = Versions.patched(READINESS_SCORE_CHANGE);
    }
    if (score != null && scoreAttribute) {
      now.put(RunbookSearchAttributes.READINESS_SCORE.getName(), score);
    }
    if (now.equals(published)) {
      return;
    }
    List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
    now.forEach((name, value) -> {
      if (!value.equals(published.get(name))) {
        updates.add(update(name, value));
      }
    });
    Workflow.upsertTypedSearchAttributes(updates.toArray(new SearchAttributeUpdate<?>[0]));
    published = now;
  }

  /** {@code "88%"} → 88; null when absent or not a percentage. */
  static Long percent(String score) {
    if (score == null || !score.matches("\\d{1,3}%")) {
      return null;
    }
    return Long.parseLong(score.substring(0, score.length() - 1));
  }

  private static SearchAttributeUpdate<?> update(String name, Object value) {
    if (value instanceof Boolean b) {
      return SearchAttributeUpdate.valueSet(RunbookSearchAttributes.AWAITING_APPROVAL, b);
    }
    if (value instanceof Long l) {
      return SearchAttributeUpdate.valueSet(RunbookSearchAttributes.READINESS_SCORE, l);
    }
    return switch (name) {
      case "RunbookName" -> SearchAttributeUpdate.valueSet(RunbookSearchAttributes.RUNBOOK_NAME, (String) value);
      case "Platform" -> SearchAttributeUpdate.valueSet(RunbookSearchAttributes.PLATFORM, (String) value);
      case "RunbookState" -> SearchAttributeUpdate.valueSet(RunbookSearchAttributes.RUNBOOK_STATE, (String) value);
      default -> SearchAttributeUpdate.valueSet(RunbookSearchAttributes.RUNBOOK_STEP, (String) value);
    };
  }

  /**
   * A child run tells its parent, by signal, when its state, step or what waits for a person
   * changed — not on every detail, so the parent's history stays small. Best effort: a parent that
   * has ended has nobody to tell.
   */
  private void reportToParent(RunbookStatus status) {
    String parent = status.parentWorkflowId();
    // The parent learns how a child ended from the child's result; a report of the ending could
    // reach a parent that has ended too.
    if (parent == null || status.state() == RunbookState.COMPLETED || status.state() == RunbookState.FAILED) {
      return;
    }
    ChildView now = view(status, seq);
    if (reported != null && sameProgress(reported, now)) {
      return;
    }
    seq++;
    ChildView progress = view(status, seq);
    reported = progress;
    Async.procedure(() -> Workflow.newUntypedExternalWorkflowStub(parent).signal("childProgress", progress))
        .exceptionally(failure -> null);
  }

  /** What a run shows its parent: its state and what waits for a person anywhere below it. */
  static ChildView view(RunbookStatus s, long seq) {
    String waiting = null;
    String waitingIn = null;
    if (s.openGate() != null) {
      waiting = "gate " + s.openGate().gate() + " #" + s.openGate().instance();
      waitingIn = s.workflowId();
    } else if (s.openTask() != null) {
      waiting = "manual task " + s.openTask().task();
      waitingIn = s.workflowId();
    } else if (s.awaitingOperator() != null) {
      waiting = "step " + s.awaitingOperator() + " failed";
      waitingIn = s.workflowId();
    } else {
      for (ChildView child : s.children()) {
        if (child.waiting() != null && child.outcome() == null) {
          waiting = child.waiting();
          waitingIn = child.waitingIn();
          break;
        }
      }
    }
    return new ChildView(s.runbook(), s.workflowId(), null, s.state(), s.currentStep(), waiting, waitingIn, null,
        s.awaitingOperator() == null ? null : s.lastError(), seq);
  }

  private static boolean sameProgress(ChildView a, ChildView b) {
    return a.state() == b.state() && Objects.equals(a.currentStep(), b.currentStep())
        && Objects.equals(a.waiting(), b.waiting()) && Objects.equals(a.waitingIn(), b.waitingIn());
  }

  void countStep(String step, String outcome) {
    Workflow.getMetricsScope()
        .tagged(Map.of("runbook", runbookId, "step", step, "outcome", outcome))
        .counter("runbook_steps_total")
        .inc(1);
  }

  void recordGateWait(GateRun gate) {
    Workflow.getMetricsScope()
        .tagged(Map.of("runbook", runbookId, "gate", gate.gateId, "outcome", gate.outcome.name()))
        .timer("runbook_gate_wait")
        .record(com.uber.m3.util.Duration.ofMillis(gate.closedAt - gate.openedAt));
  }
}
