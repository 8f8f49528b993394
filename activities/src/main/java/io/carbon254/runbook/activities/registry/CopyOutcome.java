package io.carbon254.runbook.activities.registry;

/** One image of {@link RegistryCopier#copyAll}: the result, or the failure that stopped it. */
public record CopyOutcome(ImagePair pair, CopyResult result, RegistryException failure) {

  public boolean ok() {
    return failure == null;
  }
}
