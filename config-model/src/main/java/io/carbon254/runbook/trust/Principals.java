package io.carbon254.runbook.trust;

import java.util.Locale;

/**
 * People's names as the product compares them: trimmed and lower-cased where they enter (the
 * configuration's approvers and groups, allowed signers, decisions), so {@code Bob}, {@code bob}
 * and {@code bob } are one person, never three approvals.
 */
public final class Principals {

  private Principals() {}

  /** The normal form of a name, or null for a blank one. */
  public static String normalize(String name) {
    if (name == null) {
      return null;
    }
    String stripped = name.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    return stripped.isEmpty() ? null : stripped;
  }
}
