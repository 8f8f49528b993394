package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where a secret lives — never the secret itself. Exactly one form is set:
 * an environment variable of the worker ({@code env: SLACK_WEBHOOK_URL}), or a key of a
 * Kubernetes Secret ({@code namespace / name / key}). Activities resolve it at the moment of use.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SecretRef(String env, String namespace, String name, String key) {

  public static SecretRef env(String variable) {
    return new SecretRef(variable, null, null, null);
  }

  public static SecretRef kubernetes(String namespace, String name, String key) {
    return new SecretRef(null, namespace, name, key);
  }

  @JsonIgnore
  public boolean isEnv() {
    return env != null;
  }

  /** How an operator finds the secret, e.g. {@code env:SLACK_WEBHOOK_URL} or {@code secret data-platform/minio-secret#access-key}. */
  public String describe() {
    return isEnv() ? "env:" + env : "secret " + namespace + "/" + name + "#" + key;
  }

  @Override
  public String toString() {
    return describe();
  }
}
