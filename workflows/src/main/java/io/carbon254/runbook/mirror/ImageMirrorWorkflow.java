package io.carbon254.runbook.mirror;

import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * image-mirror: every platform image copied into Harbor exactly (digests, tags, every platform),
 * without a Docker daemon; then — after a gate that shows every change — the workloads switched
 * to the Harbor copies pinned by digest, with Harbor's robot as their pull secret.
 */
@WorkflowInterface
public interface ImageMirrorWorkflow extends RunbookWorkflow {

  String RUNBOOK = "image-mirror";

  @WorkflowMethod
  RunbookResult run(RunbookRequest request);
}
