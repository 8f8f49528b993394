package io.carbon254.runbook.activities.registry;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An image reference the way docker and crane read it: {@code alpine} is
 * {@code docker.io/library/alpine:latest}, {@code 127.0.0.1:5000/a/b@sha256:...} names a manifest by digest.
 *
 * @param registry   the registry as written, normalised ({@code docker.io} for Docker Hub)
 * @param repository the repository path ({@code library/alpine})
 * @param tag        the tag, or null when none was written (then {@link #reference()} falls back to the digest or latest)
 * @param digest     {@code sha256:<hex>}, or null
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

  public static final String DOCKER_HUB = "docker.io";
  /** Where Docker Hub's registry API actually answers. */
  public static final String DOCKER_HUB_HOST = "registry-1.docker.io";

  private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");

  public ImageReference {
    if (registry == null || registry.isBlank()) {
      throw new IllegalArgumentException("image reference without a registry");
    }
    if (repository == null || !REPOSITORY.matcher(repository).matches()) {
      throw new IllegalArgumentException("invalid repository name '" + repository + "' (lower case letters, digits, . _ - and /)");
    }
    if (tag != null && !TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("invalid tag '" + tag + "' in " + registry + "/" + repository);
    }
    if (digest != null && !DIGEST.matcher(digest).matches()) {
      throw new IllegalArgumentException("invalid digest '" + digest + "' in " + registry + "/" + repository
          + " (only sha256:<64 hex> is supported)");
    }
  }

  /**
   * Parses {@code [registry/]repository[:tag][@sha256:digest]}. The first path component is a registry when it
   * holds a dot or a colon or is {@code localhost}; otherwise the image is on Docker Hub, where one-component names
   * live under {@code library/}.
   */
  public static ImageReference parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty image reference");
    }
    String rest = text.trim();
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    String registry;
    String repository;
    int slash = rest.indexOf('/');
    String first = slash < 0 ? null : rest.substring(0, slash);
    if (first != null && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
      registry = first.toLowerCase(Locale.ROOT);
      repository = rest.substring(slash + 1);
    } else {
      registry = DOCKER_HUB;
      repository = rest;
    }
    if (registry.equals("index.docker.io") || registry.equals(DOCKER_HUB_HOST)) {
      registry = DOCKER_HUB;
    }
    if (registry.equals(DOCKER_HUB) && !repository.contains("/")) {
      repository = "library/" + repository;
    }
    try {
      return new ImageReference(registry, repository, tag, digest);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot parse image reference '" + text + "': " + e.getMessage(), e);
    }
  }

  /** The host:port the registry API is reached at. */
  public String host() {
    return registry.equals(DOCKER_HUB) ? DOCKER_HUB_HOST : registry;
  }

  /** What goes after {@code /manifests/}: the digest when pinned, else the tag, else {@code latest}. */
  public String reference() {
    if (digest != null) {
      return digest;
    }
    return tag != null ? tag : "latest";
  }

  public ImageReference withDigest(String newDigest) {
    return new ImageReference(registry, repository, tag, newDigest);
  }

  public ImageReference withTag(String newTag) {
    return new ImageReference(registry, repository, newTag, digest);
  }

  /** registry/repository, without tag or digest. */
  public String name() {
    return registry + "/" + repository;
  }

  @Override
  public String toString() {
    return name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }
}
