package io.carbon254.runbook.engine;

import java.util.List;

/** How a gate closed, returned to the runbook that opened it. */
public record GateResult(String gate, int instance, GateOutcome outcome, List<DecisionRecord> decisions) {

  public boolean approved() {
    return outcome == GateOutcome.APPROVED;
  }
}
