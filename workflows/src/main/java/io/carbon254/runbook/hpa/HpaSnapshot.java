package io.carbon254.runbook.hpa;

/**
 * A HorizontalPodAutoscaler as it was before the run changed it, to put it back on abort.
 *
 * @param namespace its namespace
 * @param name its name
 * @param manifest the object as JSON without status and server-set metadata; null: it did not exist
 */
public record HpaSnapshot(String namespace, String name, String manifest) {

  public boolean existed() {
    return manifest != null;
  }
}
