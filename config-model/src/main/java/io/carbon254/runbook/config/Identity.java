package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/** How the people who answer runs are known ({@code approvals.identity}). */
public enum Identity {
  /**
   * Every decision (approve, reject, operator action, manual task done, the start of a run) carries
   * an SSH signature by one of {@code approvals.signers}; the signer's principal is who decided.
   */
  SIGNED,
  /** Typed names are taken as they are: for a sandbox only ({@code runbook validate} warns). */
  ASSERTED;

  @JsonCreator
  public static Identity of(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("must be signed or asserted");
    }
  }
}
