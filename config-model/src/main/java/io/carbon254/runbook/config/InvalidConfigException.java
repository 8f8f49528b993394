package io.carbon254.runbook.config;

import java.util.List;

/** A configuration that cannot be used; {@link #getMessage()} lists every problem, one per line. */
public class InvalidConfigException extends RuntimeException {

  private final String source;
  private final transient List<ConfigProblem> problems;

  public InvalidConfigException(String source, List<ConfigProblem> problems) {
    super(render(source, problems));
    this.source = source;
    this.problems = List.copyOf(problems);
  }

  /** The file (or {@code <string>}, {@code classpath:...}) the configuration came from. */
  public String source() {
    return source;
  }

  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String render(String source, List<ConfigProblem> problems) {
    StringBuilder sb = new StringBuilder()
        .append("invalid platform configuration ").append(source)
        .append(" (").append(problems.size()).append(problems.size() == 1 ? " problem" : " problems").append("):");
    for (ConfigProblem p : problems) {
      sb.append('\n').append(p);
    }
    return sb.toString();
  }
}
