package io.carbon254.runbook.worker;

import io.carbon254.runbook.config.Approvals;
import io.carbon254.runbook.config.GatePolicy;
import io.carbon254.runbook.config.Identity;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.Authority;
import io.carbon254.runbook.engine.Mode;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.trust.AllowedSigners;
import io.carbon254.runbook.trust.Identities;
import io.carbon254.runbook.trust.Principals;
import io.carbon254.runbook.trust.SignedMessages;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The worker's own check of an activity before it runs, from what the run carries ({@link
 * Authority}) and the worker's configuration — not from the workflow's word: a hand-started
 * workflow, a workflow driven by another worker or a crafted history gets no further than this.
 *
 * <ul>
 *   <li>Every activity's configuration arguments (a {@code Harbor}, a {@code Backup}...) must be this
 *       worker's configuration of the run's platform: no endpoint or secret reference of the
 *       starter's choosing reaches an adapter.
 *   <li>An activity that changes the platform runs only for a run whose start is signed by an
 *       allowed signer — exactly this run (its chain), in APPLY mode, signed before it started —
 *       and, when the run's plan had changes, whose plan approvals are signed by distinct allowed
 *       approvers for this run as the plan gate's policy requires (count, approvers, four eyes).
 * </ul>
 *
 * Plain computation over the facts the interceptor looks up ({@link Runs}), so each refusal is a
 * unit test.
 */
final class AuthorityCheck {

  /** What the worker looks up about a run on the Temporal service. */
  interface Runs {
    /** The first run id of the chain that run {@code runId} of {@code workflowId} belongs to. */
    String firstRunId(String workflowId, String runId);

    /** When the chain of {@code workflowId}'s latest run started (its first run's start). */
    Instant chainStarted(String workflowId);
  }

  /** The activity being checked. */
  record Call(String activityType, String namespace, String workflowId, String runId, boolean changesThePlatform,
      Object[] arguments) {}

  private final Map<String, PlatformConfig> platforms;
  private final Map<String, Set<Object>> sections = new LinkedHashMap<>();

  AuthorityCheck(List<PlatformConfig> platforms) {
    this.platforms = new LinkedHashMap<>();
    for (PlatformConfig platform : platforms) {
      this.platforms.put(platform.name(), platform);
      Set<Object> reachable = new HashSet<>();
      collect(platform, reachable);
      sections.put(platform.name(), reachable);
    }
  }

  /** Why {@code call} may not run, or null when it may. */
  String refusal(Call call, Authority authority, Runs runs) {
    List<Object> configuration = configurationArguments(call.arguments());
    if (authority == null) {
      return call.changesThePlatform() || !configuration.isEmpty()
          ? "it does not come from a runbook run of this engine (it carries no run authority): start runbooks with"
              + " 'runbook start', whose workflows carry it"
          : null;
    }
    PlatformConfig platform = platforms.get(authority.platform());
    if (platform == null) {
      return "this worker does not serve platform '" + authority.platform() + "' (it serves "
          + String.join(", ", platforms.keySet()) + ")";
    }
    if (!call.namespace().equals(authority.namespace()) || !call.workflowId().equals(authority.workflowId())) {
      return "it carries the authority of another run (" + authority.namespace() + "/" + authority.workflowId() + ")";
    }
    Set<Object> own = sections.get(platform.name());
    for (Object argument : configuration) {
      if (!own.contains(argument)) {
        return "it was given a " + argument.getClass().getSimpleName() + " that is not this worker's configuration of "
            + platform.name() + ": an activity works only with the configuration of the worker that runs it";
      }
    }
    if (!call.changesThePlatform() || platform.approvals().identity() == Identity.ASSERTED) {
      return null;
    }
    return changeRefusal(call, authority, platform, runs);
  }

  private String changeRefusal(Call call, Authority authority, PlatformConfig platform, Runs runs) {
    if (authority.legacy()) {
      return "the run was started before decisions were signed and carries no signed start; start it again with"
          + " 'runbook start'";
    }
    RunbookRequest.Origin origin = authority.origin();
    if (origin == null || authority.intent() == null) {
      return "the run carries no signed start";
    }
    if (origin.mode() != Mode.APPLY) {
      return "the run was started to plan only (mode " + origin.mode() + "): it changes nothing";
    }
    if (!call.workflowId().equals(origin.workflowId()) && !call.workflowId().startsWith(origin.workflowId() + "/")) {
      return "the run carries the signed start of another run (" + origin.workflowId() + ")";
    }
    String chain = runs.firstRunId(call.workflowId(), call.runId());
    if (!chain.equals(authority.chainRunId())) {
      return "the run's approvals name run " + authority.chainRunId() + ", not this run's chain (" + chain + ")";
    }
    Identities identities = new Identities(Identities.Mode.SIGNED,
        AllowedSigners.parse(platform.approvals().signers()), platform.name());
    Instant started = runs.chainStarted(origin.workflowId());
    Identities.Verified initiator = identities.verify(authority.initiator(),
        SignedMessages.start(authority.namespace(), origin.workflowId(), origin.runbook(), origin.mode().name(),
            origin.options(), authority.initiator(), authority.intent().expires()),
        authority.intent().signature(), authority.intent().expires(), started.toEpochMilli());
    if (!initiator.ok()) {
      return "its start is not signed by an allowed signer of " + platform.name() + " when it started (" + started
          + "): " + initiator.refusal();
    }
    return authority.planChanges() ? approvalRefusal(authority, platform.approvals(), identities, initiator.principal())
        : null;
  }

  /** Whether one instance of the plan gate holds enough valid approvals by distinct allowed approvers. */
  private static String approvalRefusal(Authority authority, Approvals approvals, Identities identities,
      String initiator) {
    GatePolicy policy = approvals.policyFor(authority.runbook(), PLAN_GATE);
    Set<String> allowed = approvals.people(policy.approvers());
    Map<Integer, Set<String>> byInstance = new LinkedHashMap<>();
    List<String> refused = new ArrayList<>();
    for (Authority.SignedApproval approval : authority.approvals()) {
      if (!PLAN_GATE.equals(approval.gate())) {
        continue;
      }
      Identities.Verified who = identities.signer(approval.actor(), SignedMessages.decision(authority.namespace(),
          authority.workflowId(), authority.chainRunId(), approval.gate(), approval.instance(), "APPROVE",
          approval.shownHash(), approval.expires()), approval.signature());
      if (!who.ok()) {
        refused.add(who.refusal());
      } else if (!allowed.isEmpty() && !allowed.contains(who.principal())) {
        refused.add(who.principal() + " is not an allowed approver");
      } else if (Boolean.TRUE.equals(policy.forbidInitiator()) && who.principal().equals(Principals.normalize(initiator))) {
        refused.add(who.principal() + " started the run");
      } else {
        byInstance.computeIfAbsent(approval.instance(), i -> new TreeSet<>()).add(who.principal());
      }
    }
    int required = policy.requiredApprovals();
    for (Set<String> approvers : byInstance.values()) {
      if (approvers.size() >= required) {
        return null;
      }
    }
    Set<String> counted = new LinkedHashSet<>();
    byInstance.values().forEach(counted::addAll);
    return "its plan is not approved as the worker's policy requires: " + required + " signed approval(s) of gate "
        + PLAN_GATE + " by distinct allowed approvers" + (Boolean.TRUE.equals(policy.forbidInitiator())
            ? " other than who started it" : "") + "; it carries " + (counted.isEmpty() ? "none" : String.join(", ", counted))
        + (refused.isEmpty() ? "" : " (not counted: " + String.join("; ", refused) + ")");
  }

  private static final String PLAN_GATE = "approve-plan";

  /** The arguments that are configuration (and the configuration inside list arguments). */
  private static List<Object> configurationArguments(Object[] arguments) {
    List<Object> found = new ArrayList<>();
    for (Object argument : arguments == null ? new Object[0] : arguments) {
      if (isConfiguration(argument)) {
        found.add(argument);
      } else if (argument instanceof Collection<?> items) {
        items.stream().filter(AuthorityCheck::isConfiguration).forEach(found::add);
      }
    }
    return found;
  }

  private static boolean isConfiguration(Object value) {
    return value != null && value.getClass().isRecord()
        && value.getClass().getPackageName().equals(PlatformConfig.class.getPackageName());
  }

  /** Every configuration record reachable from {@code value}: the sections an activity may be given. */
  private static void collect(Object value, Set<Object> into) {
    if (value instanceof Collection<?> items) {
      items.forEach(item -> collect(item, into));
    } else if (value instanceof Map<?, ?> map) {
      map.values().forEach(item -> collect(item, into));
    } else if (isConfiguration(value) && into.add(value)) {
      for (var component : value.getClass().getRecordComponents()) {
        try {
          component.getAccessor().setAccessible(true);
          collect(component.getAccessor().invoke(value), into);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("cannot read " + component + " of " + value.getClass().getSimpleName(), e);
        }
      }
    }
  }
}
