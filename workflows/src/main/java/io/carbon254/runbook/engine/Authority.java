package io.carbon254.runbook.engine;

import java.util.List;

/**
 * What a run carries to every activity it schedules (a header): its signed start and the signed
 * approvals of its gates. The worker that runs an activity marked {@link ChangesThePlatform} checks
 * them against its own configuration before the activity does anything, and every activity's
 * configuration arguments against the worker's own configuration of {@code platform}.
 *
 * @param platform the platform's name
 * @param signed whether the platform takes signed decisions only (false: typed names, a sandbox)
 * @param legacy a run started before the worker decided the platform (it carries no signatures)
 * @param namespace the Temporal namespace
 * @param runbook the run's runbook (whose plan gate policy its approvals meet)
 * @param workflowId the run's workflow id
 * @param chainRunId the first run id of the run's chain (resets keep it)
 * @param origin the start its initiator signed: the run's own, or its root run's for a child
 * @param initiator who started the run, as the request says (the signature says who it really was)
 * @param intent the initiator's signature over {@code origin}, or null
 * @param planChanges whether the run's approved plan had changes (then {@code approvals} must hold them)
 * @param approvals the signed approvals the run's gates received (of the plan gate, only those of
 *     the plan that is applied)
 */
public record Authority(String platform, boolean signed, boolean legacy, String namespace, String runbook,
    String workflowId, String chainRunId, RunbookRequest.Origin origin, String initiator, Signature intent, boolean planChanges,
    List<SignedApproval> approvals) {

  /** The header every activity of a run carries. */
  public static final String HEADER = "runbook-authority";

  public Authority {
    approvals = approvals == null ? List.of() : List.copyOf(approvals);
  }

  /** One signed approval of a gate instance, as the run recorded it. */
  public record SignedApproval(String gate, int instance, String shownHash, String actor, String signature,
      String expires) {}
}
