package io.carbon254.runbook.mirror;

import io.carbon254.runbook.engine.Change;
import java.util.List;

/** One image of the mirror: where from, where to (pinned by digest), what it took. */
public record MirroredImage(String source, String digest, String target, List<String> platforms, long bytesCopied,
    int blobsCopied, int blobsSkipped, Change change) {}
