package io.carbon254.runbook.engine;

import io.temporal.workflow.Workflow;

/**
 * The one route by which workflow code changes: patching. A change that would make a run already
 * in flight take other steps (another activity, timer, child, signal or search-attribute update,
 * or another order of them) is written as
 *
 * <pre>{@code
 * if (rb.patched("rehearsal-names-in-state")) {
 *   ... the new way ...
 * } else {
 *   ... the old way, exactly as it was ...
 * }
 * }</pre>
 *
 * A run that started before the change replays the old way (its history has no marker for the
 * change); a run started after it records a marker and takes the new way. The old branch is
 * removed only when no run that started before the change can still be open (see
 * docs/architecture.md, "Upgrades"). Change ids are never reused.
 */
public final class Versions {

  private Versions() {}

  /** True when this run takes the new way of {@code changeId}; false when it started before the change. */
  public static boolean patched(String changeId) {
    return Workflow.getVersion(changeId, Workflow.DEFAULT_VERSION, 1) == 1;
  }
}
