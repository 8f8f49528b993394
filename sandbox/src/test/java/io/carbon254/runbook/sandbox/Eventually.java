package io.carbon254.runbook.sandbox;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls a condition until it holds or the time is up (tests only). */
final class Eventually {

  private Eventually() {}

  interface Check {
    void run() throws Exception;
  }

  static void until(Duration timeout, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Boolean.TRUE.equals(condition.call())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(50);
    }
  }

  static void untilAsserted(Duration timeout, Check check) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError | Exception e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
