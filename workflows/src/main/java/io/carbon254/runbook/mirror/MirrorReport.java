package io.carbon254.runbook.mirror;

import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import java.util.List;

/** What the mirror copied; the table of the runbook's result. */
public record MirrorReport(List<MirroredImage> images) implements Changed {

  public MirrorReport {
    images = images == null ? List.of() : List.copyOf(images);
  }

  @Override
  public Change change() {
    return images.stream().anyMatch(i -> i.change() == Change.CREATED) ? Change.CREATED : Change.UNCHANGED;
  }

  @Override
  public String summary() {
    long copied = images.stream().filter(i -> i.change() == Change.CREATED).count();
    long bytes = images.stream().mapToLong(MirroredImage::bytesCopied).sum();
    return images.size() + " images: " + copied + " copied (" + humanBytes(bytes) + "), "
        + (images.size() - copied) + " already in Harbor";
  }

  /** The result table: source, digest, platforms, bytes copied, blobs skipped. */
  public String markdown() {
    StringBuilder md = new StringBuilder("| source | digest | platforms | copied | blobs skipped |\n|---|---|---|---|---|\n");
    for (MirroredImage i : images) {
      md.append("| ").append(i.source()).append(" | ").append(i.digest(), 0, Math.min(19, i.digest().length())).append("… | ")
          .append(String.join(", ", i.platforms())).append(" | ").append(humanBytes(i.bytesCopied())).append(" | ")
          .append(i.blobsSkipped()).append(" |\n");
    }
    return md.toString();
  }

  static String humanBytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
