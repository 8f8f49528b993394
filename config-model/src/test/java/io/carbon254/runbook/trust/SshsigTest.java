package io.carbon254.runbook.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SSHSIG as OpenSSH makes it: signatures by ssh-keygen verify here, ours verify in ssh-keygen. */
class SshsigTest {

  private static final String NAMESPACE = "runbook@254carbon";
  private static final String MESSAGE = SignedMessages.decision("default", "254carbon/backup-activation", "run-1",
      "approve-plan", 1, "APPROVE", SignedMessages.sha256("the plan"), "2026-11-30T00:00:00Z");

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"ed25519", "ecdsa", "rsa"})
  void aSignatureByOpenSshVerifiesAndNothingElseDoes(String type) throws Exception {
    SshKeygen ssh = new SshKeygen(dir);
    Path key = ssh.newKey(type, "alice-" + type);
    String signature = ssh.sign(key, NAMESPACE, MESSAGE);

    Sshsig.Signed signed = Sshsig.parse(signature);
    assertThat(signed.namespace()).isEqualTo(NAMESPACE);
    assertThat(signed.key().openSsh()).isEqualTo(ssh.publicKey(key).split(" ")[0] + " " + ssh.publicKey(key).split(" ")[1]);
    assertThat(Sshsig.verify(signed, NAMESPACE, bytes(MESSAGE))).isTrue();
    assertThat(Sshsig.verify(signed, NAMESPACE, bytes(MESSAGE.replace("APPROVE", "REJECT")))).as("another verdict").isFalse();
    assertThat(Sshsig.verify(signed, "file", bytes(MESSAGE))).as("another namespace").isFalse();
  }

  @Test
  void ourEd25519SignatureVerifiesInOpenSsh() throws Exception {
    SshKeygen ssh = new SshKeygen(dir);
    KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    String signature = Sshsig.signEd25519(keys, NAMESPACE, bytes(MESSAGE));

    List<String> allowed = List.of("demo-approver-1 " + Sshsig.publicKey(keys).openSsh());
    assertThat(ssh.verify(allowed, "demo-approver-1", NAMESPACE, MESSAGE, signature)).isTrue();
    assertThat(ssh.verify(allowed, "demo-approver-1", NAMESPACE, MESSAGE + "x", signature)).isFalse();
    assertThat(Sshsig.verify(Sshsig.parse(signature), NAMESPACE, bytes(MESSAGE))).isTrue();
  }

  @Test
  void aDamagedSignatureSaysWhatIsWrong() {
    assertThatThrownBy(() -> Sshsig.parse("hello")).hasMessageContaining("not an SSH signature");
    assertThatThrownBy(() -> Sshsig.parse("-----BEGIN SSH SIGNATURE-----\n!!!\n-----END SSH SIGNATURE-----"))
        .hasMessageContaining("not base64");
    assertThatThrownBy(() -> Sshsig.parse("-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----"))
        .hasMessageContaining("truncated");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
