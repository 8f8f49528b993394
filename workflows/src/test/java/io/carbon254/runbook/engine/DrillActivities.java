package io.carbon254.runbook.engine;

import io.temporal.activity.ActivityInterface;
import java.util.List;

/** The drill's world: a set of named things, plus hosts that a person provisions by hand. */
@ActivityInterface
public interface DrillActivities {

  List<PlanItem> planThings(List<String> wanted);

  Changed.Result ensureThing(String name);

  void deleteThing(String name);

  Changed.Result goLive(List<String> names);

  Verification verifyHosts(List<String> hostnames);

  /** Whether the live things answer (a rehearsal after going live). */
  Verification verifyLive(List<String> names);
}
