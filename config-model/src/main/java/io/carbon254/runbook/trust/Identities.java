package io.carbon254.runbook.trust;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Who decided: the principal whose key signed the decision ({@link Mode#SIGNED}), checked against
 * the worker's allowed signers — never a typed name. {@link Mode#ASSERTED} takes the typed name as
 * it is, for the sandbox only. Plain computation: the workflow runs it in validators and handlers.
 */
public final class Identities {

  /** How names are established. */
  public enum Mode {
    /** Every decision carries an SSH signature by an allowed signer. */
    SIGNED,
    /** The decision's typed name is taken as it is: a sandbox, never a real platform. */
    ASSERTED
  }

  /** The longest a signature may be valid for: a decision is signed to be sent, not kept. */
  public static final Duration LONGEST_VALIDITY = Duration.ofHours(24);

  /** The outcome of a check: the principal, or why not. */
  public record Verified(String principal, String refusal) {
    public boolean ok() {
      return refusal == null;
    }

    public static Verified as(String principal) {
      return new Verified(principal, null);
    }

    public static Verified refused(String why) {
      return new Verified(null, why);
    }
  }

  private final Mode mode;
  private final AllowedSigners signers;
  private final String sshNamespace;

  public Identities(Mode mode, AllowedSigners signers, String platform) {
    this.mode = mode;
    this.signers = signers;
    this.sshNamespace = SignedMessages.sshNamespace(platform);
  }

  public Mode mode() {
    return mode;
  }

  /**
   * Who made a decision whose text is {@code message}: the allowed signer whose key made {@code
   * signature}, if it is valid until {@code expires} (ISO-8601) at {@code now}; {@code claimed} only
   * picks among the principals of a key shared by several. In ASSERTED mode the claimed name itself.
   */
  public Verified verify(String claimed, String message, String signature, String expires, long now) {
    if (mode == Mode.ASSERTED) {
      String name = Principals.normalize(claimed);
      return name == null ? Verified.refused("the decision does not say who decides (CLI: --as NAME; signal: \"actor\")")
          : Verified.as(name);
    }
    if (signature == null || signature.isBlank()) {
      return Verified.refused("the decision is not signed: this platform takes signed decisions only (CLI: runbook "
          + "approve/reject/decide/done sign with your SSH key; the Web UI: the input 'runbook sign' prints)");
    }
    if (expires == null || expires.isBlank()) {
      return Verified.refused("the signed decision has no expiry");
    }
    Instant until;
    try {
      until = Instant.parse(expires);
    } catch (DateTimeParseException e) {
      return Verified.refused("the signed decision's expiry is not an ISO-8601 time");
    }
    if (!until.isAfter(Instant.ofEpochMilli(now))) {
      return Verified.refused("the signature expired at " + expires + "; sign the decision again");
    }
    if (until.isAfter(Instant.ofEpochMilli(now).plus(LONGEST_VALIDITY))) {
      return Verified.refused("the signature is valid until " + expires + ", longer than the "
          + LONGEST_VALIDITY.toHours() + " h a decision may be; sign it again");
    }
    return signer(claimed, message, signature);
  }

  /**
   * Who signed {@code message}: the allowed signer whose key made {@code signature}, whatever its
   * expiry (which the message itself names). For a decision checked again after it was accepted in
   * time: the worker re-verifies a run's signed start and approvals before an activity changes the
   * platform.
   */
  public Verified signer(String claimed, String message, String signature) {
    if (signature == null || signature.isBlank()) {
      return Verified.refused("not signed");
    }
    Sshsig.Signed signed;
    try {
      signed = Sshsig.parse(signature);
    } catch (IllegalArgumentException e) {
      return Verified.refused("the signature cannot be read: " + e.getMessage());
    }
    if (!signed.namespace().equals(sshNamespace)) {
      return Verified.refused("the signature is for namespace '" + signed.namespace() + "', not " + sshNamespace);
    }
    List<String> principals = signers.principalsOf(signed.key(), sshNamespace);
    if (principals.isEmpty()) {
      return Verified.refused("the key " + signed.key() + " is not an allowed signer of this platform");
    }
    if (!Sshsig.verify(signed, sshNamespace, message.getBytes(StandardCharsets.UTF_8))) {
      return Verified.refused("the signature by " + String.join("/", principals) + " (" + signed.key().fingerprint()
          + ") does not match this decision: it was made for another run, gate, instance, verdict or prompt, or altered");
    }
    String name = Principals.normalize(claimed);
    if (principals.size() == 1) {
      return Verified.as(principals.get(0));
    }
    if (name != null && principals.contains(name)) {
      return Verified.as(name);
    }
    return Verified.refused("the key " + signed.key().fingerprint() + " signs for " + String.join(", ", principals)
        + ": say which with the decision's actor");
  }
}
