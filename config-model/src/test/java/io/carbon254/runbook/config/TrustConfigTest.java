package io.carbon254.runbook.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The approval policy's trust settings: required, signers checked line by line, warnings for weak settings. */
class TrustConfigTest {

  private static String defaultYaml() {
    return ConfigLoader.defaultYaml();
  }

  @Test
  void aPlatformWithoutApprovalsIsRefused() {
    String yaml = defaultYaml();
    String without = yaml.substring(0, yaml.indexOf("\napprovals:")) + yaml.substring(yaml.indexOf("\nnotifications:"));
    assertThat(ConfigLoader.checkYaml(without)).extracting(ConfigProblem::toString)
        .contains("approvals: required: who approves gates, answers failed steps and may sign decisions (groups, defaults,"
            + " signers); a platform without it would let anyone approve anything");
  }

  @Test
  void everySignerLineIsCheckedWithItsPath() {
    String yaml = defaultYaml().replace("approvals:\n", "approvals:\n  signers:\n"
        + "    - \"alice ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZM1jPbcsY1x8Gc568hxI6v6OhP4lriZSJLJhCxFRva\"\n"
        + "    - \"bob ssh-ed25519 %%%\"\n"
        + "    - \"carol\"\n");
    assertThat(ConfigLoader.checkYaml(yaml)).extracting(ConfigProblem::toString).containsExactly(
        "approvals.signers[1]: the key of type ssh-ed25519 is not base64",
        "approvals.signers[2]: an allowed signer is 'principal keytype base64-key', this line has 1 field(s)");
  }

  @Test
  void operatorsNameKnownGroupsAndStepKeysAreWellFormed() {
    String yaml = defaultYaml().replace("approvals:\n", "approvals:\n  operators:\n"
        + "    defaults: [group:sre-oncall, group:nobody]\n"
        + "    steps:\n"
        + "      backup-activation/verify-restore: [group:platform-admins]\n"
        + "      Bad/Key/x: [erin]\n");
    assertThat(ConfigLoader.checkYaml(yaml)).extracting(ConfigProblem::toString).containsExactly(
        "approvals.operators.defaults[1]: unknown group 'nobody' (groups: platform-admins, sre-oncall)",
        "approvals.operators.steps.Bad/Key/x: a step key must be <step-id> or <runbook>/<step-id> in lowercase"
            + " letters, digits and '-'");
  }

  @Test
  void typedNamesAndAnEmptySignerListAreWarnedAbout() {
    PlatformConfig signedNobody = ConfigLoader.loadDefault();
    assertThat(ConfigValidator.warnings(signedNobody)).extracting(ConfigProblem::path).containsExactly("approvals.signers");
    PlatformConfig asserted = signedNobody.withApprovals(signedNobody.approvals().asserted());
    assertThat(ConfigValidator.warnings(asserted)).singleElement()
        .satisfies(w -> assertThat(w.toString()).startsWith("approvals.identity: ASSERTED takes typed names as they are"));
    assertThat(ConfigValidator.warnings(signedNobody.withApprovals(signedNobody.approvals().signedBy(
        List.of("alice ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZM1jPbcsY1x8Gc568hxI6v6OhP4lriZSJLJhCxFRva"))))).isEmpty();
  }

  @Test
  void aPasswordWrittenInPlaceOfAReferenceIsNeverEchoed() {
    String yaml = defaultYaml().replace("url: {env: SLACK_WEBHOOK_URL}", "url: \"https://hooks.example/T0/B0/planted-secret\"");
    List<ConfigProblem> problems = ConfigLoader.checkYaml(yaml);
    assertThat(problems).extracting(ConfigProblem::toString).singleElement().asString()
        .startsWith("notifications.webhooks[0].url: expected a secret reference")
        .contains("not shown: it may be the secret itself")
        .doesNotContain("planted-secret");
  }

  @Test
  void approverListsExpandGroupsIntoNormalizedPrincipals() {
    Approvals approvals = new Approvals(java.util.Map.of("admins", List.of("Alice", " bob ")), null, null);
    assertThat(approvals.people(List.of("group:admins", "Carol", "group:nobody", " ")))
        .containsExactly("alice", "bob", "carol");
    assertThat(approvals.people(null)).isEmpty();
  }
}
