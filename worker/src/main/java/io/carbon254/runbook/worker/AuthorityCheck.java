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

  /**
   * The activity being checked.
   *
   * @param gate for an activity that changes the platform, the gate whose approval it carries out;
   *     null for one that does not
   */
  record Call(String activityType, String namespace, String workflowId, String runId, String gate,
      Object[] arguments) {
    boolean changesThePlatform() {
      return gate != null;
    }
  }

  /** What the worker decided: refused (why), allowed, or allowed with every write refused (why). */
  record Outcome(String refusal, String readOnly) {
    static final Outcome ALLOWED = new Outcome(null, null);

    static Outcome refused(String why) {
      return new Outcome(why, null);
    }
  }

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

  /** Why {@code call} may not run, or null when it may (perhaps with writes refused: see {@link #decide}). */
  String refusal(Call call, Authority authority, Runs runs) {
    return decide(call, authority, runs).refusal();
  }

  /**
   * Whether {@code call} may run, and whether it may write. The annotation is an allow-list: an
   * activity that is not marked as changing the platform runs with every write refused, so one that
   * writes without saying so is stopped at the write rather than trusted.
   */
  Outcome decide(Call call, Authority authority, Runs runs) {
    Outcome outcome = authorize(call, authority, runs);
    if (outcome.refusal() == null && outcome.readOnly() == null && !call.changesThePlatform()) {
      return new Outcome(null, "activity " + call.activityType() + " is not marked as changing the platform"
          + " (@ChangesThePlatform), so it may only read");
    }
    return outcome;
  }

  private Outcome authorize(Call call, Authority authority, Runs runs) {
    List<Object> configuration = configurationArguments(call.arguments());
    if (authority == null) {
      return call.changesThePlatform() || !configuration.isEmpty()
          ? Outcome.refused("it does not come from a runbook run of this engine (it carries no run authority): start"
              + " runbooks with 'runbook start', whose workflows carry it")
          : Outcome.ALLOWED;
    }
    PlatformConfig platform = platforms.get(authority.platform());
    if (platform == null) {
      return Outcome.refused("this worker does not serve platform '" + authority.platform() + "' (it serves "
          + String.join(", ", platforms.keySet()) + ")");
    }
    if (!call.namespace().equals(authority.namespace()) || !call.workflowId().equals(authority.workflowId())) {
      return Outcome.refused("it carries the authority of another run (" + authority.namespace() + "/"
          + authority.workflowId() + ")");
    }
    Set<Object> own = sections.get(platform.name());
    for (Object argument : configuration) {
      if (!own.contains(argument)) {
        return Outcome.refused("it was given a " + argument.getClass().getSimpleName() + " that is not this worker's"
            + " configuration of " + platform.name() + ": an activity works only with the configuration of the worker"
            + " that runs it");
      }
    }
    if (!call.changesThePlatform() || platform.approvals().identity() == Identity.ASSERTED) {
      return Outcome.ALLOWED;
    }
    String refused = startRefusal(call, authority, platform, runs);
    if (refused != null) {
      return Outcome.refused(refused);
    }
    if (PLAN_GATE.equals(call.gate()) && !authority.planChanges()) {
      return new Outcome(null, "the run's plan had no changes, so nobody approved a change: this activity may only"
          + " find everything in place");
    }
    Identities identities = identities(platform);
    String initiator = identities.signer(authority.initiator(), startMessage(authority), authority.intent().signature())
        .principal();
    String unapproved = approvalRefusal(authority, call.gate(), platform.approvals(), identities, initiator);
    return unapproved == null ? Outcome.ALLOWED : Outcome.refused(unapproved);
  }

  private static Identities identities(PlatformConfig platform) {
    return new Identities(Identities.Mode.SIGNED, AllowedSigners.parse(platform.approvals().signers()), platform.name());
  }

  private static String startMessage(Authority authority) {
    RunbookRequest.Origin origin = authority.origin();
    return SignedMessages.start(authority.namespace(), origin.workflowId(), origin.runbook(), origin.mode().name(),
        origin.options(), authority.initiator(), authority.intent().expires());
  }

  /** Why the run's signed start does not allow it to change the platform, or null. */
  private String startRefusal(Call call, Authority authority, PlatformConfig platform, Runs runs) {
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
    Instant started = runs.chainStarted(origin.workflowId());
    Identities.Verified initiator = identities(platform).verify(authority.initiator(), startMessage(authority),
        authority.intent().signature(), authority.intent().expires(), started.toEpochMilli());
    if (!initiator.ok()) {
      return "its start is not signed by an allowed signer of " + platform.name() + " when it started (" + started
          + "): " + initiator.refusal();
    }
    return null;
  }

  /** Why no instance of {@code gate} holds enough valid approvals by distinct allowed approvers, or null. */
  private static String approvalRefusal(Authority authority, String gate, Approvals approvals, Identities identities,
      String initiator) {
    GatePolicy policy = approvals.policyFor(authority.runbook(), gate);
    Set<String> allowed = approvals.people(policy.approvers());
    Map<Integer, Set<String>> byInstance = new LinkedHashMap<>();
    List<String> refused = new ArrayList<>();
    for (Authority.SignedApproval approval : authority.approvals()) {
      if (!gate.equals(approval.gate())) {
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
    return (PLAN_GATE.equals(gate) ? "its plan is" : "gate " + gate + " is") + " not approved as the worker's policy"
        + " requires: " + required + " signed approval(s) of gate " + gate + " by distinct allowed approvers" + (Boolean.TRUE.equals(policy.forbidInitiator())
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
