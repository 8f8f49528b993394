package io.carbon254.runbook.activities.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A manifest as the registry sent it: the raw bytes (pushed verbatim, so the digest survives) plus what we read
 * from them: the children of an index, or the config and layers of an image manifest.
 */
public record Manifest(byte[] bytes, String mediaType, String digest, List<Descriptor> children, List<Descriptor> blobs) {

  /** A content descriptor; platform is {@code os/arch[/variant]} for index children, else null. */
  public record Descriptor(String mediaType, String digest, long size, String platform) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  public boolean isIndex() {
    return MediaTypes.isIndex(mediaType);
  }

  static Manifest parse(byte[] bytes, String contentType, String digest, String what) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw RegistryException.fatal(what + ": the manifest is not JSON (" + e.getMessage() + ")", 0, null);
    }
    if (root == null || !root.isObject()) {
      throw RegistryException.fatal(what + ": the manifest is not a JSON object", 0, null);
    }
    String mediaType = mediaType(root, contentType);
    if (mediaType.equals(MediaTypes.DOCKER_SCHEMA1) || root.path("schemaVersion").asInt() == 1) {
      throw RegistryException.fatal(what + ": Docker schema 1 manifests are not supported (re-push the image with a"
          + " current docker or buildkit)", 0, "MANIFEST_INVALID");
    }
    List<Descriptor> children = new ArrayList<>();
    List<Descriptor> blobs = new ArrayList<>();
    if (MediaTypes.isIndex(mediaType)) {
      for (JsonNode m : root.path("manifests")) {
        children.add(descriptor(m, platform(m.path("platform"))));
      }
    } else if (MediaTypes.isManifest(mediaType)) {
      if (root.has("config")) {
        blobs.add(descriptor(root.get("config"), null));
      }
      for (JsonNode l : root.path("layers")) {
        Descriptor d = descriptor(l, null);
        if (!MediaTypes.isForeignLayer(d.mediaType())) {
          blobs.add(d);
        }
      }
    } else {
      throw RegistryException.fatal(what + ": unsupported manifest media type '" + mediaType + "'", 0,
          "MANIFEST_INVALID");
    }
    return new Manifest(bytes, mediaType, digest, List.copyOf(children), List.copyOf(blobs));
  }

  /** The Content-Type when it is one of ours, else the {@code mediaType} field, else guessed from the shape. */
  private static String mediaType(JsonNode root, String contentType) {
    String ct = contentType == null ? "" : contentType.split(";")[0].trim();
    if (MediaTypes.isIndex(ct) || MediaTypes.isManifest(ct) || ct.equals(MediaTypes.DOCKER_SCHEMA1)) {
      return ct;
    }
    String field = root.path("mediaType").asText("");
    if (!field.isEmpty()) {
      return field;
    }
    return root.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
  }

  private static Descriptor descriptor(JsonNode n, String platform) {
    return new Descriptor(n.path("mediaType").asText(null), n.path("digest").asText(), n.path("size").asLong(-1),
        platform);
  }

  private static String platform(JsonNode p) {
    if (p.isMissingNode() || p.isNull()) {
      return null;
    }
    String s = p.path("os").asText("unknown") + "/" + p.path("architecture").asText("unknown");
    String variant = p.path("variant").asText("");
    return variant.isEmpty() ? s : s + "/" + variant;
  }
}
