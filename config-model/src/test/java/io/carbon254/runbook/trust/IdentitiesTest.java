package io.carbon254.runbook.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who decided is the allowed signer whose key signed, for exactly this decision, before it expires. */
class IdentitiesTest {

  private static final long NOW = Instant.parse("2026-11-29T12:00:00Z").toEpochMilli();
  private static final String EXPIRES = "2026-11-29T12:10:00Z";

  @TempDir
  Path dir;

  private String decision(String verdict) {
    return SignedMessages.decision("default", "254carbon/backup-activation", "run-1", "approve-plan", 1, verdict,
        SignedMessages.sha256("the plan"), EXPIRES);
  }

  @Test
  void theSignersKeyNotTheTypedNameSaysWhoDecided() throws Exception {
    SshKeygen ssh = new SshKeygen(dir);
    Path bob = ssh.newKey("ed25519", "bob");
    Path mallory = ssh.newKey("ed25519", "mallory");
    Identities identities = new Identities(Identities.Mode.SIGNED,
        AllowedSigners.parse(List.of("Bob " + ssh.publicKey(bob), "alice,ALICE2 " + ssh.publicKey(ssh.newKey("ed25519", "alice")))),
        "254carbon");
    String byBob = ssh.sign(bob, "runbook@254carbon", decision("APPROVE"));

    assertThat(identities.verify("alice", decision("APPROVE"), byBob, EXPIRES, NOW).principal())
        .as("typed as alice, signed by bob's key: bob decided").isEqualTo("bob");
    assertThat(identities.verify("bob", decision("REJECT"), byBob, EXPIRES, NOW).refusal())
        .contains("does not match this decision");
    assertThat(identities.verify("bob", decision("APPROVE"), ssh.sign(mallory, "runbook@254carbon", decision("APPROVE")),
        EXPIRES, NOW).refusal()).contains("is not an allowed signer of this platform");
    assertThat(identities.verify("bob", decision("APPROVE"), ssh.sign(bob, "runbook@lab", decision("APPROVE")),
        EXPIRES, NOW).refusal()).isEqualTo("the signature is for namespace 'runbook@lab', not runbook@254carbon");
    assertThat(identities.verify("bob", decision("APPROVE"), null, EXPIRES, NOW).refusal()).startsWith("the decision is not signed");
  }

  @Test
  void anExpiredOrTooLongLivedSignatureIsRefused() {
    Identities identities = new Identities(Identities.Mode.SIGNED, AllowedSigners.none(), "254carbon");
    assertThat(identities.verify("bob", decision("APPROVE"), "sig", "2026-11-29T11:59:59Z", NOW).refusal())
        .isEqualTo("the signature expired at 2026-11-29T11:59:59Z; sign the decision again");
    assertThat(identities.verify("bob", decision("APPROVE"), "sig", "2026-12-01T00:00:00Z", NOW).refusal())
        .contains("longer than the 24 h a decision may be");
    assertThat(identities.verify("bob", decision("APPROVE"), "sig", "tomorrow", NOW).refusal()).contains("not an ISO-8601");
  }

  @Test
  void aKeySharedBySeveralPrincipalsIsTheOneTheDecisionNames() throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Identities identities = new Identities(Identities.Mode.SIGNED,
        AllowedSigners.parse(List.of("erin,frank " + Sshsig.publicKey(keys).openSsh())), "254carbon");
    String signature = Sshsig.signEd25519(keys, "runbook@254carbon", decision("APPROVE").getBytes());

    assertThat(identities.verify(" Frank ", decision("APPROVE"), signature, EXPIRES, NOW).principal()).isEqualTo("frank");
    assertThat(identities.verify(null, decision("APPROVE"), signature, EXPIRES, NOW).refusal()).contains("say which");
  }

  @Test
  void assertedNamesAreNormalizedSoOnePersonCountsOnce() {
    Identities sandbox = new Identities(Identities.Mode.ASSERTED, AllowedSigners.none(), "sandbox");
    assertThat(List.of("bob", "Bob", " bob ").stream().map(n -> sandbox.verify(n, "", null, null, NOW).principal()).distinct())
        .containsExactly("bob");
  }

  @Test
  void aBrokenAllowedSignersLineIsNamed() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> AllowedSigners.parse(List.of("# comment", "", "bob ssh-ed25519 %%%")))
        .hasMessage("[2]: the key of type ssh-ed25519 is not base64");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> AllowedSigners.parse(List.of("bob cert-authority ssh-ed25519 AAAA")))
        .hasMessageContaining("option 'cert-authority' is not supported here");
  }

  @Test
  void aSignatureCheckedAgainLaterIsCheckedWhateverItsExpiry() throws Exception {
    KeyPair bob = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Identities identities = new Identities(Identities.Mode.SIGNED,
        AllowedSigners.parse(List.of("bob " + Sshsig.publicKey(bob).openSsh())), "254carbon");
    String signed = Sshsig.signEd25519(bob, "runbook@254carbon", decision("APPROVE").getBytes(java.nio.charset.StandardCharsets.UTF_8));

    assertThat(identities.signer("anyone", decision("APPROVE"), signed).principal()).isEqualTo("bob");
    assertThat(identities.signer("bob", decision("REJECT"), signed).refusal()).contains("does not match this decision");
    assertThat(identities.signer("bob", decision("APPROVE"), " ").refusal()).isEqualTo("not signed");
    assertThat(identities.signer("bob", decision("APPROVE"), null).refusal()).isEqualTo("not signed");
  }
}
