package io.carbon254.runbook.mirror;

import io.carbon254.runbook.config.Harbor;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.ChangesThePlatform;
import io.carbon254.runbook.engine.Verification;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/** The platform's workloads: the images they use, switching them to Harbor, their rollouts. */
@ActivityInterface
public interface WorkloadActivities {

  /**
   * The configured images plus every image of the Deployments, StatefulSets, DaemonSets and
   * CronJobs (containers and init containers) in the namespaces: normalised, de-duplicated.
   */
  Found<String> discoverImages(List<String> configured, List<String> namespaces);

  /** The workloads of Harbor's switch namespaces that use a mirrored image, old → new pinned by digest. */
  Found<WorkloadSwitch> planSwitch(Harbor harbor, List<MirroredImage> mirrored);

  /** Sets the new images and adds the pull secret; UNCHANGED when already switched. */
  @ChangesThePlatform(gate = "switch-workloads")
  Changed.Result switchWorkload(WorkloadSwitch workload);

  /** Waits (with heartbeats) for the rollout; failed with the reason if it does not become ready. */
  Verification waitForRollout(WorkloadSwitch workload);

  /** Puts the old images back (and keeps the pull secret, which harms nothing). */
  @ChangesThePlatform(gate = "switch-workloads")
  Changed.Result rollBack(WorkloadSwitch workload);
}
