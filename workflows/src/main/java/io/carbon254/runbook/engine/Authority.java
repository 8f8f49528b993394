package io.carbon254.runbook.engine;

import java.util.List;
import java.util.Map;

/**
 * What a run carries to every activity it schedules (a header): the signed decisions that allow it
 * to change the platform. The worker that runs an activity marked {@link ChangesThePlatform} checks
 * them against its own configuration before it does anything.
 *
 * @param platform the platform's name
 * @param runbook the runbook's id
 * @param workflowId the run's workflow id
 * @param chainRunId the first run id of the run's chain
 * @param namespace the Temporal namespace
 * @param parentWorkflowId the parent run, for a child runbook (its start is the parent's), or null
 * @param initiator who started the run, as typed in the request
 * @param mode PLAN or APPLY
 * @param options the run's options
 * @param intent the initiator's signature over the start, or null
 * @param planChanges whether the run's plan had changes (then {@code approvals} must hold the plan's approvals)
 * @param approvals the signed approvals of the plan gate
 */
public record Authority(String platform, String runbook, String workflowId, String chainRunId, String namespace,
    String parentWorkflowId, String initiator, Mode mode, Map<String, String> options, Signature intent,
    boolean planChanges, List<SignedApproval> approvals) {

  /** The header every activity of a run carries. */
  public static final String HEADER = "runbook-authority";

  /** One signed approval of a gate instance, as recorded. */
  public record SignedApproval(String gate, int instance, String shownHash, String actor, String signature,
      String expires) {}
}
