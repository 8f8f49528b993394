package io.carbon254.runbook.activities.registry;

/** A source image and where to copy it. */
public record ImagePair(ImageReference source, ImageReference target) {

  public static ImagePair parse(String source, String target) {
    return new ImagePair(ImageReference.parse(source), ImageReference.parse(target));
  }
}
