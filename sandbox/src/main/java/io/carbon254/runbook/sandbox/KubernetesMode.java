package io.carbon254.runbook.sandbox;

import java.util.Locale;

/** Which Kubernetes API a {@link Sandbox} serves. */
public enum KubernetesMode {
  /** The real control plane when {@link KubernetesTools} finds it installed, else the mock (what the demo does). */
  AUTO,
  /** The real control plane; starting fails, naming the install command, when it is not installed. */
  REAL,
  /** fabric8's CRUD mock: no RBAC, no schemas, no controllers (what a test needs for a failure the real server cannot produce). */
  MOCK;

  /** Overrides {@link #AUTO}: {@code real} or {@code mock}. */
  public static final String ENVIRONMENT_VARIABLE = "RUNBOOK_SANDBOX_KUBERNETES";

  KubernetesMode resolve() {
    if (this != AUTO) {
      return this;
    }
    String chosen = System.getenv(ENVIRONMENT_VARIABLE);
    if (chosen != null && !chosen.isBlank()) {
      return valueOf(chosen.strip().toUpperCase(Locale.ROOT));
    }
    return KubernetesTools.find().isPresent() ? REAL : MOCK;
  }
}
