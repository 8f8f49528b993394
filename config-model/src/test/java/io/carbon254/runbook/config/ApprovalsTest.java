package io.carbon254.runbook.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Gate policy merging (defaults → gate → runbook/gate) and policies nobody can satisfy. */
class ApprovalsTest {

  static final Map<String, List<String>> GROUPS = Map.of("admins", List.of("alice", "bob", "carol"), "oncall", List.of("dave"));
  static final GatePolicy DEFAULTS = new GatePolicy(1, List.of("group:admins"), false, "72h", "24h", TimeoutOutcome.FAIL);

  static Approvals approvals(Map<String, GatePolicy> gates) {
    return new Approvals(GROUPS, DEFAULTS, gates);
  }

  static Map<String, GatePolicy> gates(Object... keyAndPolicy) {
    Map<String, GatePolicy> m = new LinkedHashMap<>();
    for (int i = 0; i < keyAndPolicy.length; i += 2) {
      m.put((String) keyAndPolicy[i], (GatePolicy) keyAndPolicy[i + 1]);
    }
    return m;
  }

  @Test
  void withoutOverridesEveryGateGetsTheDefaults() {
    assertThat(approvals(Map.of()).policyFor("image-mirror", "approve-plan")).isEqualTo(DEFAULTS);
  }

  @Test
  void withoutDefaultsTheBuiltInPolicyApplies() {
    assertThat(Approvals.anyone().policyFor("sso", "approve-plan")).isEqualTo(GatePolicy.BUILT_IN);
    assertThat(new Approvals(null, null, null).policyFor("sso", "approve-plan")).isEqualTo(GatePolicy.BUILT_IN);
    GatePolicy partial = new GatePolicy(null, null, true, "1h", null, null);
    assertThat(new Approvals(null, partial, null).policyFor("sso", "approve-plan"))
        .isEqualTo(new GatePolicy(1, List.of(), true, "1h", null, TimeoutOutcome.FAIL));
  }

  @Test
  void aGateOverrideChangesOnlyWhatItSets() {
    Approvals a = approvals(gates("approve-plan", new GatePolicy(2, null, true, null, null, null)));
    assertThat(a.policyFor("backup-activation", "approve-plan"))
        .isEqualTo(new GatePolicy(2, List.of("group:admins"), true, "72h", "24h", TimeoutOutcome.FAIL));
    assertThat(a.policyFor("backup-activation", "activate-schedules")).isEqualTo(DEFAULTS);
  }

  @Test
  void theRunbookSpecificOverrideWinsOverTheGateOverride() {
    Approvals a = approvals(gates(
        "approve-plan", new GatePolicy(2, null, true, null, null, null),
        "ha-join/approve-plan", new GatePolicy(3, null, null, "7d", null, TimeoutOutcome.ABORT)));
    assertThat(a.policyFor("ha-join", "approve-plan"))
        .isEqualTo(new GatePolicy(3, List.of("group:admins"), true, "7d", "24h", TimeoutOutcome.ABORT));
    assertThat(a.policyFor("sso", "approve-plan").requiredApprovals()).isEqualTo(2);
  }

  @Test
  void peopleAreExpandedFromGroupsAndCountedOnce() {
    GatePolicy p = new GatePolicy(2, List.of("group:admins", "alice", "dave", "group:oncall"), null, null, null, null);
    assertThat(ConfigValidator.people(p, approvals(Map.of()))).containsExactly("alice", "bob", "carol", "dave");
  }

  @Test
  void namedPeopleCountBesideGroupsAndBlankEntriesNotAtAll() {
    GatePolicy p = new GatePolicy(2, List.of("erin", " ", "group:admins"), null, null, null, null);
    assertThat(ConfigValidator.people(p, approvals(Map.of()))).containsExactly("alice", "bob", "carol", "erin");
    // a policy without an approver list (not merged over the defaults) names nobody: anyone may approve
    assertThat(ConfigValidator.people(new GatePolicy(2, null, null, null, null, null), approvals(Map.of()))).isEmpty();
  }

  @Test
  void mergingOverNothingKeepsThePolicy() {
    assertThat(DEFAULTS.mergedOver(null)).isEqualTo(DEFAULTS);
  }

  @Test
  void aSatisfiablePolicyHasNoProblems() {
    assertThat(ConfigValidator.validateApprovals(approvals(gates(
        "approve-plan", new GatePolicy(3, null, true, null, null, null),
        "sso/approve-plan", new GatePolicy(4, List.of("group:admins", "group:oncall"), null, null, null, null)))))
        .isEmpty();
  }

  @Test
  void requiringMoreApprovalsThanPeopleIsImpossible() {
    // alice is in admins too: 3 distinct people, not 4
    Approvals a = approvals(gates("approve-plan", new GatePolicy(4, List.of("group:admins", "alice"), true, null, null, null)));
    assertThat(ConfigValidator.validateApprovals(a)).containsExactly(new ConfigProblem(
        "approvals.gates.approve-plan.requiredApprovals",
        "requires 4 approvals but only 3 distinct people may approve (alice, bob, carol)"));
  }

  @Test
  void anInheritedApproverListCountsForAnOverriddenRequirement() {
    Approvals a = approvals(gates("sso-access/approve-plan", new GatePolicy(4, null, null, null, null, null)));
    assertThat(ConfigValidator.validateApprovals(a)).extracting(ConfigProblem::toString).containsExactly(
        "approvals.gates.sso-access/approve-plan.requiredApprovals: requires 4 approvals but only 3 distinct people "
            + "may approve (alice, bob, carol)");
  }

  @Test
  void anEmptyApproverListMeansAnyoneAndIsNeverImpossible() {
    Approvals a = new Approvals(Map.of(), new GatePolicy(5, List.of(), null, null, null, null), Map.of());
    assertThat(ConfigValidator.validateApprovals(a)).isEmpty();
  }

  @Test
  void unknownGroupsAndZeroApprovalsAreReported() {
    Approvals a = approvals(gates("approve-plan", new GatePolicy(0, List.of("group:nobody"), null, "2x", null, null)));
    assertThat(ConfigValidator.validateApprovals(a)).extracting(ConfigProblem::toString).containsExactly(
        "approvals.gates.approve-plan.requiredApprovals: must be at least 1, got 0",
        "approvals.gates.approve-plan.approvers[0]: unknown group 'nobody' (groups: admins, oncall)",
        "approvals.gates.approve-plan.deadline: '2x' is not a duration (use e.g. 90s, 30m, 4h, 3d, 1h30m, 500ms)");
  }

  @Test
  void aGateKeyWithoutAPolicyIsReported() {
    // YAML cannot say this (the loader reports "has no value"); an Approvals built in code can
    Approvals a = approvals(gates("approve-plan", null));
    assertThat(ConfigValidator.validateApprovals(a)).extracting(ConfigProblem::toString)
        .containsExactly("approvals.gates.approve-plan: has no policy");
  }

  @Test
  void aBlankGroupMemberIsReportedAndNotCountedAsAnApprover() {
    Approvals a = new Approvals(Map.of("oncall", List.of("dave", " ")), null,
        gates("image-mirror/approve-plan", new GatePolicy(2, List.of("group:oncall"), null, null, null, null)));
    assertThat(ConfigValidator.validateApprovals(a)).extracting(ConfigProblem::toString).containsExactly(
        "approvals.groups.oncall[1]: must be a user name",
        "approvals.gates.image-mirror/approve-plan.requiredApprovals: requires 2 approvals but only 1 person may approve (dave)");
  }

  @Test
  void aGateThatChangesNeitherWhoNorHowManyIsNotBlamedForTheDefaults() {
    Approvals a = new Approvals(GROUPS, new GatePolicy(4, List.of("group:admins"), null, null, null, null),
        gates("sso/approve-plan", new GatePolicy(null, null, null, null, null, TimeoutOutcome.ABORT)));
    assertThat(ConfigValidator.validateApprovals(a)).extracting(ConfigProblem::toString).containsExactly(
        "approvals.defaults.requiredApprovals: requires 4 approvals but only 3 distinct people may approve (alice, bob, carol)");
  }

  @Test
  void aSinglePersonGroupSaysPerson() {
    Approvals a = approvals(gates("image-mirror/approve-plan", new GatePolicy(2, List.of("group:oncall"), null, null, null, null)));
    assertThat(ConfigValidator.validateApprovals(a)).extracting(ConfigProblem::message)
        .containsExactly("requires 2 approvals but only 1 person may approve (dave)");
  }
}
