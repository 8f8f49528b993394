package io.carbon254.runbook.config;

import java.util.List;

/**
 * Standard 5-field cron expressions as Velero schedules use them:
 * {@code minute hour day-of-month month day-of-week}. Each field is {@code *}, a number, a range
 * {@code a-b}, a step <code>*&#47;n</code> or <code>a-b/n</code>, or a comma-separated list of those.
 * Day of week is 0–7 (0 and 7 are Sunday). Names ({@code MON}, {@code JAN}) and macros
 * ({@code @daily}) are not accepted, so that every schedule reads the same way.
 */
public final class Cron {

  private record Field(String name, int min, int max) {}

  private static final List<Field> FIELDS = List.of(
      new Field("minute", 0, 59),
      new Field("hour", 0, 23),
      new Field("day-of-month", 1, 31),
      new Field("month", 1, 12),
      new Field("day-of-week", 0, 7));

  private Cron() {}

  /**
   * Checks an expression.
   *
   * @throws IllegalArgumentException naming the field and the part that is wrong
   */
  public static void validate(String expression) {
    if (expression == null || expression.isBlank()) {
      throw new IllegalArgumentException("empty cron expression");
    }
    String[] parts = expression.trim().split("\\s+");
    if (parts.length != 5) {
      throw new IllegalArgumentException(
          "'" + expression + "' has " + parts.length + " fields; a cron expression has 5 (minute hour day-of-month month day-of-week)");
    }
    for (int i = 0; i < 5; i++) {
      Field f = FIELDS.get(i);
      for (String item : parts[i].split(",", -1)) {
        checkItem(expression, f, item);
      }
    }
  }

  /** True when {@link #validate(String)} accepts the expression. */
  public static boolean isValid(String expression) {
    try {
      validate(expression);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void checkItem(String expression, Field f, String item) {
    String range = item;
    int slash = item.indexOf('/');
    if (slash >= 0) {
      range = item.substring(0, slash);
      int step = number(expression, f, item.substring(slash + 1), item);
      if (step < 1) {
        throw bad(expression, f, item, "step must be at least 1");
      }
    }
    if (range.equals("*")) {
      return;
    }
    int dash = range.indexOf('-');
    if (dash >= 0) {
      int lo = inRange(expression, f, range.substring(0, dash), item);
      int hi = inRange(expression, f, range.substring(dash + 1), item);
      if (lo > hi) {
        throw bad(expression, f, item, "range start is after its end");
      }
    } else {
      inRange(expression, f, range, item);
      if (slash >= 0) {
        throw bad(expression, f, item, "a step needs * or a range before it");
      }
    }
  }

  private static int inRange(String expression, Field f, String text, String item) {
    int n = number(expression, f, text, item);
    if (n < f.min() || n > f.max()) {
      throw bad(expression, f, item, n + " is outside " + f.min() + "-" + f.max());
    }
    return n;
  }

  private static int number(String expression, Field f, String text, String item) {
    if (text.isEmpty() || text.length() > 4 || !text.chars().allMatch(Character::isDigit)) {
      throw bad(expression, f, item, "expected *, a number, a range a-b or a step */n");
    }
    return Integer.parseInt(text);
  }

  private static IllegalArgumentException bad(String expression, Field f, String item, String why) {
    return new IllegalArgumentException(
        "'" + expression + "': " + f.name() + " field '" + item + "': " + why);
  }
}
