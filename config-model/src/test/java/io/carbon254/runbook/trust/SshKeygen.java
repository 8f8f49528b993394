package io.carbon254.runbook.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * OpenSSH's ssh-keygen, the real signer and verifier the product's SSHSIG code must agree with.
 * Missing, the tests fail and say how to install it.
 */
public final class SshKeygen {

  private static final Path BINARY = Path.of("/usr/bin/ssh-keygen");

  private final Path dir;

  public SshKeygen(Path dir) {
    if (!Files.isExecutable(BINARY)) {
      throw new AssertionError("these tests need OpenSSH's ssh-keygen (" + BINARY + "): ./scripts/install-test-tools"
          + " installs it (Debian package openssh-client)");
    }
    this.dir = dir;
  }

  /** A new key pair without passphrase; returns the private key file (the public one is FILE.pub). */
  public Path newKey(String type, String name) {
    Path key = dir.resolve(name);
    List<String> command = new ArrayList<>(List.of(BINARY.toString(), "-q", "-t", type, "-N", "", "-C", name, "-f", key.toString()));
    if (type.equals("rsa")) {
      command.addAll(List.of("-b", "2048"));
    }
    run(command, null);
    return key;
  }

  public String publicKey(Path key) throws IOException {
    return Files.readString(Path.of(key + ".pub")).strip();
  }

  /** {@code ssh-keygen -Y sign -f KEY -n NAMESPACE} over {@code message}: the armored signature. */
  public String sign(Path key, String namespace, String message) {
    return run(List.of(BINARY.toString(), "-Y", "sign", "-f", key.toString(), "-n", namespace), message);
  }

  /** True when {@code ssh-keygen -Y verify} accepts the signature for {@code principal}. */
  public boolean verify(List<String> allowedSigners, String principal, String namespace, String message, String signature)
      throws IOException {
    Path allowed = Files.writeString(Files.createTempFile(dir, "allowed", ".txt"), String.join("\n", allowedSigners) + "\n");
    Path sig = Files.writeString(Files.createTempFile(dir, "sig", ".sig"), signature);
    try {
      run(List.of(BINARY.toString(), "-Y", "verify", "-f", allowed.toString(), "-I", principal, "-n", namespace, "-s",
          sig.toString()), message);
      return true;
    } catch (AssertionError refused) {
      return false;
    }
  }

  private String run(List<String> command, String stdin) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
      if (stdin != null) {
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new AssertionError(String.join(" ", command) + " failed: " + err);
      }
      return out;
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
