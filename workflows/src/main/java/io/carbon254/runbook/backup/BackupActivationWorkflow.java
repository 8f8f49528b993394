package io.carbon254.runbook.backup;

import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * backup-activation: the backup bucket on MinIO, Velero's storage location on it, a restore
 * rehearsal that proves a backup can be restored, then — after a gate — the schedules.
 * Option {@code rehearse=true} repeats a rehearsal that already passed.
 */
@WorkflowInterface
public interface BackupActivationWorkflow extends RunbookWorkflow {

  String RUNBOOK = "backup-activation";

  @WorkflowMethod
  RunbookResult run(RunbookRequest request);
}
