package io.carbon254.runbook.mirror;

import io.carbon254.runbook.config.Harbor;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.ChangesThePlatform;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.Verification;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/** Harbor's API (v2.0), with the admin credentials of the configuration's secret references. */
@ActivityInterface
public interface HarborActivities {

  /** Health, and whether the admin credentials resolve and are accepted. */
  HarborPreflight preflight(Harbor harbor);

  /** The admin credentials are in place and accepted (verifies the manual task that puts them there). */
  Verification verifyCredentials(Harbor harbor);

  /** The project, the robot account and the pull secrets: CREATE, UPDATE or KEEP. */
  List<PlanItem> planHarbor(Harbor harbor);

  /** The project, private (exact lookup, never the fuzzy one). */
  @ChangesThePlatform
  Changed.Result ensureProject(Harbor harbor);

  /**
   * The robot account with pull and push on the project, and its secret written straight into a
   * {@code kubernetes.io/dockerconfigjson} Secret in every switch namespace; if the robot exists but
   * a Secret is gone, the robot's secret is rotated. The secret never leaves the activity.
   */
  @ChangesThePlatform
  Changed.Result ensureRobot(Harbor harbor);
}
