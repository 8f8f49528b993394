package io.carbon254.runbook.engine;

/**
 * Base of every runbook implementation: it answers the shared signals, updates and query
 * through the engine, so a runbook only writes its {@code run} method.
 *
 * <pre>{@code
 * public class BackupActivationWorkflowImpl extends AbstractRunbookWorkflow implements BackupActivationWorkflow {
 *   public BackupActivationWorkflowImpl() { super("backup-activation"); }
 *
 *   public RunbookResult run(RunbookRequest request) {
 *     return runbook.run(request, rb -> {
 *       Step ensureBucket = rb.declare("ensure-bucket", "Ensure bucket 254carbon-backups");
 *       rb.approvePlan(() -> storage.planBucket(...));
 *       ensureBucket.run(() -> storage.ensureBucket(...));
 *       ...
 *     });
 *   }
 * }
 * }</pre>
 */
public abstract class AbstractRunbookWorkflow implements RunbookWorkflow {

  protected final Runbook runbook;

  protected AbstractRunbookWorkflow(String runbookId) {
    this.runbook = new Runbook(runbookId);
  }

  @Override
  public void approve(Decision decision) {
    runbook.onDecisionSignal(decision == null ? null : decision.withVerdict(Verdict.APPROVE));
  }

  @Override
  public void reject(Decision decision) {
    runbook.onDecisionSignal(decision == null ? null : decision.withVerdict(Verdict.REJECT));
  }

  @Override
  public GateView decide(Decision decision) {
    return runbook.onDecisionUpdate(decision);
  }

  @Override
  public void validateDecide(Decision decision) {
    runbook.validateDecision(decision);
  }

  @Override
  public void manualTaskDone(ManualTaskReport report) {
    runbook.onManualTaskDone(report);
  }

  @Override
  public void operatorAction(OperatorAction action) {
    runbook.onOperatorSignal(action);
  }

  @Override
  public StepView operate(OperatorAction action) {
    return runbook.onOperatorUpdate(action);
  }

  @Override
  public void validateOperate(OperatorAction action) {
    runbook.validateOperatorAction(action);
  }

  @Override
  public void childProgress(ChildView progress) {
    runbook.onChildProgress(progress);
  }

  @Override
  public RunbookStatus status() {
    return runbook.status();
  }
}
