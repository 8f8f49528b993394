package io.carbon254.runbook.activities.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** sha256 as the registry writes it: {@code sha256:<64 hex>}. */
public final class Digests {

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  public static String of(byte[] bytes) {
    return format(sha256().digest(bytes));
  }

  public static String format(byte[] hash) {
    return "sha256:" + HexFormat.of().formatHex(hash);
  }

  /** The first 12 hex digits, for messages. */
  public static String shortForm(String digest) {
    return digest != null && digest.startsWith("sha256:") && digest.length() > 19 ? digest.substring(0, 19) : digest;
  }

  private Digests() {}
}
