package io.carbon254.runbook.sso;

/**
 * A Kubernetes object as it was before sso-integration touched it, to put it back exactly on abort.
 *
 * @param apiVersion e.g. {@code networking.k8s.io/v1}
 * @param kind e.g. {@code Ingress}
 * @param namespace its namespace
 * @param name its name
 * @param manifest the object as JSON without status and server-set metadata (resourceVersion, uid,
 *     creationTimestamp, generation, managedFields); null: it did not exist (restoring deletes it)
 */
public record ObjectSnapshot(String apiVersion, String kind, String namespace, String name, String manifest) {

  public boolean existed() {
    return manifest != null;
  }

  /** {@code Ingress data-platform/grafana-ingress}. */
  public String describe() {
    return kind + " " + namespace + "/" + name;
  }
}
