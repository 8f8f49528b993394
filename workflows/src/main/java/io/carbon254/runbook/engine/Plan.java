package io.carbon254.runbook.engine;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * What a runbook would change, with a stable hash. An approval of the plan gate must carry this
 * hash, so an approver always approves exactly the plan they saw.
 */
public record Plan(List<PlanItem> items, String hash) {

  public Plan {
    items = items == null ? List.of() : List.copyOf(items);
  }

  /** A plan of these items, its hash computed from their canonical lines in order. */
  public static Plan of(List<PlanItem> items) {
    return new Plan(items, hashOf(items));
  }

  /** The items that change something (everything but KEEP). */
  @JsonIgnore
  public List<PlanItem> changes() {
    return items.stream().filter(i -> i.action() != PlanItem.Action.KEEP).toList();
  }

  @JsonIgnore
  public boolean hasChanges() {
    return !changes().isEmpty();
  }

  /** The plan as a Markdown list, for the gate prompt and the Web UI. */
  public String markdown() {
    if (items.isEmpty()) {
      return "_nothing to change_";
    }
    StringBuilder md = new StringBuilder();
    for (PlanItem item : items) {
      md.append("- ").append(item.line()).append('\n');
    }
    return md.append("\nplan hash `").append(hash).append('`').toString();
  }

  static String hashOf(List<PlanItem> items) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (PlanItem item : items) {
        sha.update(item.line().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
      }
      // 16 hex digits: short enough to read aloud, long enough that two plans never collide.
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
