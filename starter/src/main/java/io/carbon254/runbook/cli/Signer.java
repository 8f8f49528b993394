package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.Decision;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.Signature;
import io.carbon254.runbook.engine.Verdict;
import io.carbon254.runbook.trust.SignedMessages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Signs what an operator decides, with their SSH key, as {@code ssh-keygen -Y sign -n
 * runbook@<platform>} does (SSHSIG). The key is, in this order: {@code --key FILE}; {@code
 * RUNBOOK_SIGNING_KEY}; in a sandbox, the sandbox's key of {@code --as NAME}; {@code
 * ~/.ssh/id_ed25519} (through ssh-agent when it runs). The private key never leaves the machine:
 * only the signature goes to the run.
 */
final class Signer {

  /** How long a decision's signature is valid: it is signed to be sent now. */
  static final Duration DECISION_VALIDITY = Duration.ofMinutes(10);
  /** A run's start may wait a while for a worker. */
  static final Duration START_VALIDITY = Duration.ofHours(1);

  /** What signs a message for a platform (a key; the sandbox's people). */
  interface Signing {
    Signature sign(String platform, String message, String expires);
  }

  /** A key that signs. */
  interface Key extends Signing {
    String describe();
  }

  private Signer() {}

  static String expiresIn(Duration validity) {
    return Instant.now().plus(validity).toString();
  }

  /**
   * {@code decision} ({@code verdict}) on the open gate of {@code status}, signed by {@code signing}
   * over that gate instance, the verdict and the prompt it shows where the run takes signed
   * decisions; as it is where it does not ({@code signing} is then never called).
   */
  static Decision signed(RunbookStatus status, Decision decision, Verdict verdict, Signing signing) {
    if (!"SIGNED".equals(status.identity())) {
      return decision;
    }
    String expires = expiresIn(DECISION_VALIDITY);
    return decision.signed(signing.sign(status.platform(), SignedMessages.decision(status.namespace(),
        status.workflowId(), status.chainRunId(), decision.gate(), decision.instance(), verdict.name(),
        status.openGate().shownHash(), expires), expires));
  }

  /** The key {@code actor} signs with, or empty when none is found. */
  static Optional<Key> find(String actor, Path keyOption) {
    if (keyOption != null) {
      return Optional.of(sshKey(keyOption));
    }
    String env = System.getenv("RUNBOOK_SIGNING_KEY");
    if (env != null && !env.isBlank()) {
      return Optional.of(sshKey(Path.of(env)));
    }
    Optional<SandboxPeople> sandbox = SandboxPeople.read(stateDir());
    if (sandbox.isPresent() && sandbox.get().key(actor).isPresent()) {
      SandboxPeople people = sandbox.get();
      return Optional.of(new Key() {
        public Signature sign(String platform, String message, String expires) {
          return people.sign(actor, platform, message, expires);
        }

        public String describe() {
          return "the sandbox's key of " + actor;
        }
      });
    }
    Path own = Path.of(System.getProperty("user.home"), ".ssh", "id_ed25519");
    return Files.exists(own) ? Optional.of(sshKey(own)) : Optional.empty();
  }

  /** The key, or an error that says how to give one. */
  static Key require(String actor, Path keyOption) {
    return find(actor, keyOption).orElseThrow(() -> new CliException(ExitCodes.USAGE, "this platform takes signed"
        + " decisions and no SSH key was found for " + actor + ": give it with --key FILE or RUNBOOK_SIGNING_KEY (its"
        + " public key must be in the worker's approvals.signers)"));
  }

  private static Path stateDir() {
    String property = System.getProperty("runbook.state.dir");
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    String env = System.getenv("RUNBOOK_STATE_DIR");
    return env != null && !env.isBlank() ? Path.of(env) : io.carbon254.runbook.sandbox.Sandbox.defaultStateDir();
  }

  /** A key ssh-keygen signs with: a private key file, or — with ssh-agent running — its public key file. */
  private static Key sshKey(Path file) {
    return new Key() {
      public Signature sign(String platform, String message, String expires) {
        Path key = file;
        if (System.getenv("SSH_AUTH_SOCK") != null && Files.exists(Path.of(file + ".pub"))) {
          key = Path.of(file + ".pub"); // the agent holds the private key
        }
        return new Signature(sshKeygenSign(key, SignedMessages.sshNamespace(platform), message), expires);
      }

      public String describe() {
        return file.toString();
      }
    };
  }

  private static String sshKeygenSign(Path key, String namespace, String message) {
    List<String> command = List.of("ssh-keygen", "-Y", "sign", "-f", key.toString(), "-n", namespace);
    try {
      Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
      process.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0 || !out.contains("BEGIN SSH SIGNATURE")) {
        throw new CliException(ExitCodes.FAILED, "ssh-keygen could not sign with " + key + ": "
            + err.strip().lines().findFirst().orElse("no output"));
      }
      return out;
    } catch (IOException e) {
      throw new CliException(ExitCodes.UNAVAILABLE, "cannot run ssh-keygen to sign (" + e.getMessage()
          + "): install OpenSSH's client (Debian: openssh-client)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.FAILED, "interrupted while signing");
    }
  }
}
