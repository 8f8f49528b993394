package io.carbon254.runbook.activities;

import io.temporal.failure.ApplicationFailure;
import java.util.function.Supplier;

/**
 * The last line of the worker's trust boundary, at the point of every write: while an activity runs
 * for a run that has no approval to change anything (its plan had no changes), every write an
 * adapter is about to make — to the Kubernetes API, Harbor, the object store, a registry — is
 * refused here. An honest run with nothing to change never writes, so it never notices; workflow
 * code that claims an empty plan to skip the approvals gets no further than this.
 */
public final class ChangeGuard {

  /** Why writes are refused in this activity's thread, or null when they are allowed (a registry copy, whose threads are its own, is checked before it starts). */
  private static final ThreadLocal<String> FORBIDDEN = new ThreadLocal<>();

  private ChangeGuard() {}

  /** Runs {@code body} with every write refused, because {@code why}. */
  public static <T> T readOnly(String why, Supplier<T> body) {
    String before = FORBIDDEN.get();
    FORBIDDEN.set(why);
    try {
      return body.get();
    } finally {
      if (before == null) {
        FORBIDDEN.remove();
      } else {
        FORBIDDEN.set(before);
      }
    }
  }

  /** Whether writes are refused here. */
  public static boolean readOnly() {
    return FORBIDDEN.get() != null;
  }

  /** Refuses {@code what} (a write: "creating Bucket 254carbon-backups") when writes are refused here. */
  public static void allow(String what) {
    String why = FORBIDDEN.get();
    if (why != null) {
      throw ApplicationFailure.newNonRetryableFailure(what + " refused by this worker: " + why, "ChangeRefused");
    }
  }
}
