package io.carbon254.runbook.engine;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;

/**
 * The handlers every runbook has. Each runbook's {@code @WorkflowInterface} extends this and adds
 * its {@code @WorkflowMethod RunbookResult run(RunbookRequest)}; {@link AbstractRunbookWorkflow}
 * implements all of them through the {@link Runbook} engine.
 *
 * <p>Scripts and the Web UI's "Send signal" use the signals; the CLI uses the updates, whose
 * validators refuse a wrong decision at once with the reason (and a refused update never enters
 * the history).
 */
public interface RunbookWorkflow {

  /** Approves a gate instance. A decision that cannot apply is recorded in status notes and ignored. */
  @SignalMethod
  void approve(Decision decision);

  /** Rejects a gate instance; needs a reason in {@code comment}. */
  @SignalMethod
  void reject(Decision decision);

  /** Approves or rejects a gate instance, answering with the gate as it stands after the decision. */
  @UpdateMethod
  GateView decide(Decision decision);

  @UpdateValidatorMethod(updateName = "decide")
  void validateDecide(Decision decision);

  /** Reports a manual task done; the runbook then verifies it. */
  @SignalMethod
  void manualTaskDone(ManualTaskReport report);

  /** Answers a step that waits for an operator. */
  @SignalMethod
  void operatorAction(OperatorAction action);

  /** Answers a step that waits for an operator, refusing at once an action that cannot apply. */
  @UpdateMethod
  StepView operate(OperatorAction action);

  @UpdateValidatorMethod(updateName = "operate")
  void validateOperate(OperatorAction action);

  /** A child runbook reports its progress to its parent (sent by the engine, not by people). */
  @SignalMethod
  void childProgress(ChildView progress);

  @QueryMethod
  RunbookStatus status();
}
