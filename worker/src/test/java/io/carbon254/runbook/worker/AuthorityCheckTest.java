package io.carbon254.runbook.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.Authority;
import io.carbon254.runbook.engine.Mode;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.Signature;
import io.carbon254.runbook.engine.TestKeys;
import io.carbon254.runbook.trust.SignedMessages;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worker's check of an activity, rule by rule, on the default platform with test keys. */
class AuthorityCheckTest {

  private static final PlatformConfig PLATFORM = TestKeys.signedBy(ConfigLoader.loadDefault());
  private static final String ROOT = "254carbon/backup-activation";
  private static final String CHAIN = "run-1";
  private static final Instant STARTED = Instant.parse("2026-11-29T08:00:00Z");

  private final AuthorityCheck check = new AuthorityCheck(List.of(PLATFORM));
  private final FakeRuns runs = new FakeRuns();

  @Test
  void aReadOnlyActivityWithoutConfigurationNeedsNoAuthorityButMayNotWrite() {
    AuthorityCheck.Outcome outcome = check.decide(call(ROOT, false, "a string"), null, runs);
    assertThat(outcome.refusal()).isNull();
    assertThat(outcome.readOnly())
        .isEqualTo("activity EnsureBucket is not marked as changing the platform (@ChangesThePlatform), so it may only read");
  }

  @Test
  void anActivityNotMarkedAsChangingThePlatformMayOnlyReadWhateverItsRunsApprovals() {
    Authority approved = authority(ROOT, Mode.APPLY, "alice", approvals(ROOT, "bob", "carol"));
    assertThat(check.decide(call(ROOT, false), approved, runs).readOnly()).contains("so it may only read");
    assertThat(check.decide(call(ROOT, true), approved, runs)).isEqualTo(AuthorityCheck.Outcome.ALLOWED);
  }

  @Test
  void theWorkersOwnSectionsPassAndACopyWithAnotherEndpointDoesNot() {
    Authority authority = authority(ROOT, Mode.APPLY, "alice", approvals(ROOT, "bob", "carol"));
    assertThat(check.refusal(call(ROOT, false, PLATFORM.harbor(), PLATFORM.services()), authority, runs)).isNull();
    var harbor = PLATFORM.harbor();
    var elsewhere = new io.carbon254.runbook.config.Harbor(harbor.namespace(), "https://harbor.attacker.example",
        harbor.registryHost(), harbor.alternateHosts(), harbor.project(), harbor.robot(), harbor.admin(),
        harbor.pullSecret(), harbor.switchNamespaces(), harbor.parallelism());
    assertThat(check.refusal(call(ROOT, false, elsewhere), authority, runs))
        .startsWith("it was given a Harbor that is not this worker's configuration of 254carbon");
  }

  @Test
  void aSignedStartAndTwoApprovalsByOtherAdminsLetAChangeThrough() {
    assertThat(check.refusal(call(ROOT, true), authority(ROOT, Mode.APPLY, "alice", approvals(ROOT, "bob", "carol")), runs))
        .isNull();
  }

  @Test
  void oneApprovalIsNotTwoAndAnApproverOutsideThePolicyDoesNotCount() {
    assertThat(check.refusal(call(ROOT, true), authority(ROOT, Mode.APPLY, "alice", approvals(ROOT, "bob", "dave")), runs))
        .contains("it carries bob (not counted: dave is not an allowed approver)");
  }

  @Test
  void aChildRunsUnderItsRootsSignedStartAndItsOwnApprovals() {
    String child = ROOT + "/velero";
    Authority authority = new Authority("254carbon", true, false, "default", "backup-activation", child, CHAIN,
        origin(ROOT, Mode.APPLY), "alice", intent(ROOT, Mode.APPLY, "alice", STARTED.plusSeconds(600)), true,
        approvals(child, "bob", "carol"));
    assertThat(check.refusal(call(child, true), authority, runs)).isNull();

    Authority elsewhere = new Authority("254carbon", true, false, "default", "backup-activation", "254carbon/other", CHAIN,
        origin(ROOT, Mode.APPLY), "alice", authority.intent(), true, approvals("254carbon/other", "bob", "carol"));
    assertThat(check.refusal(call("254carbon/other", true), elsewhere, runs))
        .isEqualTo("the run carries the signed start of another run (" + ROOT + ")");
  }

  @Test
  void anIntentSignedForAnEarlierStartDoesNotCoverThisRun() {
    Authority authority = new Authority("254carbon", true, false, "default", "backup-activation", ROOT, CHAIN,
        origin(ROOT, Mode.APPLY), "alice", intent(ROOT, Mode.APPLY, "alice", STARTED.minus(Duration.ofDays(3))), true,
        approvals(ROOT, "bob", "carol"));
    assertThat(check.refusal(call(ROOT, true), authority, runs)).contains("when it started (" + STARTED + ")",
        "the signature expired at");
  }

  @Test
  void approvalsOfAnotherChainAndTheAuthorityOfAnotherRunAreRefused() {
    runs.firstRunId = "run-2";
    assertThat(check.refusal(call(ROOT, true), authority(ROOT, Mode.APPLY, "alice", approvals(ROOT, "bob", "carol")), runs))
        .isEqualTo("the run's approvals name run run-1, not this run's chain (run-2)");
    assertThat(check.refusal(call("254carbon/image-mirror", true),
        authority(ROOT, Mode.APPLY, "alice", approvals(ROOT, "bob", "carol")), runs))
        .isEqualTo("it carries the authority of another run (default/" + ROOT + ")");
  }

  @Test
  void runsStartedBeforeSignaturesAndPlatformsNotServedChangeNothing() {
    Authority legacy = new Authority("254carbon", false, true, "default", "backup-activation", ROOT, CHAIN, null, "alice",
        null, false, List.of());
    assertThat(check.refusal(call(ROOT, true), legacy, runs)).startsWith("the run was started before decisions were signed");
    Authority lab = new Authority("lab", true, false, "default", "backup-activation", ROOT, CHAIN, null, "alice", null,
        false, List.of());
    assertThat(check.refusal(call(ROOT, true), lab, runs)).isEqualTo("this worker does not serve platform 'lab' (it serves 254carbon)");
  }

  @Test
  void aSandboxThatTakesTypedNamesNeedsNoSignatures() {
    AuthorityCheck sandbox = new AuthorityCheck(List.of(PLATFORM.withApprovals(PLATFORM.approvals().asserted())));
    Authority asserted = new Authority("254carbon", false, false, "default", "backup-activation", ROOT, CHAIN,
        origin(ROOT, Mode.APPLY), "alice", null, false, List.of());
    assertThat(sandbox.refusal(call(ROOT, true), asserted, runs)).isNull();
  }

  @Test
  void aRunWhosePlanHadNoChangesMayOnlyFindEverythingInPlace() {
    Authority nothingApproved = new Authority("254carbon", true, false, "default", "backup-activation", ROOT, CHAIN,
        origin(ROOT, Mode.APPLY), "alice", intent(ROOT, Mode.APPLY, "alice", STARTED.plusSeconds(600)), false, List.of());
    AuthorityCheck.Outcome outcome = check.decide(call(ROOT, true), nothingApproved, runs);
    assertThat(outcome.refusal()).isNull();
    assertThat(outcome.readOnly()).startsWith("the run's plan had no changes, so nobody approved a change");
  }

  @Test
  void aChangeAfterAnotherGateNeedsThatGatesApprovals() {
    var switchCall = new AuthorityCheck.Call("SwitchWorkload", "default", ROOT, CHAIN, "switch-workloads", new Object[0]);
    Authority planOnly = authority(ROOT, Mode.APPLY, "alice", approvals(ROOT, "bob", "carol"));
    assertThat(check.refusal(switchCall, planOnly, runs))
        .startsWith("gate switch-workloads is not approved as the worker's policy requires: 1 signed approval(s) of gate"
            + " switch-workloads by distinct allowed approvers; it carries none");

    List<Authority.SignedApproval> withSwitch = new java.util.ArrayList<>(approvals(ROOT, "bob", "carol"));
    withSwitch.addAll(gateApprovals(ROOT, "switch-workloads", "dave"));
    Authority approved = new Authority("254carbon", true, false, "default", "backup-activation", ROOT, CHAIN,
        origin(ROOT, Mode.APPLY), "alice", intent(ROOT, Mode.APPLY, "alice", STARTED.plusSeconds(600)), false, withSwitch);
    assertThat(check.decide(switchCall, approved, runs)).isEqualTo(AuthorityCheck.Outcome.ALLOWED);
  }

  // ---------------------------------------------------------------------------------------------

  private static AuthorityCheck.Call call(String workflowId, boolean changes, Object... arguments) {
    return new AuthorityCheck.Call("EnsureBucket", "default", workflowId, CHAIN, changes ? "approve-plan" : null, arguments);
  }

  private static RunbookRequest.Origin origin(String workflowId, Mode mode) {
    return new RunbookRequest.Origin(workflowId, "backup-activation", mode, Map.of());
  }

  private static Authority authority(String workflowId, Mode mode, String initiator,
      List<Authority.SignedApproval> approvals) {
    return new Authority("254carbon", true, false, "default", "backup-activation", workflowId, CHAIN,
        origin(workflowId, mode), initiator, intent(workflowId, mode, initiator, STARTED.plusSeconds(600)), true, approvals);
  }

  private static Signature intent(String workflowId, Mode mode, String initiator, Instant expires) {
    return TestKeys.sign(initiator, "254carbon", SignedMessages.start("default", workflowId, "backup-activation",
        mode.name(), Map.of(), initiator, expires.toString()), expires.toString());
  }

  private static List<Authority.SignedApproval> approvals(String workflowId, String... people) {
    return gateApprovals(workflowId, "approve-plan", people);
  }

  private static List<Authority.SignedApproval> gateApprovals(String workflowId, String gate, String... people) {
    String shown = SignedMessages.sha256("the prompt of " + gate);
    String expires = STARTED.plusSeconds(3600).toString();
    return java.util.Arrays.stream(people).map(p -> new Authority.SignedApproval(gate, 1, shown, p,
        TestKeys.sign(p, "254carbon", SignedMessages.decision("default", workflowId, CHAIN, gate, 1, "APPROVE",
            shown, expires), expires).signature(), expires)).toList();
  }

  private static final class FakeRuns implements AuthorityCheck.Runs {
    String firstRunId = CHAIN;

    @Override
    public String firstRunId(String workflowId, String runId) {
      return firstRunId;
    }

    @Override
    public Instant chainStarted(String workflowId) {
      return STARTED;
    }
  }
}
