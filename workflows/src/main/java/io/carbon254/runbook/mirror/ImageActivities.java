package io.carbon254.runbook.mirror;

import io.carbon254.runbook.config.Harbor;
import io.carbon254.runbook.engine.ChangesThePlatform;
import io.carbon254.runbook.engine.PlanItem;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/** Source registries and Harbor's registry, through the daemon-free, digest-preserving copier. */
@ActivityInterface
public interface ImageActivities {

  /** Each image's digest, media type and platforms at its source, and its Harbor repository. */
  Found<SourceImage> resolveImages(Harbor harbor, List<String> images);

  /** CREATE for images not yet in Harbor at their digest, KEEP for the others. */
  List<PlanItem> planMirror(Harbor harbor, List<SourceImage> images);

  /**
   * Copies every image into Harbor with the robot's credentials, many at a time, heartbeating
   * progress; a retried attempt skips the images and blobs already copied.
   */
  @ChangesThePlatform
  MirrorReport mirrorImages(Harbor harbor, List<SourceImage> images);
}
