package io.carbon254.runbook.platform;

import io.carbon254.runbook.backup.BackupActivationWorkflow;
import io.carbon254.runbook.engine.AbstractRunbookWorkflow;
import io.carbon254.runbook.engine.ActivityDefaults;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.Step;
import io.carbon254.runbook.hpa.HpaActivationWorkflow;
import io.carbon254.runbook.mirror.ImageMirrorWorkflow;
import io.carbon254.runbook.sso.SsoWorkflow;
import java.util.List;

/**
 * Stand-ins for the platform's children, registered under their workflow types: each plans one
 * change (so its plan gate opens), then completes its check. The children's own tests prove what
 * they do; these prove what the parent does with them.
 */
final class StandInChildren {

  private StandInChildren() {}

  abstract static class StandIn extends AbstractRunbookWorkflow {
    private final StandInTasks tasks = runbook.activities(StandInTasks.class, ActivityDefaults.IDEMPOTENT_CALLS);
    private final String check;

    StandIn(String runbookId, String check) {
      super(runbookId);
      this.check = check;
    }

    RunbookResult runStandIn(RunbookRequest request) {
      return runbook.run(request, rb -> {
        Step apply = rb.declare("apply", "Complete " + check);
        rb.approvePlan(() -> List.of(PlanItem.create("Task", check, "stand-in")));
        apply.run(() -> tasks.complete(check));
      });
    }
  }

  public static class ImageMirror extends StandIn implements ImageMirrorWorkflow {
    public ImageMirror() {
      super(ImageMirrorWorkflow.RUNBOOK, "image-mirroring");
    }

    @Override
    public RunbookResult run(RunbookRequest request) {
      return runStandIn(request);
    }
  }

  public static class BackupActivation extends StandIn implements BackupActivationWorkflow {
    public BackupActivation() {
      super(BackupActivationWorkflow.RUNBOOK, "backups");
    }

    @Override
    public RunbookResult run(RunbookRequest request) {
      return runStandIn(request);
    }
  }

  public static class HpaActivation extends StandIn implements HpaActivationWorkflow {
    public HpaActivation() {
      super(HpaActivationWorkflow.RUNBOOK, "autoscaling");
    }

    @Override
    public RunbookResult run(RunbookRequest request) {
      return runStandIn(request);
    }
  }

  public static class Sso extends StandIn implements SsoWorkflow {
    public Sso() {
      super(SsoWorkflow.RUNBOOK, "sso");
    }

    @Override
    public RunbookResult run(RunbookRequest request) {
      return runStandIn(request);
    }
  }
}
