package io.carbon254.runbook.engine;

import io.temporal.common.WorkflowExecutionHistory;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an exported history as an operator's tools would see it: payloads in history JSON are
 * base64, so a plain grep proves nothing. This decodes every payload and searches the lot.
 */
public final class HistoryScan {

  private static final Pattern DATA = Pattern.compile("\"data\":\\s*\"([A-Za-z0-9+/=\\\\u]+)\"");

  private HistoryScan() {}

  /** The history's JSON followed by every payload decoded. */
  public static String readable(WorkflowExecutionHistory history) {
    String json = history.toJson(false);
    StringBuilder all = new StringBuilder(json);
    Matcher m = DATA.matcher(json);
    while (m.find()) {
      String b64 = m.group(1).replace("\\u003d", "=");
      try {
        all.append('\n').append(new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException notBase64) {
        all.append('\n').append(b64);
      }
    }
    return all.toString();
  }

  public static boolean contains(WorkflowExecutionHistory history, String text) {
    return readable(history).contains(text);
  }
}
