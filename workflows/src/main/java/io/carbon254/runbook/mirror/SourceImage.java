package io.carbon254.runbook.mirror;

import java.util.List;

/**
 * A platform image as found at its source, and where it goes in Harbor.
 *
 * @param source normalised reference, e.g. {@code docker.io/grafana/grafana:10.2.0}
 * @param digest the manifest (or index) digest at the source
 * @param platforms {@code os/arch} of every child of an index; one entry for a single manifest
 * @param target the Harbor repository, e.g. {@code harbor.254carbon.local/254carbon/grafana/grafana}
 */
public record SourceImage(String source, String digest, String mediaType, List<String> platforms, String target) {

  /** The Harbor reference pinned by digest, as workloads will use it. */
  public String pinnedTarget() {
    return target + "@" + digest;
  }
}
