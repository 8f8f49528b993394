package io.carbon254.runbook.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import okio.ByteString;

/**
 * An in-memory OCI distribution registry: the part of the API an image copier uses (manifests by
 * tag or digest, blobs, monolithic and chunked uploads, cross-repository mounts). Repositories are
 * kept per {@code Host}, so one instance can play Docker Hub, quay.io and registry.k8s.io behind
 * the sandbox's endpoint routes. Sized for the sandbox's small synthetic images, not for load.
 */
public final class OciRegistry {

  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

  private record Manifest(byte[] bytes, String mediaType, String digest) {}

  private final Map<String, Map<String, Manifest>> manifests = new ConcurrentHashMap<>();
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> blobsByRepository = new ConcurrentHashMap<>();
  private final Map<String, Buffer> uploads = new ConcurrentHashMap<>();
  private final Predicate<String> authorized;
  private final String realm;

  /** An open registry. */
  public OciRegistry() {
    this(authorization -> true, null);
  }

  /**
   * A registry that wants basic auth.
   *
   * @param authorized whether an {@code Authorization} header value (or null) may use the registry
   */
  public OciRegistry(Predicate<String> authorized, String realm) {
    this.authorized = authorized;
    this.realm = realm;
  }

  /** This registry as a {@code MockWebServer} dispatcher. */
  public Dispatcher dispatcher() {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return handle(request);
      }
    };
  }

  /** Answers one registry request ({@code /v2/...}); a HEAD answer carries headers only, as HTTP wants. */
  public MockResponse handle(RecordedRequest request) {
    MockResponse response = answer(request);
    if (!"HEAD".equals(request.getMethod()) || response.getBody() == null) {
      return response;
    }
    long length = response.getHeaders().get("Content-Length") == null ? 0
        : Long.parseLong(response.getHeaders().get("Content-Length"));
    return new MockResponse.Builder().code(response.getCode()).headers(response.getHeaders())
        .setHeader("Content-Length", length).build();
  }

  private MockResponse answer(RecordedRequest request) {
    if (!authorized.test(request.getHeaders().get("Authorization"))) {
      return new MockResponse.Builder().code(401)
          .setHeader("WWW-Authenticate", "Basic realm=\"" + (realm == null ? "registry" : realm) + "\"")
          .setHeader("Content-Type", "application/json")
          .body(error("UNAUTHORIZED", "authentication required")).build();
    }
    String target = request.getTarget();
    String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
    String query = target.contains("?") ? target.substring(target.indexOf('?') + 1) : "";
    String host = request.getHeaders().get("Host");
    String method = request.getMethod();
    if (path.equals("/v2/") || path.equals("/v2")) {
      return json(200, "{}");
    }
    int manifestsAt = path.indexOf("/manifests/");
    if (manifestsAt > 0) {
      return manifest(method, host, path.substring(4, manifestsAt), path.substring(manifestsAt + 11), request);
    }
    int uploadsAt = path.indexOf("/blobs/uploads");
    if (uploadsAt > 0) {
      String name = path.substring(4, uploadsAt);
      String session = path.substring(uploadsAt + "/blobs/uploads".length()).replaceFirst("^/", "");
      return upload(method, host, name, session, query, request);
    }
    int blobsAt = path.indexOf("/blobs/");
    if (blobsAt > 0) {
      return blob(method, host, path.substring(4, blobsAt), path.substring(blobsAt + 7));
    }
    return json(404, error("NAME_UNKNOWN", "no route for " + method + " " + path));
  }

  private MockResponse manifest(String method, String host, String name, String reference, RecordedRequest request) {
    Map<String, Manifest> repository = manifests.computeIfAbsent(repoKey(host, name), k -> new ConcurrentHashMap<>());
    if (method.equals("PUT")) {
      byte[] bytes = body(request).readByteArray();
      String digest = sha256(bytes);
      if (reference.startsWith("sha256:") && !reference.equals(digest)) {
        return json(400, error("DIGEST_INVALID", "manifest digest " + digest + " does not match " + reference));
      }
      Manifest stored = new Manifest(bytes, request.getHeaders().get("Content-Type"), digest);
      repository.put(digest, stored);
      repository.put(reference, stored);
      return new MockResponse.Builder().code(201).setHeader("Docker-Content-Digest", digest)
          .setHeader("Location", "/v2/" + name + "/manifests/" + digest).build();
    }
    Manifest found = repository.get(reference);
    if (found == null) {
      return json(404, error("MANIFEST_UNKNOWN", "manifest unknown: " + name + ":" + reference));
    }
    MockResponse.Builder reply = new MockResponse.Builder().code(200)
        .setHeader("Content-Type", found.mediaType())
        .setHeader("Docker-Content-Digest", found.digest());
    if (method.equals("HEAD")) {
      return reply.setHeader("Content-Length", found.bytes().length).build();
    }
    return reply.body(new Buffer().write(found.bytes())).build();
  }

  private MockResponse blob(String method, String host, String name, String digest) {
    byte[] bytes = blobs.get(digest);
    if (bytes == null || !blobsByRepository.getOrDefault(repoKey(host, name), Set.of()).contains(digest)) {
      return json(404, error("BLOB_UNKNOWN", "blob unknown: " + digest));
    }
    MockResponse.Builder reply = new MockResponse.Builder().code(200)
        .setHeader("Content-Type", "application/octet-stream").setHeader("Docker-Content-Digest", digest);
    if (method.equals("HEAD")) {
      return reply.setHeader("Content-Length", bytes.length).build();
    }
    return reply.body(new Buffer().write(bytes)).build();
  }

  private MockResponse upload(String method, String host, String name, String session, String query,
      RecordedRequest request) {
    Map<String, String> params = params(query);
    if (method.equals("POST")) {
      String mount = params.get("mount");
      String from = params.get("from");
      if (mount != null && from != null && blobsByRepository.getOrDefault(repoKey(host, from), Set.of()).contains(mount)) {
        holds(host, name, mount);
        return new MockResponse.Builder().code(201).setHeader("Location", "/v2/" + name + "/blobs/" + mount)
            .setHeader("Docker-Content-Digest", mount).build();
      }
      String id = UUID.randomUUID().toString();
      Buffer buffer = body(request);
      if (params.containsKey("digest")) {
        return finish(host, name, buffer, params.get("digest"));
      }
      uploads.put(id, buffer);
      return accepted(name, id, buffer.size());
    }
    Buffer buffer = uploads.get(session);
    if (buffer == null) {
      return json(404, error("BLOB_UPLOAD_UNKNOWN", "upload " + session + " unknown"));
    }
    if (method.equals("GET")) {
      return new MockResponse.Builder().code(204).setHeader("Range", "0-" + Math.max(0, buffer.size() - 1))
          .setHeader("Docker-Upload-UUID", session).build();
    }
    String range = request.getHeaders().get("Content-Range");
    if (range != null && !range.startsWith(buffer.size() + "-")) {
      return new MockResponse.Builder().code(416).setHeader("Range", "0-" + Math.max(0, buffer.size() - 1)).build();
    }
    buffer.write(body(request).readByteArray());
    if (method.equals("PATCH")) {
      return accepted(name, session, buffer.size());
    }
    uploads.remove(session);
    return finish(host, name, buffer, params.get("digest"));
  }

  private MockResponse finish(String host, String name, Buffer buffer, String digest) {
    byte[] bytes = buffer.readByteArray();
    String actual = sha256(bytes);
    if (digest == null || !digest.equals(actual)) {
      return json(400, error("DIGEST_INVALID", "uploaded content is " + actual + ", not " + digest));
    }
    blobs.put(actual, bytes);
    holds(host, name, actual);
    return new MockResponse.Builder().code(201).setHeader("Location", "/v2/" + name + "/blobs/" + actual)
        .setHeader("Docker-Content-Digest", actual).build();
  }

  private static MockResponse accepted(String name, String session, long size) {
    return new MockResponse.Builder().code(202)
        .setHeader("Location", "/v2/" + name + "/blobs/uploads/" + session + "?_state=" + session)
        .setHeader("Docker-Upload-UUID", session)
        .setHeader("Range", "0-" + Math.max(0, size - 1)).build();
  }

  // --- seeding -----------------------------------------------------------------------------------

  /**
   * Stores a small synthetic image, the same bytes for the same name every time (so digests, and
   * the plans built on them, are stable across sandbox restarts).
   *
   * @param platforms {@code os/arch} entries; more than one makes an OCI index
   * @return the digest of the manifest or index
   */
  public String seedImage(String host, String repository, String tag, List<String> platforms) {
    List<String> children = new ArrayList<>();
    for (String platform : platforms) {
      Random random = new Random((host + "/" + repository + ":" + tag + "@" + platform).hashCode());
      byte[] layer = new byte[2048 + random.nextInt(2048)];
      random.nextBytes(layer);
      String[] osArch = platform.split("/");
      byte[] config = ("{\"architecture\":\"" + osArch[1] + "\",\"os\":\"" + osArch[0]
          + "\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + sha256(layer) + "\"]}}").getBytes(StandardCharsets.UTF_8);
      storeBlob(host, repository, layer);
      storeBlob(host, repository, config);
      byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
          + OCI_CONFIG + "\",\"digest\":\"" + sha256(config) + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\""
          + OCI_LAYER + "\",\"digest\":\"" + sha256(layer) + "\",\"size\":" + layer.length + "}]}")
          .getBytes(StandardCharsets.UTF_8);
      String digest = storeManifest(host, repository, manifest, OCI_MANIFEST, platforms.size() == 1 ? tag : null);
      children.add("{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + digest + "\",\"size\":" + manifest.length
          + ",\"platform\":{\"architecture\":\"" + osArch[1] + "\",\"os\":\"" + osArch[0] + "\"}}");
      if (platforms.size() == 1) {
        return digest;
      }
    }
    byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[" + String.join(",", children)
        + "]}").getBytes(StandardCharsets.UTF_8);
    return storeManifest(host, repository, index, OCI_INDEX, tag);
  }

  /** Whether {@code repository} at {@code host} has a manifest for {@code reference} (tag or digest). */
  public boolean hasManifest(String host, String repository, String reference) {
    return manifests.getOrDefault(repoKey(host, repository), Map.of()).containsKey(reference);
  }

  /** The digest {@code reference} (a tag) points at, or null. */
  public String digestOf(String host, String repository, String reference) {
    Manifest found = manifests.getOrDefault(repoKey(host, repository), Map.of()).get(reference);
    return found == null ? null : found.digest();
  }

  /** How many blobs this registry holds, over every repository. */
  public int blobCount() {
    return blobs.size();
  }

  private void storeBlob(String host, String repository, byte[] bytes) {
    String digest = sha256(bytes);
    blobs.put(digest, bytes);
    holds(host, repository, digest);
  }

  private String storeManifest(String host, String repository, byte[] bytes, String mediaType, String tag) {
    String digest = sha256(bytes);
    Manifest stored = new Manifest(bytes, mediaType, digest);
    Map<String, Manifest> repo = manifests.computeIfAbsent(repoKey(host, repository), k -> new ConcurrentHashMap<>());
    repo.put(digest, stored);
    if (tag != null) {
      repo.put(tag, stored);
    }
    return digest;
  }

  private void holds(String host, String repository, String digest) {
    blobsByRepository.computeIfAbsent(repoKey(host, repository), k -> ConcurrentHashMap.newKeySet()).add(digest);
  }

  private static String repoKey(String host, String repository) {
    String h = host == null ? "" : host.toLowerCase(java.util.Locale.ROOT);
    // A default port is the same registry as no port.
    h = h.replaceFirst(":(443|80)$", "");
    return h + "/" + repository;
  }

  // --- helpers -----------------------------------------------------------------------------------

  private static Buffer body(RecordedRequest request) {
    ByteString bytes = request.getBody();
    return new Buffer().write(bytes == null ? ByteString.EMPTY : bytes);
  }

  private static Map<String, String> params(String query) {
    Map<String, String> params = new ConcurrentHashMap<>();
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        params.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return params;
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
  }

  static String error(String code, String message) {
    return "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message.replace("\"", "'") + "\"}]}";
  }

  static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
