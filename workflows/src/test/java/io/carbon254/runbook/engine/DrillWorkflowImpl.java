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
      rb.declare("create-alpha", "Create thing alpha");
      rb.declare("create-beta", "Create thing beta");
      rb.declare("approve-go-live", "Gate: go live");
      rb.declare("go-live", "Switch traffic to the new things");
      rb.approvePlan(() -> world.planThings(things));
      rb.step("create-alpha", "Create thing alpha")
          .compensateWith(() -> world.deleteThing("alpha"))
          .run(() -> world.ensureThing("alpha"));
      rb.step("create-beta", "Create thing beta")
          .compensateWith(() -> world.deleteThing("beta"))
          .run(() -> world.ensureThing("beta"));
      if (rb.gate("approve-go-live", "Go live with **alpha** and **beta**?").approved()) {
        rb.step("go-live", () -> world.goLive(things));
      }
      if (request.option("manual-task", "false").equals("true")) {
        rb.manualTask("provision-hosts", "Provision the worker hosts",
            List.of("Create 2 VMs", "Install the base image", "Report their hostnames"),
            report -> world.verifyHosts(report.values()));
      }
      rb.output("things", String.join(",", things));
    });
  }
}
