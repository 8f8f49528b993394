package io.carbon254.runbook.activities.registry;

import io.carbon254.runbook.activities.registry.Manifest.Descriptor;
import io.carbon254.runbook.activities.registry.Progress.Kind;
import io.carbon254.runbook.activities.registry.RegistryClient.ManifestHead;
import java.io.EOFException;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import okio.BufferedSource;

/**
 * Copies images between registries the way {@code crane copy} does, without a daemon: manifests verbatim (the digest
 * survives), every child of an index before the index, blobs streamed from the source straight into the target
 * (never whole in memory) after a HEAD says they are missing, mounted from another repository of the target when we
 * know one holds them, sha256-verified on the way through.
 *
 * <p>Resuming: every finished blob is reported as a {@link Progress} with a {@link Progress#blobKey()}; a caller
 * that keeps those keys (in heartbeat details) and passes them back as {@code alreadyCopiedBlobs} after a restart
 * gets them skipped without a request.
 *
 * <p>Thread-safe; one copier can serve many copies at once. Blobs in flight are bounded by
 * {@link CopyOptions#blobParallelism()} across all of them. Close it to stop its threads.
 */
public final class RegistryCopier implements AutoCloseable {

  private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");
  private static final long PROGRESS_EVERY = 8L << 20;
  private static final int BUFFER = 64 * 1024;

  enum Outcome { COPIED, SKIPPED, MOUNTED }

  private final RegistryClient client;
  private final CopyOptions options;
  private final ExecutorService blobPool;
  /** Blob transfers running or done in this copier, by blob key: two images sharing a layer upload it once. */
  private final Map<String, CompletableFuture<Outcome>> transfers = new ConcurrentHashMap<>();
  /** registry|digest → a repository of that registry known to hold the blob: where to mount from. */
  private final Map<String, String> knownLocations = new ConcurrentHashMap<>();
  private final ThreadLocal<ImageCopy> current = new ThreadLocal<>();

  public RegistryCopier(OkHttpClient http, Credentials credentials, CopyOptions options) {
    this.options = options;
    this.client = new RegistryClient(http, credentials, options);
    this.client.onRetry((what, why) -> {
      ImageCopy job = current.get();
      if (job != null) {
        job.emit(new Progress(job.src.toString(), Kind.RETRY, null, null, 0, job.bytes.get(), job.done(),
            job.blobsTotal, what + ": " + why));
      }
    });
    this.blobPool = Executors.newFixedThreadPool(options.blobParallelism(), threads("registry-blob"));
  }

  public RegistryClient client() {
    return client;
  }

  /** The done-set entry of a blob: {@code <registry>/<repository>@<digest>} at the target. */
  public static String blobKey(ImageReference target, String digest) {
    return target.name() + "@" + digest;
  }

  public CopyResult copy(ImageReference src, ImageReference dst) {
    return copy(src, dst, Set.of(), p -> {});
  }

  /**
   * Copies one image (an index with all its children, or the child for {@link CopyOptions#platform()}).
   *
   * @param alreadyCopiedBlobs blob keys finished by an earlier attempt (see {@link #blobKey}); not modified
   * @param progress           told about every blob and manifest; called one event at a time
   * @throws RegistryException naming the image, the object and the registry's answer
   */
  public CopyResult copy(ImageReference src, ImageReference dst, Set<String> alreadyCopiedBlobs,
      Consumer<Progress> progress) {
    long started = System.nanoTime();
    seed(alreadyCopiedBlobs);
    ImageCopy job = new ImageCopy(src, dst, alreadyCopiedBlobs, serialized(progress));
    String what = "copy " + src + " to " + dst;
    boolean all = options.platform().equals(CopyOptions.ALL_PLATFORMS);
    ImageCopy outer = current.get();
    current.set(job);
    try {
      if (all) {
        Optional<ManifestHead> source = client.headManifest(src, src.reference(), what + ": HEAD source manifest");
        if (source.isPresent()) {
          checkPinned(dst, source.get().digest(), what);
          Optional<CopyResult> unchanged = unchanged(job, source.get().digest(), source.get().mediaType(), List.of(),
              started, what);
          if (unchanged.isPresent()) {
            return unchanged.get();
          }
        }
      }
      Manifest top = client.getManifest(src, src.reference(), what + ": GET source manifest");
      List<String> platforms = new ArrayList<>();
      if (top.isIndex()) {
        if (all) {
          top.children().forEach(c -> platforms.add(c.platform() == null ? "unknown" : c.platform()));
        } else {
          Descriptor child = pick(top, options.platform(), what);
          platforms.add(child.platform());
          top = client.getManifest(src, child.digest(), what + ": GET manifest " + child.digest() + " for "
              + child.platform());
        }
      }
      checkPinned(dst, top.digest(), what);
      if (!all) {
        Optional<CopyResult> unchanged = unchanged(job, top.digest(), top.mediaType(), platforms, started, what);
        if (unchanged.isPresent()) {
          return unchanged.get();
        }
      }
      List<Manifest> children = new ArrayList<>();
      Map<String, Descriptor> blobs = new LinkedHashMap<>();
      plan(job, top, children, blobs, what);
      job.blobsTotal = blobs.size();
      copyBlobs(job, blobs.values());
      for (Manifest child : children) {
        client.putManifest(dst, child.digest(), child.bytes(), child.mediaType(), what + ": PUT manifest "
            + child.digest());
        job.emit(new Progress(src.toString(), Kind.MANIFEST_PUSHED, child.digest(), null, child.bytes().length,
            job.bytes.get(), job.done(), job.blobsTotal, null));
      }
      String reference = targetReference(src, dst, top.digest());
      client.putManifest(dst, reference, top.bytes(), top.mediaType(), what + ": PUT manifest " + reference);
      job.emit(new Progress(src.toString(), Kind.MANIFEST_PUSHED, top.digest(), null, top.bytes().length,
          job.bytes.get(), job.done(), job.blobsTotal, null));
      return new CopyResult(src, dst.withDigest(top.digest()), top.digest(), top.mediaType(), List.copyOf(platforms),
          job.bytes.get(), job.copied.get(), job.skipped.get(), job.mounted.get(), false,
          Duration.ofNanos(System.nanoTime() - started));
    } finally {
      current.set(outer);
    }
  }

  /** Copies many images, {@code parallelism} at a time; one failing image does not stop the others. */
  public List<CopyOutcome> copyAll(List<ImagePair> pairs, int parallelism) {
    return copyAll(pairs, parallelism, Set.of(), p -> {});
  }

  public List<CopyOutcome> copyAll(List<ImagePair> pairs, int parallelism, Set<String> alreadyCopiedBlobs,
      Consumer<Progress> progress) {
    Consumer<Progress> serialized = serialized(progress);
    ExecutorService images = Executors.newFixedThreadPool(Math.max(1, parallelism), threads("registry-image"));
    try {
      List<Future<CopyOutcome>> futures = new ArrayList<>();
      for (ImagePair pair : pairs) {
        futures.add(images.submit(() -> {
          try {
            return new CopyOutcome(pair, copy(pair.source(), pair.target(), alreadyCopiedBlobs, serialized), null);
          } catch (RegistryException e) {
            return new CopyOutcome(pair, null, e);
          } catch (RuntimeException e) {
            return new CopyOutcome(pair, null, new RegistryException("copy " + pair.source() + " to " + pair.target()
                + ": " + RegistryClient.describe(e), 0, null, false, true, null, e));
          }
        }));
      }
      List<CopyOutcome> outcomes = new ArrayList<>();
      for (Future<CopyOutcome> f : futures) {
        outcomes.add(f.get());
      }
      return outcomes;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("copy interrupted", 0, null, true, true, null, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      images.shutdownNow();
    }
  }

  @Override
  public void close() {
    blobPool.shutdownNow();
  }

  // ---------------------------------------------------------------- manifests

  /** When the target already has this digest under the reference we would push: nothing to do. */
  private Optional<CopyResult> unchanged(ImageCopy job, String digest, String mediaType, List<String> platforms,
      long started, String what) {
    String reference = targetReference(job.src, job.dst, digest);
    Optional<ManifestHead> target = client.headManifest(job.dst, reference, what + ": HEAD target manifest");
    if (target.isPresent() && target.get().digest().equals(digest)) {
      return Optional.of(new CopyResult(job.src, job.dst.withDigest(digest), digest,
          mediaType != null ? mediaType : target.get().mediaType(), platforms, 0, 0, 0, 0, true,
          Duration.ofNanos(System.nanoTime() - started)));
    }
    return Optional.empty();
  }

  /** Children (depth first, children before parents) not yet at the target, and the blobs they need. */
  private void plan(ImageCopy job, Manifest manifest, List<Manifest> children, Map<String, Descriptor> blobs,
      String what) {
    if (manifest.isIndex()) {
      for (Descriptor child : manifest.children()) {
        if (client.headManifest(job.dst, child.digest(), what + ": HEAD target manifest " + child.digest()).isPresent()) {
          continue; // a manifest at the target implies its blobs are there: the registry checked on push
        }
        Manifest m = client.getManifest(job.src, child.digest(), what + ": GET manifest " + child.digest()
            + (child.platform() == null ? "" : " (" + child.platform() + ")"));
        plan(job, m, children, blobs, what);
        children.add(m);
      }
    } else {
      manifest.blobs().forEach(b -> blobs.putIfAbsent(b.digest(), b));
    }
  }

  private static Descriptor pick(Manifest index, String platform, String what) {
    List<Descriptor> children = index.children();
    for (Descriptor d : children) {
      if (platform.equals(d.platform())) {
        return d;
      }
    }
    for (Descriptor d : children) {
      if (d.platform() != null && d.platform().startsWith(platform + "/")) {
        return d;
      }
    }
    throw RegistryException.fatal(what + ": the index has no manifest for platform " + platform + "; it has "
        + children.stream().map(Descriptor::platform).toList(), 0, "MANIFEST_UNKNOWN");
  }

  private static void checkPinned(ImageReference dst, String digest, String what) {
    if (dst.digest() != null && !dst.digest().equals(digest)) {
      throw RegistryException.fatal(what + ": the target is pinned to " + dst.digest() + " but the source is " + digest,
          0, "DIGEST_INVALID");
    }
  }

  /** The target's tag, else the source's tag, else by digest. */
  private static String targetReference(ImageReference src, ImageReference dst, String digest) {
    if (dst.tag() != null) {
      return dst.tag();
    }
    return src.tag() != null ? src.tag() : digest;
  }

  // ---------------------------------------------------------------- blobs

  private void copyBlobs(ImageCopy job, Iterable<Descriptor> blobs) {
    List<CompletableFuture<Outcome>> futures = new ArrayList<>();
    for (Descriptor blob : blobs) {
      futures.add(blob(job, blob));
    }
    try {
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      RegistryException first = null;
      for (CompletableFuture<Outcome> f : futures) {
        if (f.isCompletedExceptionally()) {
          Throwable cause = f.handle((o, t) -> t instanceof CompletionException ce ? ce.getCause() : t).join();
          RegistryException failure = cause instanceof RegistryException re ? re
              : new RegistryException("copy " + job.src + " to " + job.dst + ": " + RegistryClient.describe(cause), 0,
                  null, false, true, null, cause);
          if (first == null || (first.retryable() && !failure.retryable())) {
            first = failure;
          }
        }
      }
      throw first != null ? first : new IllegalStateException(e);
    }
  }

  private CompletableFuture<Outcome> blob(ImageCopy job, Descriptor blob) {
    String key = blobKey(job.dst, blob.digest());
    if (job.alreadyCopied.contains(key)) {
      job.finish(Outcome.SKIPPED, blob, key, 0);
      return CompletableFuture.completedFuture(Outcome.SKIPPED);
    }
    boolean[] mine = {false};
    CompletableFuture<Outcome> transfer = transfers.computeIfAbsent(key, k -> {
      mine[0] = true;
      return CompletableFuture.supplyAsync(() -> transfer(job, blob, key), blobPool);
    });
    transfer.whenComplete((o, e) -> {
      if (e != null) {
        transfers.remove(key, transfer);
      }
    });
    if (mine[0]) {
      return transfer;
    }
    // Another image of this copier moved (or is moving) the same blob into the same repository.
    return transfer.thenApply(o -> {
      job.finish(Outcome.SKIPPED, blob, key, 0);
      return Outcome.SKIPPED;
    });
  }

  private Outcome transfer(ImageCopy job, Descriptor blob, String key) {
    String what = "copy " + job.src + " to " + job.dst + ": blob " + blob.digest() + " (" + blob.size() + " bytes)";
    current.set(job);
    try {
      return client.retrying(what, () -> transferOnce(job, blob, key, what));
    } finally {
      current.remove();
    }
  }

  private Outcome transferOnce(ImageCopy job, Descriptor blob, String key, String what) throws IOException {
    ImageReference src = job.src;
    ImageReference dst = job.dst;
    String digest = blob.digest();
    if (client.blobExists(dst, digest, what + ": HEAD at target")) {
      remember(dst, digest);
      job.finish(Outcome.SKIPPED, blob, key, 0);
      return Outcome.SKIPPED;
    }
    HttpUrl session = null;
    String from = mountSource(src, dst, digest);
    if (from != null) {
      session = client.mount(dst, digest, from, what + ": mount from " + from);
      if (session == null) {
        remember(dst, digest);
        job.finish(Outcome.MOUNTED, blob, key, 0);
        return Outcome.MOUNTED;
      }
    }
    if (session == null) {
      session = client.startUpload(dst, what + ": start upload");
    }
    try (Response source = client.openBlob(src, digest, what + ": GET from source")) {
      long length = source.body().contentLength();
      if (blob.size() >= 0 && length >= 0 && length != blob.size()) {
        throw new IOException("the source sent Content-Length " + length + " but the manifest says " + blob.size());
      }
      long size = blob.size() >= 0 ? blob.size() : length;
      if (size < 0) {
        throw RegistryException.fatal(what + ": neither the manifest nor the source tell the blob's size", 0, null);
      }
      BufferedSource in = source.body().source();
      MessageDigest sha = Digests.sha256();
      if (options.chunkSize() > 0 && size > options.chunkSize()) {
        long offset = 0;
        HttpUrl location = session;
        while (offset < size) {
          long n = Math.min(options.chunkSize(), size - offset);
          location = client.patchBlob(dst, location, new StreamingBody(in, n, offset, size, sha, null, job, digest),
              offset, what + ": PATCH bytes " + offset + "-" + (offset + n - 1));
          offset += n;
        }
        verify(sha, digest);
        client.putBlob(dst, location, digest, null, what + ": PUT (close chunked upload)");
      } else {
        client.putBlob(dst, session, digest, new StreamingBody(in, size, 0, size, sha, digest, job, digest),
            what + ": PUT (monolithic upload)");
      }
      remember(dst, digest);
      job.finish(Outcome.COPIED, blob, key, size);
      return Outcome.COPIED;
    }
  }

  /** The source repository when both are on one registry, else a repository of the target we saw holding it. */
  private String mountSource(ImageReference src, ImageReference dst, String digest) {
    if (src.host().equals(dst.host()) && !src.repository().equals(dst.repository())) {
      return src.repository();
    }
    String known = knownLocations.get(dst.registry() + "|" + digest);
    return known != null && !known.equals(dst.repository()) ? known : null;
  }

  private void remember(ImageReference dst, String digest) {
    knownLocations.putIfAbsent(dst.registry() + "|" + digest, dst.repository());
  }

  private void seed(Set<String> alreadyCopiedBlobs) {
    for (String key : alreadyCopiedBlobs) {
      int at = key.lastIndexOf('@');
      int slash = key.indexOf('/');
      if (at > slash && slash > 0) {
        knownLocations.putIfAbsent(key.substring(0, slash) + "|" + key.substring(at + 1), key.substring(slash + 1, at));
      }
    }
  }

  private static void verify(MessageDigest sha, String expected) throws IOException {
    String actual = Digests.format(sha.digest());
    if (!actual.equals(expected)) {
      throw new IOException("the bytes received from the source hash to " + actual + ", not " + expected);
    }
  }

  /**
   * The request body of an upload: {@code length} bytes read from the source response as they are sent, hashed on
   * the way; with {@code expected} set, the hash is checked before the last byte is acknowledged.
   */
  private static final class StreamingBody extends RequestBody {
    private final BufferedSource in;
    private final long length;
    private final long offset;
    private final long total;
    private final MessageDigest sha;
    private final String expected;
    private final ImageCopy job;
    private final String digest;

    StreamingBody(BufferedSource in, long length, long offset, long total, MessageDigest sha, String expected,
        ImageCopy job, String digest) {
      this.in = in;
      this.length = length;
      this.offset = offset;
      this.total = total;
      this.sha = sha;
      this.expected = expected;
      this.job = job;
      this.digest = digest;
    }

    @Override
    public MediaType contentType() {
      return OCTET_STREAM;
    }

    @Override
    public long contentLength() {
      return length;
    }

    @Override
    public boolean isOneShot() {
      return true;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      byte[] buffer = new byte[BUFFER];
      long remaining = length;
      long sinceReport = 0;
      while (remaining > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
        if (n < 0) {
          throw new EOFException("the source ended after " + (offset + length - remaining) + " of " + total + " bytes");
        }
        sha.update(buffer, 0, n);
        sink.write(buffer, 0, n);
        remaining -= n;
        sinceReport += n;
        if (sinceReport >= PROGRESS_EVERY) {
          sinceReport = 0;
          job.emit(new Progress(job.src.toString(), Kind.BLOB_PROGRESS, digest, null, offset + length - remaining,
              job.bytes.get(), job.done(), job.blobsTotal, null));
        }
      }
      if (expected != null) {
        verify(sha, expected);
      }
    }
  }

  /** One image's copy: where from, where to, and its counters. */
  private static final class ImageCopy {
    final ImageReference src;
    final ImageReference dst;
    final Set<String> alreadyCopied;
    final Consumer<Progress> progress;
    final AtomicLong bytes = new AtomicLong();
    final AtomicInteger copied = new AtomicInteger();
    final AtomicInteger skipped = new AtomicInteger();
    final AtomicInteger mounted = new AtomicInteger();
    volatile int blobsTotal;

    ImageCopy(ImageReference src, ImageReference dst, Set<String> alreadyCopied, Consumer<Progress> progress) {
      this.src = src;
      this.dst = dst;
      this.alreadyCopied = alreadyCopied;
      this.progress = progress;
    }

    int done() {
      return copied.get() + skipped.get() + mounted.get();
    }

    void finish(Outcome outcome, Descriptor blob, String key, long size) {
      Kind kind = switch (outcome) {
        case COPIED -> {
          copied.incrementAndGet();
          bytes.addAndGet(size);
          yield Kind.BLOB_COPIED;
        }
        case SKIPPED -> {
          skipped.incrementAndGet();
          yield Kind.BLOB_SKIPPED;
        }
        case MOUNTED -> {
          mounted.incrementAndGet();
          yield Kind.BLOB_MOUNTED;
        }
      };
      emit(new Progress(src.toString(), kind, blob.digest(), key, blob.size(), bytes.get(), done(), blobsTotal, null));
    }

    void emit(Progress p) {
      progress.accept(p);
    }
  }

  private static Consumer<Progress> serialized(Consumer<Progress> progress) {
    Object lock = new Object();
    return p -> {
      synchronized (lock) {
        progress.accept(p);
      }
    };
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
