package io.carbon254.runbook.engine;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** Waits for a condition, with a bound; fails with what was awaited. Never a timing assertion. */
final class Eventually {

  private Eventually() {}

  static <T> T await(String what, Supplier<T> probe, java.util.function.Predicate<T> until) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      last = probe.get();
      if (until.test(last)) {
        return last;
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
    throw new AssertionError("timed out waiting for " + what + "; last seen: " + last);
  }
}
