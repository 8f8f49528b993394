package io.carbon254.runbook.worker;

import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.engine.Authority;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A workflow an attacker with the Temporal frontend could start on the runbooks' task queue (or
 * drive from a worker of their own): it skips the engine and schedules the backup runbook's
 * activities itself, with the authority header it is given.
 */
@WorkflowInterface
public interface RogueWorkflow {

  /** Waits for {@link #attempt}, then creates the backup bucket on {@code store}; returns "applied" or the refusal. */
  @WorkflowMethod
  String run(Backup.ObjectStore store, String bucket);

  /** What the rogue workflow sends along as the run's authority (none: {@code forged} is null). */
  @SignalMethod
  void attempt(Attempt attempt);

  record Attempt(Authority forged) {}
}
