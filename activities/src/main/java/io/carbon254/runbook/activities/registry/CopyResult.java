package io.carbon254.runbook.activities.registry;

import java.time.Duration;
import java.util.List;

/**
 * One image copied.
 *
 * @param source       what was copied
 * @param target       where it is now, pinned by digest
 * @param digest       the digest of the top manifest (identical at source and target)
 * @param mediaType    its media type
 * @param platforms    {@code os/arch[/variant]} of the index's children that were copied (empty for a single manifest)
 * @param bytesCopied  bytes of blobs uploaded
 * @param blobsCopied  blobs uploaded
 * @param blobsSkipped blobs already at the target (HEAD, the done set, or copied by another image of this run)
 * @param blobsMounted blobs mounted from another repository of the target registry
 * @param unchanged    the target already had this manifest under this reference: nothing was done
 * @param elapsed      wall time
 */
public record CopyResult(ImageReference source, ImageReference target, String digest, String mediaType,
    List<String> platforms, long bytesCopied, int blobsCopied, int blobsSkipped, int blobsMounted, boolean unchanged,
    Duration elapsed) {}
