package io.carbon254.runbook.engine;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;
import java.util.List;

public class DrillWorkflowImpl extends AbstractRunbookWorkflow implements DrillWorkflow {

  static final ActivityOptions WORLD = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofSeconds(10))
      .setRetryOptions(RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(1))
          .setMaximumAttempts(2)
          .build())
      .build();

  private final DrillActivities world = runbook.activities(DrillActivities.class, WORLD);

  public DrillWorkflowImpl() {
    super("drill");
  }

  @Override
  public RunbookResult run(RunbookRequest request) {
    List<String> things = List.of("alpha", "beta");
    return runbook.run(request, rb -> {
      Step createAlpha = rb.declare("create-alpha", "Create thing alpha");
      Step createBeta = rb.declare("create-beta", "Create thing beta");
      Step approveGoLive = rb.declare("approve-go-live", "Gate: go live");
      Step goLive = rb.declare("go-live", "Switch traffic to the new things");
      rb.approvePlan(() -> world.planThings(things));
      createAlpha.compensateWith(() -> world.deleteThing("alpha")).run(() -> world.ensureThing("alpha"));
      createBeta.compensateWith(() -> world.deleteThing("beta")).run(() -> world.ensureThing("beta"));
      if (rb.gate(approveGoLive, "Go live with **alpha** and **beta**?").approved()) {
        goLive.run(() -> world.goLive(things));
      }
      if (request.option("verify-live", "false").equals("true")) {
        rb.declare("verify-live", "The live things answer").run(() -> world.verifyLive(things));
      }
      if (request.option("manual-task", "false").equals("true")) {
        rb.manualTask(rb.declare("provision-hosts", "Provision the worker hosts"),
            List.of("Create 2 VMs", "Install the base image", "Report their hostnames"),
            report -> world.verifyHosts(report.values()));
      }
      rb.output("things", String.join(",", things));
    });
  }
}
