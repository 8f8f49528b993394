package io.carbon254.runbook.activities.registry;

import io.carbon254.runbook.activities.registry.Manifest.Descriptor;
import io.carbon254.runbook.activities.registry.Progress.Kind;
import io.carbon254.runbook.activities.registry.RegistryClient.ManifestHead;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSink;
import okio.HashingSource;

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
 * {@link CopyOptions#blobParallelism()} across all of them, and the largest waiting blob goes first: on a mirror
 * list, one big layer started last would otherwise be copied alone at the end while every other slot stands idle.
 * Close it to stop its threads.
 */
public final class RegistryCopier implements AutoCloseable {

  private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");
  private static final long PROGRESS_EVERY = 8L << 20;

  enum Outcome { COPIED, SKIPPED, MOUNTED }

  private final RegistryClient client;
  private final CopyOptions options;
  private final ThreadPoolExecutor blobPool;
  private final AtomicLong submitted = new AtomicLong();
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
    this.blobPool = new ThreadPoolExecutor(options.blobParallelism(), options.blobParallelism(), 0, TimeUnit.SECONDS,
        new PriorityBlockingQueue<>(), threads("registry-blob"));
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
    seed(alreadyCopiedBlobs);
    ImageCopy job = new ImageCopy(src, dst, alreadyCopiedBlobs, serialized(progress));
    Plan plan = as(job, () -> plan(job));
    if (plan.unchanged() != null) {
      return plan.unchanged();
    }
    List<CompletableFuture<Outcome>> blobs = startBlobs(job, plan);
    try {
      allOf(blobs).join();
    } catch (CompletionException e) {
      throw mostTelling(job, blobs, e);
    }
    return as(job, () -> pushManifests(job, plan));
  }

  /**
   * What one image needs: nothing ({@code unchanged} set), or these blobs, then these child manifests, then the top
   * one.
   */
  private record Plan(CopyResult unchanged, Manifest top, List<String> platforms, List<Manifest> children,
      Collection<Descriptor> blobs) {}

  private Plan plan(ImageCopy job) {
    ImageReference src = job.src;
    ImageReference dst = job.dst;
    String what = job.what;
    boolean all = options.platform().equals(CopyOptions.ALL_PLATFORMS);
    if (all) {
      Optional<ManifestHead> source = client.headManifest(src, src.reference(), what + ": HEAD source manifest");
      if (source.isPresent()) {
        checkPinned(dst, source.get().digest(), what);
        Optional<CopyResult> unchanged = unchanged(job, source.get().digest(), source.get().mediaType(), List.of(),
            what);
        if (unchanged.isPresent()) {
          return new Plan(finished(job, unchanged.get()), null, List.of(), List.of(), List.of());
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
      Optional<CopyResult> unchanged = unchanged(job, top.digest(), top.mediaType(), platforms, what);
      if (unchanged.isPresent()) {
        return new Plan(finished(job, unchanged.get()), null, List.of(), List.of(), List.of());
      }
    }
    List<Manifest> children = new ArrayList<>();
    Map<String, Descriptor> blobs = new LinkedHashMap<>();
    planChildren(job, top, children, blobs, what);
    job.blobsTotal = blobs.size();
    return new Plan(null, top, List.copyOf(platforms), children, blobs.values());
  }

  private CopyResult pushManifests(ImageCopy job, Plan plan) {
    String what = job.what;
    for (Manifest child : plan.children()) {
      client.putManifest(job.dst, child.digest(), child.bytes(), child.mediaType(), what + ": PUT manifest "
          + child.digest());
      job.emit(new Progress(job.src.toString(), Kind.MANIFEST_PUSHED, child.digest(), null, child.bytes().length,
          job.bytes.get(), job.done(), job.blobsTotal, null));
    }
    Manifest top = plan.top();
    String reference = targetReference(job.src, job.dst, top.digest());
    client.putManifest(job.dst, reference, top.bytes(), top.mediaType(), what + ": PUT manifest " + reference);
    job.emit(new Progress(job.src.toString(), Kind.MANIFEST_PUSHED, top.digest(), null, top.bytes().length,
        job.bytes.get(), job.done(), job.blobsTotal, null));
    return finished(job, new CopyResult(job.src, job.dst.withDigest(top.digest()), top.digest(), top.mediaType(),
        plan.platforms(), job.bytes.get(), job.copied.get(), job.skipped.get(), job.mounted.get(), false,
        job.elapsed()));
  }

  private static CopyResult finished(ImageCopy job, CopyResult result) {
    job.emit(new Progress(job.src.toString(), Kind.IMAGE_DONE, result.digest(), null, result.bytesCopied(),
        job.bytes.get(), job.done(), job.blobsTotal, null));
    return result;
  }

  /** Runs {@code step} with {@code job} as the image retries are reported for. */
  private <T> T as(ImageCopy job, Supplier<T> step) {
    ImageCopy outer = current.get();
    current.set(job);
    try {
      return step.get();
    } finally {
      current.set(outer);
    }
  }

  /** Copies many images, {@code parallelism} at a time; one failing image does not stop the others. */
  public List<CopyOutcome> copyAll(List<ImagePair> pairs, int parallelism) {
    return copyAll(pairs, parallelism, Set.of(), p -> {});
  }

  /**
   * Copies many images. {@code parallelism} images are planned (manifests read) or finished (manifests pushed) at a
   * time; their blobs all join the copier's one queue, largest first. One failing image does not stop the others.
   */
  public List<CopyOutcome> copyAll(List<ImagePair> pairs, int parallelism, Set<String> alreadyCopiedBlobs,
      Consumer<Progress> progress) {
    seed(alreadyCopiedBlobs);
    Consumer<Progress> serialized = serialized(progress);
    ExecutorService images = Executors.newFixedThreadPool(Math.max(1, parallelism), threads("registry-image"));
    try {
      List<CompletableFuture<CopyOutcome>> outcomes = new ArrayList<>();
      for (ImagePair pair : pairs) {
        ImageCopy job = new ImageCopy(pair.source(), pair.target(), alreadyCopiedBlobs, serialized);
        outcomes.add(copyAsync(job, images).handle((result, failure) -> new CopyOutcome(pair, result,
            failure == null ? null : asRegistryException(job, unwrap(failure)))));
      }
      List<CopyOutcome> done = new ArrayList<>();
      for (CompletableFuture<CopyOutcome> outcome : outcomes) {
        done.add(outcome.join());
      }
      return done;
    } finally {
      images.shutdownNow();
    }
  }

  /** Plans on an image thread, waits for the blobs without holding it, pushes the manifests on one again. */
  private CompletableFuture<CopyResult> copyAsync(ImageCopy job, ExecutorService images) {
    return CompletableFuture.supplyAsync(() -> as(job, () -> plan(job)), images).thenCompose(plan -> {
      if (plan.unchanged() != null) {
        return CompletableFuture.completedFuture(plan.unchanged());
      }
      List<CompletableFuture<Outcome>> blobs = startBlobs(job, plan);
      return allOf(blobs)
          .exceptionally(failure -> {
            throw mostTelling(job, blobs, failure);
          })
          .thenApplyAsync(blobsThere -> as(job, () -> pushManifests(job, plan)), images);
    });
  }

  @Override
  public void close() {
    blobPool.shutdownNow();
  }

  // ---------------------------------------------------------------- manifests

  /** When the target already has this digest under the reference we would push: nothing to do. */
  private Optional<CopyResult> unchanged(ImageCopy job, String digest, String mediaType, List<String> platforms,
      String what) {
    String reference = targetReference(job.src, job.dst, digest);
    Optional<ManifestHead> target = client.headManifest(job.dst, reference, what + ": HEAD target manifest");
    if (target.isPresent() && target.get().digest().equals(digest)) {
      return Optional.of(new CopyResult(job.src, job.dst.withDigest(digest), digest,
          mediaType != null ? mediaType : target.get().mediaType(), platforms, 0, 0, 0, 0, true, job.elapsed()));
    }
    return Optional.empty();
  }

  /** Children (depth first, children before parents) not yet at the target, and the blobs they need. */
  private void planChildren(ImageCopy job, Manifest manifest, List<Manifest> children, Map<String, Descriptor> blobs,
      String what) {
    if (manifest.isIndex()) {
      for (Descriptor child : manifest.children()) {
        if (client.headManifest(job.dst, child.digest(), what + ": HEAD target manifest " + child.digest()).isPresent()) {
          continue; // a manifest at the target implies its blobs are there: the registry checked on push
        }
        Manifest m = client.getManifest(job.src, child.digest(), what + ": GET manifest " + child.digest()
            + (child.platform() == null ? "" : " (" + child.platform() + ")"));
        planChildren(job, m, children, blobs, what);
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

  /** Queues every blob of the plan: one future per blob, done when it is at the target. */
  private List<CompletableFuture<Outcome>> startBlobs(ImageCopy job, Plan plan) {
    List<CompletableFuture<Outcome>> futures = new ArrayList<>();
    for (Descriptor blob : plan.blobs()) {
      futures.add(blob(job, blob));
    }
    return futures;
  }

  private static CompletableFuture<Void> allOf(List<CompletableFuture<Outcome>> blobs) {
    return CompletableFuture.allOf(blobs.toArray(CompletableFuture[]::new));
  }

  /** The failure of the blobs that says most: a fatal one over a retryable one. */
  private static RegistryException mostTelling(ImageCopy job, List<CompletableFuture<Outcome>> blobs, Throwable e) {
    RegistryException chosen = null;
    for (CompletableFuture<Outcome> f : blobs) {
      if (f.isCompletedExceptionally()) {
        RegistryException failure = asRegistryException(job, unwrap(f.handle((o, t) -> t).join()));
        if (chosen == null || (chosen.retryable() && !failure.retryable())) {
          chosen = failure;
        }
      }
    }
    return chosen != null ? chosen : asRegistryException(job, unwrap(e));
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static RegistryException asRegistryException(ImageCopy job, Throwable cause) {
    return cause instanceof RegistryException re ? re
        : new RegistryException(job.what + ": " + RegistryClient.describe(cause), 0, null, false, true, null, cause);
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
      return queue(blob.size(), () -> transfer(job, blob, key));
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

  /** Runs {@code work} on the blob pool, before every waiting blob smaller than {@code size}. */
  private CompletableFuture<Outcome> queue(long size, Supplier<Outcome> work) {
    CompletableFuture<Outcome> result = new CompletableFuture<>();
    try {
      blobPool.execute(new QueuedBlob(size, submitted.incrementAndGet(), () -> {
        try {
          result.complete(work.get());
        } catch (Throwable t) {
          result.completeExceptionally(t);
        }
      }));
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new RegistryException("the copier is closed", 0, null, true, true, null, e));
    }
    return result;
  }

  /** A blob transfer waiting for a slot: the largest first (then the oldest), so long copies start early. */
  record QueuedBlob(long size, long order, Runnable work) implements Runnable, Comparable<QueuedBlob> {
    @Override
    public void run() {
      work.run();
    }

    @Override
    public int compareTo(QueuedBlob other) {
      int bySize = Long.compare(other.size, size);
      return bySize != 0 ? bySize : Long.compare(order, other.order);
    }
  }

  private Outcome transfer(ImageCopy job, Descriptor blob, String key) {
    String what = job.what + ": blob " + blob.digest() + " (" + blob.size() + " bytes)";
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
    try (Response source = client.openBlob(src, digest, what + ": GET from source")) {
      long length = source.body().contentLength();
      if (blob.size() >= 0 && length >= 0 && length != blob.size()) {
        throw new IOException("the source sent Content-Length " + length + " but the manifest says " + blob.size());
      }
      long size = blob.size() >= 0 ? blob.size() : length;
      if (size < 0) {
        throw RegistryException.fatal(what + ": neither the manifest nor the source tell the blob's size", 0, null);
      }
      if (session == null) {
        // Opened once the source answers: a source that fails leaves no session behind at the target (a session
        // that received bytes cannot be cancelled on distribution 2.8; the registry purges those after a week).
        session = client.startUpload(dst, what + ": start upload");
      }
      HashingSource in = HashingSource.sha256(source.body().source());
      if (options.chunkSize() > 0 && size > options.chunkSize()) {
        long offset = 0;
        HttpUrl location = session;
        while (offset < size) {
          long n = Math.min(options.chunkSize(), size - offset);
          location = client.patchBlob(dst, location, new StreamingBody(in, n, offset, size, null, job, digest),
              offset, what + ": PATCH bytes " + offset + "-" + (offset + n - 1));
          offset += n;
        }
        verify(in, digest);
        client.putBlob(dst, location, digest, null, what + ": PUT (close chunked upload)");
      } else {
        client.putBlob(dst, session, digest, new StreamingBody(in, size, 0, size, digest, job, digest),
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

  private static void verify(HashingSource received, String expected) throws IOException {
    String actual = "sha256:" + received.hash().hex();
    if (!actual.equals(expected)) {
      throw new IOException("the bytes received from the source hash to " + actual + ", not " + expected);
    }
  }

  /**
   * The request body of an upload: {@code length} bytes of the source response, handed on as they arrive. okio moves
   * its segments from the response's buffer into the request's and the hash is taken in place: no byte is copied
   * by us. With {@code expected} set, the hash is checked before OkHttp finishes the request, so a corrupt body fails
   * the upload (the registry, which hashes what it receives, would refuse it as well).
   */
  private static final class StreamingBody extends RequestBody {
    private final HashingSource in;
    private final long length;
    private final long offset;
    private final long total;
    private final String expected;
    private final ImageCopy job;
    private final String digest;

    StreamingBody(HashingSource in, long length, long offset, long total, String expected, ImageCopy job,
        String digest) {
      this.in = in;
      this.length = length;
      this.offset = offset;
      this.total = total;
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
      Buffer buffer = sink.getBuffer();
      long remaining = length;
      long sinceReport = 0;
      while (remaining > 0) {
        long n = in.read(buffer, remaining);
        if (n < 0) {
          throw new EOFException("the source ended after " + (offset + length - remaining) + " of " + total + " bytes");
        }
        sink.emitCompleteSegments();
        remaining -= n;
        sinceReport += n;
        if (sinceReport >= PROGRESS_EVERY) {
          sinceReport = 0;
          job.emit(new Progress(job.src.toString(), Kind.BLOB_PROGRESS, digest, null, offset + length - remaining,
              job.bytes.get(), job.done(), job.blobsTotal, null));
        }
      }
      if (expected != null) {
        verify(in, expected);
      }
    }
  }

  /** One image's copy: where from, where to, and its counters. */
  private static final class ImageCopy {
    final ImageReference src;
    final ImageReference dst;
    final String what;
    final long started = System.nanoTime();
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
      this.what = "copy " + src + " to " + dst;
      this.alreadyCopied = alreadyCopied;
      this.progress = progress;
    }

    Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - started);
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
