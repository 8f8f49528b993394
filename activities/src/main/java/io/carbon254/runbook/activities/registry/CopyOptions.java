package io.carbon254.runbook.activities.registry;

import java.time.Duration;
import java.util.Set;

/**
 * How the copier behaves.
 *
 * @param blobParallelism    blobs in flight at once, across all images of this copier
 * @param maxAttempts        tries per request and per blob transfer (1 = no retry)
 * @param initialBackoff     first wait after a failure; doubles each time, with jitter
 * @param maxBackoff         longest wait between tries when the registry did not say
 * @param maxRetryAfter      longest {@code Retry-After} honoured in-process; beyond it the copy fails as retryable
 *                           so the workflow can wait durably instead
 * @param chunkSize          blobs larger than this go up in {@code PATCH} chunks of this size; 0 = always monolithic
 * @param insecure           reach every registry over plain HTTP
 * @param insecureRegistries registries reached over plain HTTP ({@code localhost} and {@code 127.0.0.1} always are)
 * @param platform           {@code all} (the whole index, digest-preserving) or {@code os/arch[/variant]}
 */
public record CopyOptions(int blobParallelism, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
    Duration maxRetryAfter, long chunkSize, boolean insecure, Set<String> insecureRegistries, String platform) {

  public static final String ALL_PLATFORMS = "all";

  public CopyOptions {
    if (blobParallelism < 1 || maxAttempts < 1 || chunkSize < 0) {
      throw new IllegalArgumentException("blobParallelism and maxAttempts must be >= 1, chunkSize >= 0");
    }
    insecureRegistries = Set.copyOf(insecureRegistries);
    platform = platform == null || platform.isBlank() ? ALL_PLATFORMS : platform;
    if (!platform.equals(ALL_PLATFORMS) && platform.split("/").length < 2) {
      throw new IllegalArgumentException("platform must be 'all' or os/arch[/variant], not '" + platform + "'");
    }
  }

  public static CopyOptions defaults() {
    return new CopyOptions(8, 5, Duration.ofMillis(500), Duration.ofSeconds(15), Duration.ofMinutes(2), 0, false,
        Set.of(), ALL_PLATFORMS);
  }

  public CopyOptions withBlobParallelism(int n) {
    return new CopyOptions(n, maxAttempts, initialBackoff, maxBackoff, maxRetryAfter, chunkSize, insecure,
        insecureRegistries, platform);
  }

  public CopyOptions withRetries(int attempts, Duration initial, Duration max) {
    return new CopyOptions(blobParallelism, attempts, initial, max, maxRetryAfter, chunkSize, insecure,
        insecureRegistries, platform);
  }

  public CopyOptions withMaxRetryAfter(Duration max) {
    return new CopyOptions(blobParallelism, maxAttempts, initialBackoff, maxBackoff, max, chunkSize, insecure,
        insecureRegistries, platform);
  }

  public CopyOptions withChunkSize(long bytes) {
    return new CopyOptions(blobParallelism, maxAttempts, initialBackoff, maxBackoff, maxRetryAfter, bytes, insecure,
        insecureRegistries, platform);
  }

  public CopyOptions withInsecure(boolean all) {
    return new CopyOptions(blobParallelism, maxAttempts, initialBackoff, maxBackoff, maxRetryAfter, chunkSize, all,
        insecureRegistries, platform);
  }

  public CopyOptions withInsecureRegistries(Set<String> registries) {
    return new CopyOptions(blobParallelism, maxAttempts, initialBackoff, maxBackoff, maxRetryAfter, chunkSize, insecure,
        registries, platform);
  }

  public CopyOptions withPlatform(String p) {
    return new CopyOptions(blobParallelism, maxAttempts, initialBackoff, maxBackoff, maxRetryAfter, chunkSize, insecure,
        insecureRegistries, p);
  }

  /** Plain HTTP for loopback (as docker and crane do) and for registries declared insecure. */
  boolean plainHttp(String host) {
    String h = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.split(":")[0];
    return insecure || insecureRegistries.contains(host) || h.equals("localhost") || h.equals("127.0.0.1")
        || h.equals("[::1]");
  }
}
