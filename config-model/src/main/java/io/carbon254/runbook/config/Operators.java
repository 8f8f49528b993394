package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * Who may answer a failed step (RETRY, SKIP, ABORT) and report a manual task done.
 *
 * @param defaults people and {@code group:<name>}s allowed for every step; empty means anyone
 * @param steps overrides by step id ({@code verify-restore}) or runbook and step id
 *     ({@code backup-activation/verify-restore}); the more specific key wins
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Operators(List<String> defaults, Map<String, List<String>> steps) {

  public Operators {
    defaults = defaults == null ? List.of() : List.copyOf(defaults);
    steps = steps == null ? Map.of() : Map.copyOf(steps);
  }

  public static Operators anyone() {
    return new Operators(List.of(), Map.of());
  }

  /** Who may answer step {@code step} of runbook {@code runbook}: people and groups, empty = anyone. */
  public List<String> allowedFor(String runbook, String step) {
    List<String> byRunbookStep = steps.get(runbook + "/" + step);
    if (byRunbookStep != null) {
      return byRunbookStep;
    }
    List<String> byStep = steps.get(step);
    return byStep != null ? byStep : defaults;
  }
}
