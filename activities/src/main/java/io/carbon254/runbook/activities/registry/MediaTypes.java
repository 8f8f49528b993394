package io.carbon254.runbook.activities.registry;

import java.util.Set;

/** The four manifest media types the copier understands, and the layer types it must not copy. */
public final class MediaTypes {
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+prettyjws";

  /** One Accept header listing all four, so the registry never converts (conversion would change the digest). */
  public static final String ACCEPT = String.join(", ", OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST);

  public static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);
  public static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);

  public static boolean isIndex(String mediaType) {
    return INDEXES.contains(mediaType);
  }

  public static boolean isManifest(String mediaType) {
    return MANIFESTS.contains(mediaType);
  }

  /** Windows base layers and other non-distributable blobs are fetched from their URLs, never pushed. */
  public static boolean isForeignLayer(String mediaType) {
    return mediaType != null && (mediaType.contains("foreign") || mediaType.contains("nondistributable"));
  }

  private MediaTypes() {}
}
