package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.AbstractRunbookWorkflow;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.Step;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

public class CrashDrillWorkflowImpl extends AbstractRunbookWorkflow implements CrashDrillWorkflow {

  /** A dead worker is noticed by the missing heartbeat within seconds; the retry goes to a live one. */
  static final ActivityOptions WORK = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofMinutes(2))
      .setHeartbeatTimeout(Duration.ofSeconds(3))
      .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofMillis(500)).setMaximumAttempts(10).build())
      .build();

  private final CrashDrillActivities drill = runbook.activities(CrashDrillActivities.class, WORK);

  public CrashDrillWorkflowImpl() {
    super("crash-drill");
  }

  @Override
  public RunbookResult run(RunbookRequest request) {
    int chunks = Integer.parseInt(request.option("chunks", "20"));
    return runbook.run(request, rb -> {
      Step prepare = rb.declare("prepare", "Prepare the drill");
      Step approveWork = rb.declare("approve-work", "Gate: do the slow work");
      Step slowWork = rb.declare("slow-work", "Do " + chunks + " chunks of slow work");
      prepare.run(drill::prepare);
      if (rb.gate(approveWork, "Do " + chunks + " chunks of slow work?").approved()) {
        slowWork.run(() -> drill.work(chunks));
      }
    });
  }
}
