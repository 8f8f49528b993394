package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * Approval policy for every gate.
 *
 * @param groups named groups of people, referred to as {@code group:<name>} in approver lists
 * @param defaults the policy of every gate unless overridden
 * @param gates overrides by gate id ({@code approve-plan}) or by runbook and gate id
 *     ({@code backup-activation/activate-schedules}); the more specific key wins
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Approvals(Map<String, List<String>> groups, GatePolicy defaults, Map<String, GatePolicy> gates) {

  public Approvals {
    groups = groups == null ? Map.of() : groups;
    gates = gates == null ? Map.of() : gates;
  }

  public static Approvals anyone() {
    return new Approvals(Map.of(), GatePolicy.BUILT_IN, Map.of());
  }

  /** The effective policy of gate {@code gateId} in runbook {@code runbook}. */
  public GatePolicy policyFor(String runbook, String gateId) {
    GatePolicy base = defaults == null ? GatePolicy.BUILT_IN : defaults.mergedOver(GatePolicy.BUILT_IN);
    GatePolicy byGate = gates.get(gateId);
    GatePolicy byRunbookGate = gates.get(runbook + "/" + gateId);
    GatePolicy effective = base;
    if (byGate != null) {
      effective = byGate.mergedOver(effective);
    }
    if (byRunbookGate != null) {
      effective = byRunbookGate.mergedOver(effective);
    }
    return effective;
  }
}
