package io.carbon254.runbook.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go-like duration strings, as used throughout the configuration: {@code 90s}, {@code 30m},
 * {@code 4h}, {@code 3d}, {@code 1h30m}, {@code 720h}, {@code 500ms}.
 *
 * <p>Units: {@code ms}, {@code s}, {@code m}, {@code h} and (our addition) {@code d} = 24h. Each
 * unit is used at most once, largest first; numbers are whole. Values handed to systems that parse
 * Go durations themselves (Velero TTLs, Cloudflare session durations) must not use {@code d}:
 * see {@link #isGoCompatible(String)}.
 */
public final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|d|h|m|s)");
  private static final String[] ORDER = {"d", "h", "m", "s", "ms"};
  /** Longer than any duration: five units of 19 digits each. */
  private static final int MAX_LENGTH = 100;
  private static final String EXAMPLES = "use e.g. 90s, 30m, 4h, 3d, 1h30m, 500ms";

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException with a message that quotes the text and shows the format
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration (" + EXAMPLES + ")");
    }
    String s = text.trim();
    if (s.length() > MAX_LENGTH) {
      // no duration is this long; and scanning a long text part by part took minutes
      throw new IllegalArgumentException("'" + text.substring(0, 40) + "...' (" + text.length()
          + " characters) is not a duration (" + EXAMPLES + ")");
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(s);
    int at = 0;
    int lastUnit = -1;
    Duration total = Duration.ZERO;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException("'" + text + "' is not a duration (" + EXAMPLES + ")");
      }
      String unit = m.group(2);
      int rank = rank(unit);
      if (rank <= lastUnit) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a duration: units must appear once each, largest first (" + EXAMPLES + ")");
      }
      lastUnit = rank;
      long n;
      try {
        n = Long.parseLong(m.group(1));
        total = total.plus(unitDuration(unit).multipliedBy(n));
      } catch (NumberFormatException | ArithmeticException e) {
        throw new IllegalArgumentException("'" + text + "' is too large a duration");
      }
      at = m.end();
    }
    return total;
  }

  /** True when {@link #parse(String)} accepts the text. */
  public static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** True when the text is valid and also parses with Go's {@code time.ParseDuration} (no {@code d}). */
  public static boolean isGoCompatible(String text) {
    return isValid(text) && !text.contains("d");
  }

  /** The shortest string {@link #parse(String)} reads back as {@code d}, in h/m/s/ms units, e.g. {@code 1h30m}. */
  public static String format(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("negative duration " + d);
    }
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long hours = d.toHours();
    int minutes = d.toMinutesPart();
    int seconds = d.toSecondsPart();
    int millis = d.toMillisPart();
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (minutes > 0) {
      out.append(minutes).append('m');
    }
    if (seconds > 0) {
      out.append(seconds).append('s');
    }
    if (millis > 0) {
      out.append(millis).append("ms");
    }
    return out.length() == 0 ? "0s" : out.toString();
  }

  private static int rank(String unit) {
    for (int i = 0; i < ORDER.length; i++) {
      if (ORDER[i].equals(unit)) {
        return i;
      }
    }
    throw new IllegalStateException(unit);
  }

  private static Duration unitDuration(String unit) {
    switch (unit) {
      case "d":
        return Duration.ofDays(1);
      case "h":
        return Duration.ofHours(1);
      case "m":
        return Duration.ofMinutes(1);
      case "s":
        return Duration.ofSeconds(1);
      case "ms":
        return Duration.ofMillis(1);
      default:
        throw new IllegalStateException(unit);
    }
  }
}
