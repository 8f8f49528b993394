package io.carbon254.runbook.engine;

import java.util.List;
import java.util.Map;

/**
 * What a finished run returns (and what an aborted run carries as its failure details).
 *
 * @param outcome SUCCEEDED, PLANNED (plan-only), REJECTED (plan rejected, nothing applied), ABORTED
 *     or CANCELLED
 * @param outputs the runbook's named results, e.g. a readiness report
 * @param children the child runbooks it ran, and how each ended
 * @param platformHash the hash of the worker's configuration of the platform it worked on
 */
public record RunbookResult(
    String runbook,
    String platform,
    Outcome outcome,
    String summary,
    List<StepView> steps,
    List<GateView> gates,
    Plan plan,
    Map<String, String> outputs,
    List<ChildView> children,
    String platformHash) {

  public RunbookResult {
    children = children == null ? List.of() : List.copyOf(children);
  }

  public enum Outcome {
    SUCCEEDED,
    PLANNED,
    REJECTED,
    ABORTED,
    CANCELLED
  }

  /** The step with this id, for tests and reports. */
  public StepView step(String id) {
    return steps.stream()
        .filter(s -> s.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no step '" + id + "' in " + runbook));
  }
}
