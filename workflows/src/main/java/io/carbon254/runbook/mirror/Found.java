package io.carbon254.runbook.mirror;

import io.carbon254.runbook.engine.Summarized;
import java.util.List;

/** A step result that is a list of things, with a one-line summary. */
public record Found<T>(List<T> items, String summary) implements Summarized {

  public Found {
    items = items == null ? List.of() : List.copyOf(items);
  }
}
