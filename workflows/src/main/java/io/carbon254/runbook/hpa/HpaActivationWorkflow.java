package io.carbon254.runbook.hpa;

import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * hpa-activation: the metrics API made Available (metrics-server's missing arguments added, where
 * the configuration asks), then the HorizontalPodAutoscalers of the configuration, verified to
 * report current metrics.
 */
@WorkflowInterface
public interface HpaActivationWorkflow extends RunbookWorkflow {

  String RUNBOOK = "hpa-activation";

  @WorkflowMethod
  RunbookResult run(RunbookRequest request);
}
