package io.carbon254.runbook.mirror;

import io.carbon254.runbook.config.Harbor;
import io.carbon254.runbook.engine.AbstractRunbookWorkflow;
import io.carbon254.runbook.engine.ActivityDefaults;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.Step;
import io.carbon254.runbook.engine.StepOutcome;
import io.carbon254.runbook.engine.Verification;
import io.temporal.failure.ApplicationFailure;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public class ImageMirrorWorkflowImpl extends AbstractRunbookWorkflow implements ImageMirrorWorkflow {

  /** The copy: hours for a large set; a dead worker is noticed by the heartbeat and the retry resumes. */
  static final ActivityOptions COPY = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofHours(3))
      .setHeartbeatTimeout(Duration.ofMinutes(1))
      .setRetryOptions(RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(5))
          .setMaximumInterval(Duration.ofMinutes(2))
          .setMaximumAttempts(5)
          .build())
      .build();

  static final ActivityOptions ROLLOUT = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofMinutes(10))
      .setHeartbeatTimeout(Duration.ofSeconds(30))
      .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(2).build())
      .build();

  private final HarborActivities harbor = runbook.activities(HarborActivities.class, ActivityDefaults.IDEMPOTENT_CALLS);
  private final ImageActivities images = runbook.activities(ImageActivities.class, ActivityDefaults.IDEMPOTENT_CALLS,
      Map.of("mirrorImages", COPY));
  private final WorkloadActivities workloads = runbook.activities(WorkloadActivities.class, ActivityDefaults.IDEMPOTENT_CALLS,
      Map.of("waitForRollout", ROLLOUT));

  public ImageMirrorWorkflowImpl() {
    super(RUNBOOK);
  }

  @Override
  public RunbookResult run(RunbookRequest request) {
    return runbook.run(request, rb -> {
      Harbor h = rb.platform().harbor();
      Step preflightHarbor = rb.declare("preflight-harbor", "Harbor healthy, admin credentials ready");
      Step discoverImages = rb.declare("discover-images", "Images of the configuration and of the platform's workloads");
      Step resolveImages = rb.declare("resolve-images", "Source digests and platforms (read-only)");
      Step ensureProject = rb.declare("ensure-project", "Harbor project " + h.project());
      Step ensureRobot = rb.declare("ensure-robot", "Robot " + h.robot() + " and pull secret " + h.pullSecret());
      Step mirrorImages = rb.declare("mirror-images", "Copy every image into Harbor, digest-preserving");
      Step planSwitch = rb.declare("plan-switch", "Workloads to switch (read-only)");
      Step switchWorkloads = rb.declare("switch-workloads", "Gate: switch the workloads to Harbor");

      HarborPreflight preflight = preflightHarbor.require(() -> harbor.preflight(h));
      if (!preflight.credentialsReady()) {
        Step credentials = rb.declare("harbor-credentials", "Put Harbor's admin credentials where the runbook reads them");
        rb.manualTask(credentials, List.of(
                "Log in to " + h.url() + " as admin (or create a dedicated admin user)",
                "Store the user name in " + h.admin().username().describe(),
                "Store the password in " + h.admin().password().describe(),
                "Report it done; the runbook then logs in to check"),
            report -> harbor.verifyCredentials(h));
      }
      Found<String> discovered = discoverImages.require(
          () -> workloads.discoverImages(rb.platform().images(), rb.platform().namespaces()));
      Found<SourceImage> sources = resolveImages.require(() -> images.resolveImages(h, discovered.items()));

      rb.approvePlan(() -> {
        List<PlanItem> plan = new ArrayList<>(harbor.planHarbor(h));
        plan.addAll(images.planMirror(h, sources.items()));
        return plan;
      });

      ensureProject.run(() -> harbor.ensureProject(h));
      ensureRobot.run(() -> harbor.ensureRobot(h));
      StepOutcome<MirrorReport> mirrored = mirrorImages.run(() -> images.mirrorImages(h, sources.items()));
      if (!(mirrored instanceof StepOutcome.Done<MirrorReport> copied)) {
        rb.output("images", "not mirrored: " + mirrored.describe(""));
        return; // nothing to switch to
      }
      rb.output("images", copied.value().markdown());

      Found<WorkloadSwitch> switches = planSwitch.require(() -> workloads.planSwitch(h, copied.value().images()));
      if (switches.items().isEmpty()) {
        switchWorkloads.alreadyDone("every workload already pulls from Harbor");
        return;
      }
      if (!rb.gate(switchWorkloads, switchPrompt(h, switches.items())).approved()) {
        return;
      }
      List<String> switched = new ArrayList<>();
      for (WorkloadSwitch workload : switches.items()) {
        Step switchOne = rb.declare("switch-" + workload.id().replace("/", "-"), "Switch " + workload.id() + " to Harbor");
        StepOutcome<Changed.Result> rolledOut = switchOne
            .compensateWith(() -> workloads.rollBack(workload))
            .run(() -> {
              Changed.Result patched = workloads.switchWorkload(workload);
              Verification rollout = workloads.waitForRollout(workload);
              if (!rollout.ok()) {
                // A rollout that does not become ready goes back to the old images before anyone is asked.
                workloads.rollBack(workload);
                throw ApplicationFailure.newNonRetryableFailure("verification failed: " + rollout.evidence(),
                    "VerificationFailed");
              }
              return new Changed.Result(patched.change(), rollout.evidence());
            });
        if (rolledOut.isDone()) {
          switched.add(workload.id());
        }
      }
      rb.output("workloads", String.join(", ", switched));
    });
  }

  private static String switchPrompt(Harbor h, List<WorkloadSwitch> switches) {
    StringBuilder md = new StringBuilder("Switch these workloads to the Harbor copies, pinned by digest, with pull secret `")
        .append(h.pullSecret()).append("`?\n\n| workload | container | from | to |\n|---|---|---|---|\n");
    for (WorkloadSwitch w : switches) {
      for (WorkloadSwitch.ContainerImage c : w.containers()) {
        md.append("| ").append(w.id()).append(" | ").append(c.container()).append(c.init() ? " (init)" : "")
            .append(" | ").append(c.from()).append(" | ").append(c.to()).append(" |\n");
      }
    }
    return md.toString();
  }
}
