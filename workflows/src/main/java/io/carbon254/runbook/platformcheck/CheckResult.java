package io.carbon254.runbook.platformcheck;

import io.carbon254.runbook.engine.Summarized;
import java.util.List;

/**
 * What one read-only check found.
 *
 * @param check the check's id, e.g. {@code monitoring}
 * @param ok whether what was checked is as production needs it
 * @param evidence one line an operator can verify, e.g. "18 active Prometheus targets (≥ 16)"
 * @param details the lines behind the evidence (one per object looked at)
 */
public record CheckResult(String check, boolean ok, String evidence, List<String> details) implements Summarized {

  public CheckResult {
    details = details == null ? List.of() : List.copyOf(details);
  }

  public static CheckResult ok(String check, String evidence, List<String> details) {
    return new CheckResult(check, true, evidence, details);
  }

  public static CheckResult failed(String check, String evidence, List<String> details) {
    return new CheckResult(check, false, evidence, details);
  }

  @Override
  public String summary() {
    return (ok ? "✓ " : "✗ ") + evidence;
  }
}
