package io.carbon254.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.Runbooks;
import io.carbon254.runbook.config.Approvals;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.GatePolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration's gate overrides against the runbooks this build registers. */
class GateOverridesTest {

  private static final GatePolicy TWO_ADMINS = new GatePolicy(2, List.of("group:platform-admins"), true, null, null, null);

  @Test
  void theDefaultConfigurationHasNoProblemAndOneOverrideForARunbookStillToCome() {
    List<GateOverrides.Finding> findings = GateOverrides.check(ConfigLoader.loadDefault().approvals(), Runbooks.ALL);
    assertThat(findings).extracting(GateOverrides.Finding::toString).containsExactly(
        "approvals.gates.minio-distributed/switch-service: runbook 'minio-distributed' is not in this build; the"
            + " override applies once it is");
    assertThat(findings).noneMatch(GateOverrides.Finding::problem);
  }

  @Test
  void aMisspeltGateOfARegisteredRunbookIsAProblemThatNamesItsGates() {
    List<GateOverrides.Finding> problems = GateOverrides.problems(overrides("backup-activation/activate-schedule",
        "image-mirror/switch-workloads", "backup-activation/skip-verify-restore"), Runbooks.ALL);
    assertThat(problems).extracting(GateOverrides.Finding::toString).containsExactly(
        "approvals.gates.backup-activation/activate-schedule: runbook 'backup-activation' opens no gate"
            + " 'activate-schedule' (its gates: approve-plan, activate-schedules, skip-<step>): the override would apply to"
            + " nothing, and the gate you meant would keep the defaults");
  }

  @Test
  void aPlainGateIdNoRunbookOpensIsANote() {
    List<GateOverrides.Finding> findings = GateOverrides.check(overrides("approve-plan", "switch-workload",
        "skip-rollout"), Runbooks.ALL);
    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.problem()).isFalse();
      assertThat(f.toString()).isEqualTo("approvals.gates.switch-workload: no runbook of this build opens gate"
          + " 'switch-workload' (their gates: activate-schedules, approve-plan, switch-workloads, skip-<step>); the"
          + " override applies once one does");
    });
  }

  @Test
  void aRunbookWithoutGatesStillTakesSkipGates() {
    assertThat(GateOverrides.check(overrides("platform-check/skip-check-cluster"), Runbooks.ALL)).isEmpty();
    assertThat(GateOverrides.problems(overrides("platform-check/approve-plan"), Runbooks.ALL))
        .extracting(GateOverrides.Finding::message).containsExactly("runbook 'platform-check' opens no gate 'approve-plan'"
            + " (its gates: skip-<step>): the override would apply to nothing, and the gate you meant would keep the"
            + " defaults");
  }

  private static Approvals overrides(String... keys) {
    Map<String, GatePolicy> gates = new LinkedHashMap<>();
    for (String key : keys) {
      gates.put(key, TWO_ADMINS);
    }
    return new Approvals(Map.of(), GatePolicy.BUILT_IN, gates);
  }
}
