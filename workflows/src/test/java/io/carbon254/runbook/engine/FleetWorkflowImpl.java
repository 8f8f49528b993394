package io.carbon254.runbook.engine;

import java.util.List;

public class FleetWorkflowImpl extends AbstractRunbookWorkflow implements FleetWorkflow {

  static final RunbookDefinition DRILL = new RunbookDefinition("drill", "DrillWorkflow", DrillWorkflowImpl.class,
      "the engine's drill", List.of("approve-plan", "approve-go-live"));

  private final FleetActivities fleet = runbook.activities(FleetActivities.class, DrillWorkflowImpl.WORLD);

  public FleetWorkflowImpl() {
    super("fleet");
  }

  @Override
  public RunbookResult run(RunbookRequest request) {
    List<String> hosts = java.util.Arrays.stream(request.option("hosts", "h1,h2,h3,h4,h5").split(","))
        .filter(h -> !h.isBlank()).toList();
    int atMost = Integer.parseInt(request.option("at-most", "2"));
    boolean withChild = Boolean.parseBoolean(request.option("child", "true"));
    return runbook.run(request, rb -> {
      Step drill = rb.declare("drill", "The drill, as a child runbook");
      List<StepOutcome<Changed.Result>> enrolled = rb.parallel("enroll", hosts)
          .titled(host -> "Enroll host " + host)
          .atMost(atMost)
          .compensateWith(fleet::unenroll)
          .run(fleet::enroll);
      rb.output("enrolled", enrolled.stream().filter(StepOutcome::isDone).count() + " of " + hosts.size());
      if (withChild) {
        rb.child(drill, DRILL);
      } else {
        drill.alreadyDone("no child asked for");
      }
    });
  }
}
