package io.carbon254.runbook.config;

/**
 * One thing wrong with a configuration file.
 *
 * <p>A problem is read on a terminal, and it quotes what the file says: control and bidirectional
 * characters are shown escaped ({@code \u001b}) and a path or message longer than {@value #MAX_SHOWN}
 * characters is shown with its middle left out, so that no file can flood or drive the terminal
 * of the person who checks it.
 *
 * @param path where, in YAML names with dots and {@code [i]} indexes ({@code sso.apps[3].host});
 *     keys that contain dots are quoted ({@code labels["node-role.kubernetes.io/worker"]})
 * @param message what is wrong and, where it helps, what would be right
 */
public record ConfigProblem(String path, String message) {

  /** The longest path or message shown whole. */
  static final int MAX_SHOWN = 1000;

  public ConfigProblem {
    path = shown(path);
    message = shown(message);
  }

  @Override
  public String toString() {
    return path + ": " + message;
  }

  static String shown(String text) {
    if (text == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_SHOWN + 64));
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e)
          || (c >= 0x2066 && c <= 0x2069);
      if (control) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (sb.length() <= MAX_SHOWN) {
      return sb.toString();
    }
    int head = MAX_SHOWN * 3 / 4;
    int tail = MAX_SHOWN / 5;
    return sb.substring(0, head) + " ... (" + (sb.length() - head - tail) + " characters left out) ... "
        + sb.substring(sb.length() - tail);
  }
}
