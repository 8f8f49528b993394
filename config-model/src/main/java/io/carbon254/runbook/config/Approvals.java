package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.carbon254.runbook.trust.Principals;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * Approval policy for every gate.
 *
 * @param groups named groups of people, referred to as {@code group:<name>} in approver lists
 * @param defaults the policy of every gate unless overridden
 * @param gates overrides by gate id ({@code approve-plan}) or by runbook and gate id
 *     ({@code backup-activation/activate-schedules}); the more specific key wins
 * @param identity how people are known: SIGNED (the default: SSH-signed decisions) or ASSERTED
 *     (typed names, a sandbox only)
 * @param signers who may sign, in OpenSSH's {@code allowed_signers} format, one line each
 *     ({@code alice ssh-ed25519 AAAA...})
 * @param operators who may answer failed steps and report manual tasks; absent means anyone
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Approvals(Map<String, List<String>> groups, GatePolicy defaults, Map<String, GatePolicy> gates,
    Identity identity, List<String> signers, Operators operators) {

  public Approvals {
    groups = groups == null ? Map.of() : groups;
    gates = gates == null ? Map.of() : gates;
    identity = identity == null ? Identity.SIGNED : identity;
    signers = signers == null ? List.of() : List.copyOf(signers);
    operators = operators == null ? Operators.anyone() : operators;
  }

  /** Policies with typed names (ASSERTED): for tests and sandboxes. */
  public Approvals(Map<String, List<String>> groups, GatePolicy defaults, Map<String, GatePolicy> gates) {
    this(groups, defaults, gates, Identity.ASSERTED, List.of(), Operators.anyone());
  }

  /** One approval by anyone, typed names: for tests and sandboxes. */
  public static Approvals anyone() {
    return new Approvals(Map.of(), GatePolicy.BUILT_IN, Map.of());
  }

  /** These policies with {@code signers} as the allowed signers and decisions signed. */
  public Approvals signedBy(List<String> allowedSigners) {
    return new Approvals(groups, defaults, gates, Identity.SIGNED, allowedSigners, operators);
  }

  /** These policies with typed names (a sandbox). */
  public Approvals asserted() {
    return new Approvals(groups, defaults, gates, Identity.ASSERTED, signers, operators);
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

  /** The principals of a list of people and {@code group:<name>}s, groups expanded; empty means anyone. */
  public Set<String> people(List<String> entries) {
    Set<String> people = new LinkedHashSet<>();
    for (String entry : entries == null ? List.<String>of() : entries) {
      if (entry != null && entry.startsWith("group:")) {
        groups.getOrDefault(entry.substring("group:".length()), List.of())
            .forEach(member -> people.add(Principals.normalize(member)));
      } else {
        people.add(Principals.normalize(entry));
      }
    }
    people.remove(null);
    return people;
  }
}
