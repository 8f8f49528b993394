package io.carbon254.runbook.activities.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

/** Builds images that never existed and pushes them with our own client: configs, layers, manifests, indexes. */
final class SyntheticImages {

  /** A layer: deterministic pseudo-random bytes from a seed, generated while streaming, never held whole. */
  record Layer(long seed, long size, String digest) {
    static Layer of(long seed, long size) {
      MessageDigest sha = Digests.sha256();
      byte[] buffer = new byte[64 * 1024];
      Generator g = new Generator(seed);
      long left = size;
      while (left > 0) {
        int n = (int) Math.min(buffer.length, left);
        g.fill(buffer, n);
        sha.update(buffer, 0, n);
        left -= n;
      }
      return new Layer(seed, size, Digests.format(sha.digest()));
    }
  }

  /** xorshift64*: fast, deterministic, incompressible enough. */
  static final class Generator {
    private long state;

    Generator(long seed) {
      state = seed * 0x9E3779B97F4A7C15L + 1;
    }

    void fill(byte[] b, int n) {
      for (int i = 0; i < n; i += 8) {
        state ^= state >>> 12;
        state ^= state << 25;
        state ^= state >>> 27;
        long v = state * 0x2545F4914F6CDD1DL;
        for (int j = 0; j < 8 && i + j < n; j++) {
          b[i + j] = (byte) (v >>> (8 * j));
        }
      }
    }
  }

  private final RegistryClient client;

  SyntheticImages(RegistryClient client) {
    this.client = client;
  }

  void pushLayer(ImageReference repo, Layer layer) {
    if (client.blobExists(repo, layer.digest(), "fixture")) {
      return;
    }
    HttpUrl session = client.startUpload(repo, "fixture upload");
    client.putBlob(repo, session, layer.digest(), new RequestBody() {
      @Override
      public MediaType contentType() {
        return MediaType.get("application/octet-stream");
      }

      @Override
      public long contentLength() {
        return layer.size();
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        Generator g = new Generator(layer.seed());
        long left = layer.size();
        while (left > 0) {
          int n = (int) Math.min(buffer.length, left);
          g.fill(buffer, n);
          sink.write(buffer, 0, n);
          left -= n;
        }
      }
    }, "fixture upload " + layer.digest());
  }

  String pushBytes(ImageReference repo, byte[] bytes) {
    String digest = Digests.of(bytes);
    if (!client.blobExists(repo, digest, "fixture")) {
      HttpUrl session = client.startUpload(repo, "fixture upload");
      client.putBlob(repo, session, digest, RequestBody.create(bytes, MediaType.get("application/octet-stream")),
          "fixture upload " + digest);
    }
    return digest;
  }

  /** Pushes an image manifest (OCI or Docker v2) with a config for the platform; returns its raw bytes' digest. */
  Pushed pushImage(ImageReference ref, boolean oci, String os, String arch, List<Layer> layers) {
    for (Layer l : layers) {
      pushLayer(ref, l);
    }
    StringBuilder diffIds = new StringBuilder();
    for (Layer l : layers) {
      diffIds.append(diffIds.length() == 0 ? "" : ",").append('"').append(l.digest()).append('"');
    }
    byte[] config = ("{\"architecture\":\"" + arch + "\",\"os\":\"" + os + "\",\"config\":{},\"rootfs\":{\"type\":"
        + "\"layers\",\"diff_ids\":[" + diffIds + "]}}").getBytes(StandardCharsets.UTF_8);
    String configDigest = pushBytes(ref, config);
    String mediaType = oci ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST;
    String configType = oci ? "application/vnd.oci.image.config.v1+json" : "application/vnd.docker.container.image.v1+json";
    String layerType = oci ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.docker.image.rootfs.diff.tar.gzip";
    List<String> layerJson = new ArrayList<>();
    for (Layer l : layers) {
      layerJson.add("{\"mediaType\":\"" + layerType + "\",\"size\":" + l.size() + ",\"digest\":\"" + l.digest() + "\"}");
    }
    // Deliberately odd whitespace: a copier that re-serialises would change the digest.
    String manifest = "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"" + mediaType + "\",\n   \"config\": {\"mediaType\":\""
        + configType + "\",\"size\":" + config.length + ",\"digest\":\"" + configDigest + "\"},\n   \"layers\": ["
        + String.join(",\n      ", layerJson) + "]\n}\n";
    byte[] bytes = manifest.getBytes(StandardCharsets.UTF_8);
    client.putManifest(ref, ref.reference(), bytes, mediaType, "fixture manifest");
    return new Pushed(Digests.of(bytes), mediaType, bytes.length, os + "/" + arch);
  }

  record Pushed(String digest, String mediaType, long size, String platform) {}

  /** Pushes an index (OCI) or manifest list (Docker) over already pushed children. */
  Pushed pushIndex(ImageReference ref, boolean oci, List<Pushed> children) {
    String mediaType = oci ? MediaTypes.OCI_INDEX : MediaTypes.DOCKER_MANIFEST_LIST;
    List<String> entries = new ArrayList<>();
    for (Pushed c : children) {
      String[] p = c.platform().split("/");
      entries.add("{\"mediaType\":\"" + c.mediaType() + "\",\"size\":" + c.size() + ",\"digest\":\"" + c.digest()
          + "\",\"platform\":{\"architecture\":\"" + p[1] + "\",\"os\":\"" + p[0] + "\""
          + (p.length > 2 ? ",\"variant\":\"" + p[2] + "\"" : "") + "}}");
    }
    byte[] bytes = ("{\"schemaVersion\":2,\"mediaType\":\"" + mediaType + "\",\"manifests\":[" + String.join(",", entries)
        + "]}").getBytes(StandardCharsets.UTF_8);
    client.putManifest(ref, ref.reference(), bytes, mediaType, "fixture index");
    return new Pushed(Digests.of(bytes), mediaType, bytes.length, null);
  }

  /** A multi-arch image: linux/amd64 and linux/arm64/v8, each with its own layers plus a shared base layer. */
  Pushed pushMultiArch(ImageReference ref, boolean oci, long seed, long layerSize) {
    Layer base = Layer.of(seed, layerSize);
    Pushed amd64 = pushImage(ref.withTag(null).withDigest(null).withTag(ref.tag() + "-amd64"), oci, "linux", "amd64",
        List.of(base, Layer.of(seed + 1, layerSize / 2 + 1)));
    Pushed arm64 = pushImage(ref.withTag(null).withDigest(null).withTag(ref.tag() + "-arm64"), oci, "linux", "arm64",
        List.of(base, Layer.of(seed + 2, layerSize / 3 + 7)));
    return pushIndex(ref, oci, List.of(amd64, new Pushed(arm64.digest(), arm64.mediaType(), arm64.size(),
        "linux/arm64/v8")));
  }
}
