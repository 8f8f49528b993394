package io.carbon254.runbook.config;

/**
 * One thing wrong with a configuration file.
 *
 * @param path where, in YAML names with dots and {@code [i]} indexes ({@code sso.apps[3].host});
 *     keys that contain dots are quoted ({@code labels["node-role.kubernetes.io/worker"]})
 * @param message what is wrong and, where it helps, what would be right
 */
public record ConfigProblem(String path, String message) {

  @Override
  public String toString() {
    return path + ": " + message;
  }
}
