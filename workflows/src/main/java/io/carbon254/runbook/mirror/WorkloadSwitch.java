package io.carbon254.runbook.mirror;

import java.util.List;

/**
 * A workload to switch to Harbor: every container whose image was mirrored, old → new (pinned by
 * digest), and the pull secret to add.
 */
public record WorkloadSwitch(String namespace, String kind, String name, List<ContainerImage> containers,
    String pullSecret) {

  /** One container's image change. */
  public record ContainerImage(String container, boolean init, String from, String to) {}

  public String id() {
    return namespace + "/" + kind.toLowerCase(java.util.Locale.ROOT) + "/" + name;
  }
}
