package io.carbon254.runbook.engine;

import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** An in-memory world for the drill runbook; tests look at it to see what the runbook changed. */
public class DrillWorld implements DrillActivities {

  final Set<String> things = Collections.synchronizedSet(new LinkedHashSet<>());
  final List<String> deleted = Collections.synchronizedList(new ArrayList<>());
  final Set<String> live = Collections.synchronizedSet(new LinkedHashSet<>());
  final Set<String> readyHosts = Collections.synchronizedSet(new LinkedHashSet<>());
  /** Live things that do not answer: the verify-live step fails for them. */
  final Set<String> broken = Collections.synchronizedSet(new LinkedHashSet<>());
  /** Things that exist but were not made by the drill: the plan drifts when a test adds one. */
  final Set<String> extraPlanItems = Collections.synchronizedSet(new LinkedHashSet<>());
  private final Map<String, Integer> failures = new HashMap<>();

  /** The next {@code times} calls touching {@code name} fail for good (non-retryable). */
  synchronized void failNext(String name, int times) {
    failures.put(name, times);
  }

  private synchronized void maybeFail(String name) {
    int left = failures.getOrDefault(name, 0);
    if (left > 0) {
      failures.put(name, left - 1);
      throw ApplicationFailure.newNonRetryableFailure(
          "thing " + name + " cannot be created: the quota is exhausted; raise it and retry", "QuotaExceeded");
    }
  }

  @Override
  public List<PlanItem> planThings(List<String> wanted) {
    maybeFail("plan");
    List<PlanItem> plan = new ArrayList<>();
    for (String name : wanted) {
      plan.add(things.contains(name) ? PlanItem.keep("Thing", name, "exists") : PlanItem.create("Thing", name, "new"));
    }
    extraPlanItems.forEach(extra -> plan.add(PlanItem.delete("Thing", extra, "not wanted")));
    return plan;
  }

  @Override
  public Changed.Result ensureThing(String name) {
    maybeFail(name);
    boolean created = things.add(name);
    return new Changed.Result(created ? Change.CREATED : Change.UNCHANGED, "thing " + name);
  }

  @Override
  public void deleteThing(String name) {
    things.remove(name);
    deleted.add(name);
  }

  @Override
  public Changed.Result goLive(List<String> names) {
    maybeFail("go-live");
    boolean changed = live.addAll(names);
    return new Changed.Result(changed ? Change.UPDATED : Change.UNCHANGED, "live: " + String.join(", ", names));
  }

  @Override
  public Verification verifyHosts(List<String> hostnames) {
    List<String> missing = hostnames.stream().filter(h -> !readyHosts.contains(h)).toList();
    if (hostnames.isEmpty()) {
      return Verification.failed("no hostnames were reported");
    }
    return missing.isEmpty()
        ? Verification.passed(hostnames.size() + " host(s) Ready: " + String.join(", ", hostnames))
        : Verification.failed("not Ready: " + String.join(", ", missing));
  }

  @Override
  public Verification verifyLive(List<String> names) {
    List<String> silent = names.stream().filter(broken::contains).toList();
    return silent.isEmpty() ? Verification.passed("answering: " + String.join(", ", names))
        : Verification.failed("no answer from " + String.join(", ", silent));
  }
}
