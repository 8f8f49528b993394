package io.carbon254.runbook.activities.registry;

/**
 * What the copier just did, for heartbeats. A caller that wants a restarted worker to resume records the
 * {@link #blobKey()} of every {@code BLOB_COPIED}, {@code BLOB_SKIPPED} and {@code BLOB_MOUNTED} event in its
 * heartbeat details and hands the set back as {@code alreadyCopiedBlobs}.
 *
 * @param image       the source image being copied
 * @param kind        what happened
 * @param digest      the blob or manifest digest (null for {@code RETRY} without one)
 * @param blobKey     {@code <target registry>/<target repository>@<digest>}, the done-set entry (null unless a blob finished)
 * @param bytes       bytes of this blob sent so far ({@code BLOB_PROGRESS}) or its size
 * @param bytesCopied bytes uploaded for this image so far (finished blobs)
 * @param blobsDone   blobs of this image finished (copied, skipped or mounted)
 * @param blobsTotal  blobs of this image
 * @param message     for {@code RETRY}: what failed and how long we wait
 */
public record Progress(String image, Kind kind, String digest, String blobKey, long bytes, long bytesCopied,
    int blobsDone, int blobsTotal, String message) {

  public enum Kind { BLOB_PROGRESS, BLOB_COPIED, BLOB_SKIPPED, BLOB_MOUNTED, MANIFEST_PUSHED, IMAGE_DONE, RETRY }

  /** True when {@link #blobKey()} should go into the persisted done set. */
  public boolean blobDone() {
    return kind == Kind.BLOB_COPIED || kind == Kind.BLOB_SKIPPED || kind == Kind.BLOB_MOUNTED;
  }
}
