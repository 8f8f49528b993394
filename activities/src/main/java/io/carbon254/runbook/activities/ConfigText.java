package io.carbon254.runbook.activities;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two configuration file formats sso-integration edits inside ConfigMaps, as plain text edits
 * that keep every other line as it was (comments, order, settings that are not ours):
 *
 * <ul>
 *   <li>{@link Ini}: Grafana's {@code grafana.ini} ({@code [section]}, {@code key = value});
 *   <li>{@link Python}: Superset's {@code superset_config.py}, top-level assignments
 *       {@code NAME = value}, one per line.
 * </ul>
 */
final class ConfigText {

  private ConfigText() {}

  /** {@code grafana.ini}: a value per section and key; the last assignment in a section wins, as in Grafana. */
  static final class Ini {

    private static final Pattern SECTION = Pattern.compile("^\\s*\\[([^\\]]+)\\]\\s*$");
    private static final Pattern KEY = Pattern.compile("^\\s*([A-Za-z0-9_.]+)\\s*=\\s*(.*?)\\s*$");

    private Ini() {}

    /** The value of {@code key} in {@code [section]}, null when not set. */
    static String get(String text, String section, String key) {
      String value = null;
      String current = "";
      for (String line : lines(text)) {
        Matcher s = SECTION.matcher(line);
        if (s.matches()) {
          current = s.group(1).trim();
          continue;
        }
        Matcher k = KEY.matcher(line);
        if (current.equals(section) && !comment(line) && k.matches() && k.group(1).equals(key)) {
          value = k.group(2);
        }
      }
      return value;
    }

    /** {@code text} with {@code key = value} in {@code [section]}: the assignment replaced, or added to the section, or a new section at the end. */
    static String set(String text, String section, String key, String value) {
      List<String> lines = new ArrayList<>(lines(text));
      String current = "";
      int lastOfSection = -1;
      int assignment = -1;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        Matcher s = SECTION.matcher(line);
        if (s.matches()) {
          current = s.group(1).trim();
          if (current.equals(section)) {
            lastOfSection = i;
          }
          continue;
        }
        if (current.equals(section)) {
          if (!line.isBlank()) {
            lastOfSection = i;
          }
          Matcher k = KEY.matcher(line);
          if (!comment(line) && k.matches() && k.group(1).equals(key)) {
            assignment = i;
          }
        }
      }
      String assigned = key + " = " + value;
      if (assignment >= 0) {
        lines.set(assignment, assigned);
      } else if (lastOfSection >= 0) {
        lines.add(lastOfSection + 1, assigned);
      } else {
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
          lines.remove(lines.size() - 1);
        }
        if (!lines.isEmpty()) {
          lines.add("");
        }
        lines.add("[" + section + "]");
        lines.add(assigned);
      }
      return String.join("\n", lines) + "\n";
    }

    private static boolean comment(String line) {
      String t = line.trim();
      return t.startsWith(";") || t.startsWith("#");
    }
  }

  /** {@code superset_config.py}: top-level {@code NAME = value} lines (a trailing {@code # comment} is not part of the value). */
  static final class Python {

    private static final Pattern ASSIGNMENT = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*?)\\s*(#[^\"']*)?$");

    private Python() {}

    /** The value assigned to {@code name} (as written: {@code "HTTP_X"} with its quotes), null when not assigned. */
    static String get(String text, String name) {
      String value = null;
      for (String line : lines(text)) {
        Matcher m = ASSIGNMENT.matcher(line);
        if (m.matches() && m.group(1).equals(name)) {
          value = m.group(2);
        }
      }
      return value;
    }

    /** {@code text} with {@code name = value}: the last assignment replaced, or one added at the end. */
    static String set(String text, String name, String value) {
      List<String> lines = new ArrayList<>(lines(text));
      int assignment = -1;
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = ASSIGNMENT.matcher(lines.get(i));
        if (m.matches() && m.group(1).equals(name)) {
          assignment = i;
        }
      }
      String assigned = name + " = " + value;
      if (assignment >= 0) {
        lines.set(assignment, assigned);
      } else {
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
          lines.remove(lines.size() - 1);
        }
        lines.add(assigned);
      }
      return String.join("\n", lines) + "\n";
    }

    /** {@code text} with {@code line} (an import) before the first line that is not a comment, unless it has it. */
    static String ensureLine(String text, String line) {
      List<String> lines = new ArrayList<>(lines(text));
      if (lines.stream().anyMatch(l -> l.trim().equals(line))) {
        return text;
      }
      int at = 0;
      while (at < lines.size() && (lines.get(at).trim().startsWith("#") || lines.get(at).isBlank())) {
        at++;
      }
      lines.add(at, line);
      return String.join("\n", lines) + "\n";
    }

    /** A Python string literal of {@code s}. */
    static String quoted(String s) {
      return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The string a literal stands for ({@code "x"} or {@code 'x'} → x); anything else as written. */
    static String unquoted(String literal) {
      if (literal != null && literal.length() >= 2 && (literal.startsWith("\"") && literal.endsWith("\"")
          || literal.startsWith("'") && literal.endsWith("'"))) {
        return literal.substring(1, literal.length() - 1);
      }
      return literal;
    }
  }

  /**
   * Where a WSGI application (Superset on gunicorn) finds a request header: {@code HTTP_} and the
   * name upper-cased with {@code -} as {@code _}: {@code CF_Access-User} → {@code HTTP_CF_ACCESS_USER}.
   */
  static String wsgiEnviron(String header) {
    return "HTTP_" + header.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  private static List<String> lines(String text) {
    if (text == null || text.isEmpty()) {
      return List.of();
    }
    String trimmed = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    return Arrays.asList(trimmed.split("\n", -1));
  }
}
