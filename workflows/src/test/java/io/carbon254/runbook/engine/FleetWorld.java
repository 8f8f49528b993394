package io.carbon254.runbook.engine;

import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** Hosts enrolled in memory; counts how many enrollments run at once. */
public class FleetWorld implements FleetActivities {

  final Set<String> enrolled = Collections.synchronizedSet(new LinkedHashSet<>());
  final List<String> unenrolled = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger running = new AtomicInteger();
  final AtomicInteger mostAtOnce = new AtomicInteger();
  private final Map<String, Integer> failures = new HashMap<>();

  synchronized void failNext(String host, int times) {
    failures.put(host, times);
  }

  private synchronized void maybeFail(String host) {
    int left = failures.getOrDefault(host, 0);
    if (left > 0) {
      failures.put(host, left - 1);
      throw ApplicationFailure.newNonRetryableFailure("host " + host + " refused the enrollment token", "Refused");
    }
  }

  @Override
  public Changed.Result enroll(String host) {
    int now = running.incrementAndGet();
    mostAtOnce.accumulateAndGet(now, Math::max);
    try {
      Thread.sleep(150); // long enough for the pool's other branches to start
      maybeFail(host);
      return new Changed.Result(enrolled.add(host) ? Change.CREATED : Change.UNCHANGED, "host " + host + " enrolled");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted", "Interrupted");
    } finally {
      running.decrementAndGet();
    }
  }

  @Override
  public void unenroll(String host) {
    enrolled.remove(host);
    unenrolled.add(host);
  }
}
