package io.carbon254.runbook.engine;

import io.carbon254.runbook.config.Approvals;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The configuration's gate overrides ({@code approvals.gates}) checked against the runbooks this
 * build registers ({@link RunbookDefinition#gates()}). A misspelt gate id would otherwise apply to
 * nothing, and the gate it meant would fall back to the defaults without a word: for a registered
 * runbook that is a problem the worker refuses to start with. A runbook of the product's catalogue
 * that this build does not have yet, or a plain gate id no registered runbook opens, is a note: the
 * override applies once such a runbook is there.
 */
public final class GateOverrides {

  /** The gate that skipping a failed step opens is {@code skip-<step>}: any step, so any such id. */
  static final String SKIP_PREFIX = "skip-";

  /** One finding: its path in the configuration, what is wrong, and whether it is a problem (else a note). */
  public record Finding(String path, String message, boolean problem) {
    @Override
    public String toString() {
      return path + ": " + message;
    }
  }

  private GateOverrides() {}

  public static List<Finding> check(Approvals approvals, List<RunbookDefinition> runbooks) {
    List<Finding> findings = new ArrayList<>();
    if (approvals == null || approvals.gates() == null) {
      return findings;
    }
    TreeSet<String> everyGate = new TreeSet<>();
    runbooks.forEach(r -> everyGate.addAll(r.gates()));
    for (String key : approvals.gates().keySet()) {
      String path = "approvals.gates." + key;
      int slash = key.indexOf('/');
      String gate = slash < 0 ? key : key.substring(slash + 1);
      if (gate.startsWith(SKIP_PREFIX)) {
        continue;
      }
      if (slash < 0) {
        if (!everyGate.contains(gate)) {
          findings.add(new Finding(path, "no runbook of this build opens gate '" + gate + "' (their gates: "
              + String.join(", ", everyGate) + ", skip-<step>); the override applies once one does", false));
        }
        continue;
      }
      String runbook = key.substring(0, slash);
      RunbookDefinition definition = runbooks.stream().filter(r -> r.id().equals(runbook)).findFirst().orElse(null);
      if (definition == null) {
        findings.add(new Finding(path, "runbook '" + runbook + "' is not in this build; the override applies once it is",
            false));
      } else if (!definition.gates().contains(gate)) {
        findings.add(new Finding(path, "runbook '" + runbook + "' opens no gate '" + gate + "' (its gates: "
            + String.join(", ", definition.gates()) + (definition.gates().isEmpty() ? "" : ", ")
            + "skip-<step>): the override would apply to nothing, and the gate you meant would keep the defaults", true));
      }
    }
    return findings;
  }

  /** The problems only. */
  public static List<Finding> problems(Approvals approvals, List<RunbookDefinition> runbooks) {
    return check(approvals, runbooks).stream().filter(Finding::problem).toList();
  }
}
