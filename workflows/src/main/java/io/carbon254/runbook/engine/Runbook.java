package io.carbon254.runbook.engine;

import io.carbon254.runbook.config.Approvals;
import io.carbon254.runbook.config.Durations;
import io.carbon254.runbook.config.GatePolicy;
import io.carbon254.runbook.config.Identity;
import io.carbon254.runbook.config.Notifications;
import io.carbon254.runbook.trust.AllowedSigners;
import io.carbon254.runbook.trust.Identities;
import io.carbon254.runbook.trust.Principals;
import io.carbon254.runbook.trust.SignedMessages;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.config.TimeoutOutcome;
import io.carbon254.runbook.engine.OperatorAction.Action;
import io.carbon254.runbook.engine.RunbookResult.Outcome;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.common.RetryOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.ChildWorkflowStub;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowSemaphore;
import io.temporal.workflow.WorkflowLocal;
import io.temporal.workflow.WorkflowThreadLocal;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The runbook engine: steps, plan → approve → apply, gates, manual tasks, operator decisions,
 * child runbooks, parallel steps, compensations and everything the CLI and the Web UI show. One
 * instance lives in each runbook workflow ({@link AbstractRunbookWorkflow#runbook}); the runbook's
 * {@code run} method reads like the operator's checklist and leaves the mechanics here.
 *
 * <p>Its parts: {@link StepTracker} (the checklist), {@link GateBook} (gates and the rules a
 * decision must pass), {@link OperatorDesk} (failed steps waiting for an operator), {@link
 * Compensations} (the saga) and {@link Visibility} (search attributes, details, metrics, the
 * parent's view). This class runs them in workflow time.
 *
 * <p>This is workflow code: it reads time, ids and randomness only through {@code Workflow.*}.
 */
public final class Runbook {

  /**
   * Notifications are best effort: a chat outage must not hold a runbook, nor a worker killed while
   * it sends one (the run waits for the timeout before another worker sends it again; the webhook
   * call itself gives up after 8 s).
   */
  static final ActivityOptions NOTIFY_OPTIONS = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofSeconds(10))
      .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(3).build())
      .build();

  /** Reading the worker's configuration: in-process, quick; a worker that does not serve the platform refuses at once. */
  static final LocalActivityOptions PLATFORM_OPTIONS = LocalActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofSeconds(30))
      .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(3).build())
      .build();

  private static final int MAX_NOTES = 100;
  private static final int MAX_REFUSAL_NOTES = 20;
  private static final Set<Action> ANY_ANSWER = EnumSet.allOf(Action.class);
  private static final Set<Action> RETRY_OR_ABORT = EnumSet.of(Action.RETRY, Action.ABORT);
  private static final Logger log = Workflow.getLogger(Runbook.class);

  private final String runbookId;
  private final StepTracker steps = new StepTracker();
  private final GateBook gates = new GateBook();
  private final OperatorDesk desk = new OperatorDesk();
  private final Compensations compensations = new Compensations();
  private final Visibility visibility;
  private final Map<String, ChildView> children = new LinkedHashMap<>();
  private final Map<String, String> outputs = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();
  private int refusalsNoted;
  private int refusalsUnnoted;
  private final Set<String> notificationProblems = new LinkedHashSet<>();
  private final WorkflowThreadLocal<StepRun> stepOfThisThread = new WorkflowThreadLocal<>();
  /** The signed approvals of the run's gates: what it carries to the activities that change the platform. */
  private final List<Authority.SignedApproval> signedApprovals = new ArrayList<>();
  /** Whether the approved plan had changes (set when the apply starts). */
  private boolean planChanges;

  /** The engine of the workflow running in this thread, for the worker's interceptor. */
  private static final WorkflowLocal<Runbook> CURRENT = WorkflowLocal.withCachedInitial(() -> null);
  private final NotifierActivities notifier;

  private RunbookRequest request;
  private PlatformConfig platform;
  private String platformHash;
  private String workflowId;
  private String parentWorkflowId;
  private RunbookState state = RunbookState.PLANNING;
  private boolean planning;
  private StepRun current;
  private TaskRun openTask;
  private Plan plan;
  private Step planStep;
  private Step planGate;
  private String lastError;
  /** The run works on the worker's configuration (false: it started before, with the starter's copy). */
  private boolean trusted;
  private Identities identities;
  /** Who started the run, as a principal (verified where decisions are signed). */
  private String initiator;
  private String namespace;
  private String chainRunId;

  public Runbook(String runbookId) {
    this.runbookId = Objects.requireNonNull(runbookId);
    this.visibility = new Visibility(runbookId);
    this.notifier = activities(NotifierActivities.class, NOTIFY_OPTIONS);
  }

  // ---------------------------------------------------------------------------------------------
  // Running a runbook
  // ---------------------------------------------------------------------------------------------

  /**
   * Runs the runbook's body and turns its ending into a result: completed, planned (plan-only),
   * rejected, or — after compensations — an aborted or cancelled failure carrying the result so
   * far as details.
   */
  public RunbookResult run(RunbookRequest request, Functions.Proc1<Runbook> body) {
    this.request = Objects.requireNonNull(request, "request");
    this.workflowId = Workflow.getInfo().getWorkflowId();
    this.parentWorkflowId = Workflow.getInfo().getParentWorkflowId().orElse(null);
    CURRENT.set(this);
    loadPlatform();
    establishTrust();
    setState(RunbookState.PLANNING);
    Outcome outcome = Outcome.SUCCEEDED;
    String summary;
    try {
      body.apply(this);
      steps.markNotRun();
      if (request.mode() == Mode.PLAN && !children.isEmpty()) {
        outcome = Outcome.PLANNED;
        summary = "plan-only run: every child runbook planned, nothing applied";
      } else {
        summary = steps.successSummary(runbookId);
      }
    } catch (Stop stop) {
      steps.markNotRun();
      outcome = stop.outcome;
      summary = stop.getMessage();
    } catch (Abort abort) {
      throw fail(Outcome.ABORTED, "RunbookAborted", abort.getMessage());
    } catch (RuntimeException e) {
      if (!CancellationScope.current().isCancelRequested()) {
        throw e;
      }
      throw fail(Outcome.CANCELLED, "RunbookCancelled",
          "cancelled" + (current == null ? "" : " at step " + current.id));
    }
    current = null;
    setState(RunbookState.COMPLETED);
    // Let a decision update that arrived with the last event finish answering its caller.
    Workflow.await(Workflow::isEveryHandlerFinished);
    return result(outcome, summary);
  }

  /** The request this run was started with. */
  public RunbookRequest request() {
    return request;
  }

  /**
   * What the run in this workflow thread carries to its activities: its signed start and the signed
   * approvals of its plan (see {@link ChangesThePlatform}); null outside a runbook or before it started.
   */
  public static Authority currentAuthority() {
    Runbook runbook = CURRENT.get();
    return runbook == null || runbook.identities == null ? null : runbook.authority();
  }

  private Authority authority() {
    RunbookRequest.Origin origin = request.origin() != null ? request.origin()
        : new RunbookRequest.Origin(workflowId, runbookId, request.mode(), request.options());
    return new Authority(platform.name(), identities.mode() == Identities.Mode.SIGNED, !trusted, namespace, runbookId,
        workflowId, chainRunId, origin, request.initiator(), request.intent(), planChanges, List.copyOf(signedApprovals));
  }

  /** The platform as the worker's configuration describes it: what the runbook works on. */
  public PlatformConfig platform() {
    return platform;
  }

  /**
   * The platform comes from the worker's configuration (a local activity, recorded for replay).
   * Runs started before that took the starter's copy from the request, and replay it so.
   */
  private void loadPlatform() {
    if (!Versions.patched("platform-from-the-worker")) {
      platform = request.platform();
      return;
    }
    PlatformActivities platforms = Workflow.newLocalActivityStub(PlatformActivities.class, PLATFORM_OPTIONS);
    try {
      PlatformActivities.LoadedPlatform loaded = platforms.platform(request.platformName());
      platform = loaded.config();
      platformHash = loaded.hash();
    } catch (ActivityFailure failure) {
      throw ApplicationFailure.newNonRetryableFailure("the run cannot start: " + describe(failure), "RunbookRefused");
    }
  }

  /** Records a named result of the run (shown in status and returned in the result). */
  public void output(String name, String value) {
    outputs.put(name, value);
    publish();
  }

  /**
   * Declares a step — once, with its title — and returns its handle. The checklist shows every
   * declared step from the start of the run; declare steps in the order they run.
   */
  public Step declare(String id, String title) {
    // Shown with the next publish (the next step's start): a runbook declares its steps first, and
    // rendering the checklist after each of them would cost the square of its length.
    return new Step(this, steps.declare(id, title));
  }

  /**
   * True when this run takes the new way of a change to workflow code, false when the run started
   * before the change and must replay the old way. See {@link Versions}.
   */
  public boolean patched(String changeId) {
    return Versions.patched(changeId);
  }

  /** A stub for activities of {@code type} with the same options for every method; see below. */
  public <A> A activities(Class<A> type, ActivityOptions options) {
    return activities(type, options, Map.of());
  }

  /**
   * A stub for activities of {@code type}: {@code options} for every method but those named in
   * {@code byMethod} (e.g. a heartbeat timeout for the long waits), and on every call a summary
   * naming the step that makes it (the Web UI's timeline). Create it once, as a field of the runbook.
   */
  public <A> A activities(Class<A> type, ActivityOptions options, Map<String, ActivityOptions> byMethod) {
    Set<String> methods = new LinkedHashSet<>();
    Arrays.stream(type.getMethods()).map(Method::getName).forEach(methods::add);
    for (String name : byMethod.keySet()) {
      if (!methods.contains(name)) {
        throw new IllegalArgumentException(type.getSimpleName() + " has no method '" + name + "' (methods: "
            + String.join(", ", methods) + ")");
      }
    }
    Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "toString" -> type.getSimpleName() + " stub of " + runbookId;
          case "hashCode" -> System.identityHashCode(self);
          default -> self == args[0];
        };
      }
      StepRun step = stepOfThisThread.get() != null ? stepOfThisThread.get() : current;
      String summary = (step == null ? runbookId : step.id) + ": " + method.getName();
      ActivityOptions chosen = byMethod.getOrDefault(method.getName(), options);
      A stub = Workflow.newActivityStub(type, ActivityOptions.newBuilder(chosen).setSummary(summary).build());
      try {
        return method.invoke(stub, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    });
    return type.cast(proxy);
  }

  /**
   * Who may decide, from the worker's configuration: signed decisions by its allowed signers, or —
   * a sandbox — typed names. A run started without a valid signature of its initiator does not
   * start (a child takes its initiator from its parent, which checked it). Runs started before the
   * worker decided the platform keep the typed names they were started with.
   */
  private void establishTrust() {
    namespace = Workflow.getInfo().getNamespace();
    chainRunId = Workflow.getInfo().getFirstExecutionRunId();
    trusted = platformHash != null;
    Approvals approvals = platform.approvals();
    if (!trusted || approvals == null || approvals.identity() == Identity.ASSERTED) {
      identities = new Identities(Identities.Mode.ASSERTED, AllowedSigners.none(), platform.name());
    } else {
      identities = new Identities(Identities.Mode.SIGNED, AllowedSigners.parse(approvals.signers()), platform.name());
    }
    initiator = Principals.normalize(request.initiator());
    if (identities.mode() == Identities.Mode.SIGNED && parentWorkflowId == null) {
      Signature intent = request.intent() == null ? new Signature(null, null) : request.intent();
      Identities.Verified started = identities.verify(request.initiator(), SignedMessages.start(namespace, workflowId,
              runbookId, request.mode().name(), request.options(), request.initiator(), intent.expires()),
          intent.signature(), intent.expires(), Workflow.currentTimeMillis());
      if (!started.ok()) {
        throw ApplicationFailure.newNonRetryableFailure("the run cannot start: its start is not signed by an allowed"
            + " signer of " + platform.name() + ": " + started.refusal(), "RunbookRefused");
      }
      initiator = started.principal();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Steps
  // ---------------------------------------------------------------------------------------------

  <T> T require(Step step, Functions.Func<T> action) {
    StepOutcome<T> outcome = execute(step, action, RETRY_OR_ABORT);
    if (outcome instanceof StepOutcome.Done<T> done) {
      return done.value();
    }
    throw new IllegalStateException("step " + step.id() + " cannot be skipped"); // the operator desk refuses SKIP
  }

  <T> StepOutcome<T> runSkippable(Step step, Functions.Func<T> action) {
    return execute(step, action, ANY_ANSWER);
  }

  void alreadyDone(Step step, String evidence) {
    owned(step);
    finish(step.state, StepState.SUCCEEDED, new Changed.Result(Change.UNCHANGED, evidence));
  }

  /** Records the step as skipped without running it: the runbook decided it does not apply, and says why. */
  void notRun(Step step, String why) {
    owned(step);
    finish(step.state, StepState.SKIPPED, why);
  }

  /**
   * Runs a step's action. If it fails for good (a non-retryable error or retries exhausted) the
   * run waits for an operator: RETRY runs the action again, SKIP (where {@code answers} allow it)
   * comes back as a skipped outcome, ABORT compensates and fails the run.
   */
  private <T> StepOutcome<T> execute(Step handle, Functions.Func<T> action, Set<Action> answers) {
    StepRun step = owned(handle);
    compensations.register(step, handle.compensation);
    while (true) {
      begin(step, StepState.RUNNING);
      try {
        T result = action.apply();
        if (result instanceof Verification v && !v.ok()) {
          throw ApplicationFailure.newNonRetryableFailure("verification failed: " + v.evidence(), "VerificationFailed");
        }
        finish(step, StepState.SUCCEEDED, result);
        return StepOutcome.done(result);
      } catch (TemporalFailure failure) {
        if (isCancellation(failure)) {
          throw failure;
        }
        String noSkip = answers.contains(Action.SKIP) ? null
            : "the rest of the runbook needs what step " + step.id + " produces";
        String error = describe(failure);
        OperatorAction answer = awaitOperator(step, error, answers, noSkip);
        while (answer.action() == Action.SKIP && trusted && isVerificationFailure(failure)
            && !skipApproved(step, error, answer)) {
          answer = awaitOperator(step, error, answers, noSkip);
        }
        if (answer.action() == Action.SKIP) {
          finish(step, StepState.SKIPPED, "skipped by " + answer.actor() + ": " + answer.reason());
          return StepOutcome.skipped(answer.actor(), answer.reason());
        }
        if (answer.action() == Action.ABORT) {
          throw new Abort("aborted by " + answer.actor() + " at step " + step.id + ": " + answer.reason());
        }
      }
    }
  }

  private static boolean isVerificationFailure(TemporalFailure failure) {
    Throwable cause = failure instanceof ActivityFailure af ? af.getCause() : failure;
    return cause instanceof ApplicationFailure app && "VerificationFailed".equals(app.getType());
  }

  /**
   * A failed verification is not skipped on one person's word: skipping it is a gate of its own
   * ({@code skip-<step>}, with the gate policy configured for that id, falling back to the defaults),
   * which the person who asked may not approve.
   */
  private boolean skipApproved(StepRun step, String error, OperatorAction asked) {
    String gateId = "skip-" + step.id;
    StepRun gateStep = steps.has(gateId) ? steps.get(gateId)
        : steps.declare(gateId, "Gate: skip the failed verification " + step.id);
    String prompt = "Skip the failed verification **" + step.id + "**? " + asked.actor() + " asks to skip it: "
        + asked.reason() + "\n\nIt found: " + error + "\n\nApproving records the step as skipped, never as passed.";
    GateResult result = gate(new Step(this, gateStep), prompt, null, asked.actor());
    if (!result.approved()) {
      note("the skip of verification " + step.id + " was not approved (" + describe(result) + "); step " + step.id
          + " waits for an operator again");
    }
    return result.approved();
  }

  private StepRun owned(Step step) {
    if (steps.get(step.id()) != step.state) {
      throw new IllegalArgumentException(step + " belongs to another run");
    }
    return step.state;
  }

  // ---------------------------------------------------------------------------------------------
  // Plan → approve → apply
  // ---------------------------------------------------------------------------------------------

  /**
   * Plans with the read-only {@code planner}, stops here in a plan-only run, otherwise opens the
   * {@code approve-plan} gate showing the plan. Right before returning it plans again: if the
   * platform drifted and the plan changed, the gate re-opens with the new plan. A rejected plan
   * ends the run with outcome REJECTED and nothing applied. A plan without changes needs no
   * approval.
   */
  public Plan approvePlan(Functions.Func<List<PlanItem>> planner) {
    if (planStep == null) {
      // Planning comes first in the checklist, even when the runbook declared its steps before.
      planStep = new Step(this, new StepRun("plan", "Plan the changes (read-only)"));
      planGate = new Step(this, new StepRun("approve-plan", "Approve the plan"));
      steps.declareFirst(List.of(planStep.state, planGate.state));
    }
    Plan proposed = plan(planner);
    if (request.mode() == Mode.PLAN) {
      finish(planGate.state, StepState.SKIPPED, "plan-only run: nothing applied");
      throw new Stop(Outcome.PLANNED,
          "plan-only run: " + proposed.changes().size() + " change(s) planned (hash " + proposed.hash() + "), nothing applied");
    }
    while (true) {
      if (!proposed.hasChanges()) {
        finish(planGate.state, StepState.SKIPPED, "nothing to change: the platform is already as planned");
        return proposed;
      }
      GateResult decision = gate(planGate,
          "Approve the plan of **" + runbookId + "** on **" + platformName() + "**:\n\n" + proposed.markdown(), proposed, null);
      if (!decision.approved()) {
        throw new Stop(Outcome.REJECTED, "plan " + describe(decision) + ": nothing applied");
      }
      Plan recheck = plan(planner);
      if (recheck.hash().equals(proposed.hash())) {
        planChanges = true;
        return proposed;
      }
      // The approvals of a plan that is no longer the platform's authorise nothing.
      signedApprovals.removeIf(approval -> approval.gate().equals(planGate.id()));
      note("the platform changed after plan " + proposed.hash() + " was approved; the new plan is "
          + recheck.hash() + " and needs approval");
      proposed = recheck;
    }
  }

  private Plan plan(Functions.Func<List<PlanItem>> planner) {
    planning = true;
    try {
      Plan computed = planStep.require(() -> Plan.of(planner.apply()));
      this.plan = computed;
      planStep.state.summary = computed.changes().size() + " change(s), plan hash " + computed.hash();
      publish();
      return computed;
    } finally {
      planning = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Gates
  // ---------------------------------------------------------------------------------------------

  /**
   * Opens the gate of step {@code step} (the gate id is the step id) with a Markdown prompt and
   * waits for its decisions under the policy configured for it ({@code approvals} in the platform
   * config): N approvals, allowed approvers, four-eyes, deadline, reminders, on-timeout outcome.
   * Returns how it closed; a rejection or a skipped timeout is for the runbook to honour (typically
   * by skipping the gated steps). One gate is open at a time: a gate in a parallel branch waits for
   * the open one to close.
   */
  public GateResult gate(Step step, String prompt) {
    return gate(step, prompt, null, null);
  }

  private GateResult gate(Step handle, String prompt, Plan shownPlan, String forbidden) {
    StepRun step = owned(handle);
    String gateId = step.id;
    GatePolicy policy = policyFor(gateId);
    while (true) {
      if (gates.openGate() != null) {
        Workflow.await(() -> gates.openGate() == null);
      }
      GateRun gate = open(step, prompt, shownPlan, policy, forbidden);
      waitForDecisions(gate);
      gates.leave(gate);
      visibility.recordGateWait(gate);
      GateResult result = new GateResult(gate.gateId, gate.instance, gate.outcome, List.copyOf(gate.decisions));
      switch (gate.outcome) {
        case APPROVED -> {
          finish(step, StepState.SUCCEEDED, describe(result));
          return result;
        }
        case REJECTED -> {
          finish(step, StepState.SKIPPED, describe(result));
          return result;
        }
        default -> {
          String timeout = "no decision before the deadline (" + policy.deadline() + ")";
          TimeoutOutcome onTimeout = policy.onTimeout() == null ? TimeoutOutcome.FAIL : policy.onTimeout();
          if (onTimeout == TimeoutOutcome.SKIP_STEP) {
            finish(step, StepState.SKIPPED, "timed out: " + timeout + "; skipped as configured");
            return result;
          }
          if (onTimeout == TimeoutOutcome.ABORT) {
            step.lastError = "timed out: " + timeout;
            throw new Abort("gate " + gateId + " #" + gate.instance + " timed out: " + timeout + "; aborted as configured");
          }
          OperatorAction answer = awaitOperator(step, "gate timed out: " + timeout, ANY_ANSWER, null);
          if (answer.action() == Action.SKIP) {
            finish(step, StepState.SKIPPED, "timed out, skipped by " + answer.actor() + ": " + answer.reason());
            return result;
          }
          if (answer.action() == Action.ABORT) {
            throw new Abort("aborted by " + answer.actor() + " at gate " + gateId + ": " + answer.reason());
          }
          // RETRY: the gate opens again as a new instance.
        }
      }
    }
  }

  private GateRun open(StepRun step, String prompt, Plan shownPlan, GatePolicy policy, String forbidden) {
    long now = Workflow.currentTimeMillis();
    Duration deadline = duration(policy.deadline());
    GateRun gate = gates.open(step.id, prompt, policy, allowedPeople(policy.approvers()), shownPlan, now,
        deadline == null ? null : now + deadline.toMillis(), forbidden);
    begin(step, StepState.WAITING);
    setState(RunbookState.AWAITING_APPROVAL);
    notifyPeople(Notification.Kind.GATE_OPENED, "Approval needed: " + gate.label(), gate);
    // Decisions that arrived early for exactly this instance apply now.
    gates.takeEarly(gate.gateId, gate.instance).forEach(d -> applySignal(d, "signal (before the gate opened)"));
    return gate;
  }

  /** The most reminders one gate sends; then it waits without reminding (see {@link #waitForDecisions}). */
  static final int MAX_REMINDERS = 100;

  static final String REMINDERS_CAPPED = "gate-reminders-capped";

  private void waitForDecisions(GateRun gate) {
    Duration remindEvery = duration(gate.policy.reminderEvery());
    long nextReminder = remindEvery == null ? Long.MAX_VALUE : gate.openedAt + remindEvery.toMillis();
    long deadline = gate.deadlineAt == null ? Long.MAX_VALUE : gate.deadlineAt;
    while (gate.isOpen()) {
      long now = Workflow.currentTimeMillis();
      if (now >= deadline) {
        gate.close(GateOutcome.TIMED_OUT, now);
        note("gate " + gate.label() + " timed out without a decision");
        break;
      }
      long wakeAt = Math.min(deadline, nextReminder);
      if (wakeAt == Long.MAX_VALUE) {
        Workflow.await(() -> !gate.isOpen());
        break;
      }
      String why = wakeAt == deadline ? "deadline of gate " + gate.label() : "reminder for gate " + gate.label();
      boolean decided = awaitOrTimer(Duration.ofMillis(wakeAt - now), why, () -> !gate.isOpen());
      if (!decided && Workflow.currentTimeMillis() >= nextReminder && Workflow.currentTimeMillis() < deadline) {
        gate.reminders++;
        nextReminder += remindEvery.toMillis();
        notifyPeople(Notification.Kind.GATE_REMINDER,
            "Reminder #" + gate.reminders + ": approval still needed for " + gate.label(), gate);
        // Each reminder adds a timer (and a notification) to the run's history: a gate that reminds
        // every minute for a month would pass Temporal's 51,200-event limit. After MAX_REMINDERS it
        // waits without reminding. Runs that started before the cap keep reminding as they did.
        if (gate.reminders >= MAX_REMINDERS && Versions.patched(REMINDERS_CAPPED)) {
          nextReminder = Long.MAX_VALUE;
          note("gate " + gate.label() + ": " + MAX_REMINDERS + " reminders sent, no more (so the run's history stays"
              + " bounded); it still waits for a decision" + (deadline == Long.MAX_VALUE ? "" : " until its deadline"));
        }
      }
    }
  }

  /** Waits until {@code condition} holds or {@code timeout} passes on a timer that names its purpose. */
  private static boolean awaitOrTimer(Duration timeout, String summary, Supplier<Boolean> condition) {
    @SuppressWarnings("unchecked")
    Promise<Void>[] timer = new Promise[1];
    CancellationScope scope = Workflow.newCancellationScope(
        () -> timer[0] = Workflow.newTimer(timeout, TimerOptions.newBuilder().setSummary(summary).build()));
    scope.run();
    // A timer cancelled because the condition came first fails with CanceledFailure; it is expected,
    // so it is handled here rather than reported by the SDK as a failure nobody looked at.
    timer[0].exceptionally(cancelled -> null);
    Workflow.await(() -> condition.get() || timer[0].isCompleted());
    if (!timer[0].isCompleted()) {
      scope.cancel();
    }
    return condition.get();
  }

  // Decisions arrive here from the signal and update handlers.

  void onDecisionSignal(Decision decision) {
    if (decision == null || decision.gate() == null) {
      noteRefusal("ignored a decision signal that names no gate");
      publish();
      return;
    }
    if (gates.isEarly(decision)) {
      if (!gates.keepEarly(decision)) {
        noteRefusal("ignored " + verb(decision) + " by " + decision.actor() + " for gate " + decision.gate() + " #"
            + decision.instance() + ": too many decisions are already waiting for their gates");
      } else {
        note("kept " + verb(decision) + " by " + decision.actor() + " for gate " + decision.gate() + " #"
            + decision.instance() + " until that gate opens");
      }
      publish();
      return;
    }
    applySignal(decision, "signal");
  }

  private void applySignal(Decision decision, String via) {
    GateBook.Check check = check(decision);
    if (check.refusal() != null) {
      noteRefusal("ignored " + verb(decision) + " signal from " + decision.actor() + ": " + check.refusal());
      publish();
      return;
    }
    record(decision, check.principal(), via);
  }

  /** The {@code decide} update: checks again (the run may have moved since validation), then applies. */
  GateView onDecisionUpdate(Decision decision) {
    GateBook.Check check = check(decision);
    if (check.refusal() != null) {
      throw ApplicationFailure.newNonRetryableFailure(check.refusal(), "DecisionRefused");
    }
    GateRun gate = gates.openGate();
    record(decision, check.principal(), "update");
    return gate.view();
  }

  /** The {@code decide} update's validator: refuses, with the reason, a decision that cannot apply. */
  void validateDecision(Decision decision) {
    GateBook.Check check = check(decision);
    if (check.refusal() != null) {
      throw new IllegalArgumentException(check.refusal());
    }
  }

  private void record(Decision decision, String principal, String via) {
    long now = Workflow.currentTimeMillis();
    GateRun gate = gates.openGate();
    if (decision.verdict() == Verdict.APPROVE && decision.signature() != null) {
      signedApprovals.add(new Authority.SignedApproval(gate.gateId, gate.instance, gate.shownHash, principal,
          decision.signature(), decision.expires()));
    }
    gate.record(new DecisionRecord(principal, decision.verdict(), decision.comment(), Times.iso(now), via), now);
    publish();
  }

  /**
   * Whether {@code d} can apply now, and who decided it: the principal of its signature, verified
   * against the worker's allowed signers for exactly this run, gate instance, verdict and prompt
   * (or the typed name, where the platform takes those).
   */
  private GateBook.Check check(Decision d) {
    if (platform == null) {
      return GateBook.Check.refused("the run is still starting; try again in a moment");
    }
    long now = Workflow.currentTimeMillis();
    return gates.check(d, gate -> identities.verify(d.actor(), SignedMessages.decision(namespace, workflowId, chainRunId,
        gate.gateId, gate.instance, d.verdict().name(), gate.shownHash, d.expires()), d.signature(), d.expires(), now),
        initiator, now);
  }

  // ---------------------------------------------------------------------------------------------
  // Manual tasks
  // ---------------------------------------------------------------------------------------------

  /**
   * A step a person does: shows the checklist, waits for {@code manualTaskDone}, then runs
   * {@code verify} (an activity that proves the work is done). A failed verification sends the
   * step back to waiting with the reason.
   */
  public ManualTaskReport manualTask(Step handle, List<String> checklist,
      Functions.Func1<ManualTaskReport, Verification> verify) {
    StepRun step = owned(handle);
    TaskRun task = new TaskRun(step.id, step.title, List.copyOf(checklist));
    openTask = task;
    begin(step, StepState.WAITING);
    notifyPeople(Notification.Kind.MANUAL_TASK, "Manual task: " + step.title, null);
    while (true) {
      Workflow.await(() -> task.report != null);
      ManualTaskReport report = task.report;
      task.report = null;
      step.state = StepState.RUNNING;
      publish();
      Verification verification;
      try {
        verification = verify.apply(report);
      } catch (TemporalFailure failure) {
        if (isCancellation(failure)) {
          throw failure;
        }
        verification = Verification.failed("the verification could not run: " + describe(failure));
      }
      if (verification.ok()) {
        openTask = null;
        finish(step, StepState.SUCCEEDED, "done by " + report.actor() + "; verified: " + verification.evidence());
        return report;
      }
      task.lastVerification = "verification failed: " + verification.evidence();
      step.lastError = task.lastVerification;
      step.state = StepState.WAITING;
      note("manual task " + step.id + " reported done by " + report.actor() + " but " + task.lastVerification);
      publish();
      notifyPeople(Notification.Kind.MANUAL_TASK, "Manual task " + step.id + " is not done yet: " + verification.evidence(), null);
    }
  }

  void onManualTaskDone(ManualTaskReport report) {
    if (report == null || openTask == null || !openTask.id.equals(report.task())) {
      noteRefusal("ignored manualTaskDone for '" + (report == null ? null : report.task()) + "': "
          + (openTask == null ? "no manual task is open" : "the open manual task is " + openTask.id));
      publish();
      return;
    }
    Identities.Verified who = platform == null ? Identities.Verified.refused("the run is still starting")
        : identities.verify(report.actor(), SignedMessages.taskDone(namespace, workflowId, chainRunId, report.task(),
            report.values(), report.expires()), report.signature(), report.expires(), Workflow.currentTimeMillis());
    Set<String> operators = operatorsOf(openTask.id);
    String refusal = !who.ok() ? who.refusal()
        : !operators.isEmpty() && !operators.contains(who.principal())
            ? who.principal() + " may not report task " + openTask.id + " done (its operators: " + String.join(", ", operators) + ")"
            : null;
    if (refusal != null) {
      noteRefusal("ignored manualTaskDone for '" + report.task() + "' from " + report.actor() + ": " + refusal);
      publish();
      return;
    }
    openTask.report = new ManualTaskReport(report.task(), who.principal(), report.notes(), report.values());
  }

  // ---------------------------------------------------------------------------------------------
  // Operator decisions on failed steps
  // ---------------------------------------------------------------------------------------------

  private OperatorAction awaitOperator(StepRun step, String error, Set<Action> answers, String noSkip) {
    step.state = StepState.FAILED;
    step.lastError = error;
    lastError = step.id + ": " + error;
    OperatorDesk.Wait wait = desk.open(step.id, error, answers, noSkip, operatorsOf(step.id));
    visibility.countStep(step.id, "FAILED");
    setState(RunbookState.AWAITING_OPERATOR);
    log.warn("step {} failed, waiting for an operator: {}", step.id, error);
    notifyPeople(Notification.Kind.AWAITING_OPERATOR, "Step " + step.id + " failed: " + error, null);
    Workflow.await(() -> wait.answer != null);
    OperatorAction answer = new OperatorAction(step.id, wait.answer.action(), wait.answeredBy, wait.answer.reason());
    desk.close(wait);
    note(answer.actor() + " chose " + answer.action() + " for step " + step.id
        + (isBlank(answer.reason()) ? "" : ": " + answer.reason()));
    setState(desk.isEmpty() ? RunbookState.RUNNING : RunbookState.AWAITING_OPERATOR);
    return answer;
  }

  void onOperatorSignal(OperatorAction action) {
    OperatorDesk.Check check = check(action);
    if (check.refusal() != null) {
      noteRefusal("ignored operatorAction" + (action == null ? "" : " from " + action.actor()) + ": " + check.refusal());
      publish();
      return;
    }
    desk.answer(action, check.principal());
  }

  /** The {@code operate} update: checks again (the run may have moved since validation), then answers. */
  StepView onOperatorUpdate(OperatorAction action) {
    OperatorDesk.Check check = check(action);
    if (check.refusal() != null) {
      throw ApplicationFailure.newNonRetryableFailure(check.refusal(), "OperatorActionRefused");
    }
    return steps.get(desk.answer(action, check.principal()).step).view();
  }

  void validateOperatorAction(OperatorAction action) {
    OperatorDesk.Check check = check(action);
    if (check.refusal() != null) {
      throw new IllegalArgumentException(check.refusal());
    }
  }

  /** Whether an operator's answer can apply, and who gave it (verified like a gate decision). */
  private OperatorDesk.Check check(OperatorAction a) {
    if (platform == null) {
      return OperatorDesk.Check.refused("the run is still starting; try again in a moment");
    }
    long now = Workflow.currentTimeMillis();
    return desk.check(a, wait -> identities.verify(a.actor(), SignedMessages.operatorAction(namespace, workflowId,
        chainRunId, wait.step, a.action().name(), wait.shownHash, a.expires()), a.signature(), a.expires(), now));
  }

  /** Who may answer step {@code stepId} (failed, or a manual task): principals; empty means anyone. */
  private Set<String> operatorsOf(String stepId) {
    Approvals approvals = platform.approvals();
    return !trusted || approvals == null ? Set.of() : allowedPeople(approvals.operators().allowedFor(runbookId, stepId));
  }

  // ---------------------------------------------------------------------------------------------
  // Child runbooks
  // ---------------------------------------------------------------------------------------------

  /**
   * Runs runbook {@code child} as a child workflow ({@code <this run's id>/<child id>}) in step
   * {@code step}, and waits for it. The child gets this run's platform, mode and initiator, the
   * options meant for it ({@code <child>.<name>=<value>}, and those without a prefix); it shows its
   * progress here, and people answer its gates where it runs (the CLI finds them from here). A
   * child that fails waits for its operator in the child; one that is aborted fails this step, which
   * then waits for this run's operator (RETRY starts it again). Cancelling this run cancels the
   * child, which compensates its own work.
   *
   * <p>The step's change is the child's: UNCHANGED when the child changed nothing (a re-run on a
   * finished platform). A child whose plan is rejected ends this run as REJECTED.
   */
  public StepOutcome<RunbookResult> child(Step step, RunbookDefinition child) {
    return child(step, child, child.id());
  }

  /**
   * {@link #child(Step, RunbookDefinition)} under another name, for a runbook a parent runs twice
   * (platform-check before and after): the child's workflow id is {@code <parent>/<name>}.
   */
  public StepOutcome<RunbookResult> child(Step step, RunbookDefinition child, String name) {
    String childId = workflowId + "/" + name;
    StepOutcome<RunbookResult> outcome = step.run(() -> runChild(step, child, childId)).map(ChildResult::result);
    if (outcome instanceof StepOutcome.Done<RunbookResult> done && done.value().outcome() == Outcome.REJECTED) {
      throw new Stop(Outcome.REJECTED, child.id() + ": " + done.value().summary());
    }
    return outcome;
  }

  private ChildResult runChild(Step step, RunbookDefinition child, String childId) {
    children.put(childId, new ChildView(child.id(), childId, step.id(), RunbookState.PLANNING, null, null, null, null,
        null, 0));
    publish();
    ChildWorkflowStub stub = Workflow.newUntypedChildWorkflowStub(child.workflowType(), childOptions(child, childId));
    try {
      RunbookResult result = stub.execute(RunbookResult.class, childRequest(child.id()));
      children.computeIfPresent(childId, (id, view) -> view.ended(result.outcome(), RunbookState.COMPLETED, result.summary()));
      return new ChildResult(result);
    } catch (ChildWorkflowFailure failure) {
      children.computeIfPresent(childId, (id, view) -> view.ended(null, RunbookState.FAILED, describe(failure)));
      throw failure;
    }
  }

  /** A child's result as its parent's step shows it: UNCHANGED when the child changed nothing. */
  private record ChildResult(RunbookResult result) implements Changed {
    @Override
    public Change change() {
      boolean changed = result.steps().stream().anyMatch(s -> s.change() != null && s.change() != Change.UNCHANGED);
      return changed ? Change.UPDATED : Change.UNCHANGED;
    }

    @Override
    public String summary() {
      return result.outcome() + ": " + result.summary();
    }
  }

  private ChildWorkflowOptions childOptions(RunbookDefinition child, String childId) {
    String platform = platformName();
    return ChildWorkflowOptions.newBuilder()
        .setWorkflowId(childId)
        .setTaskQueue(Workflow.getInfo().getTaskQueue())
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
        .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setStaticSummary(child.id() + " on " + platform + ", child of " + workflowId)
        .setTypedSearchAttributes(SearchAttributes.newBuilder()
            .set(RunbookSearchAttributes.RUNBOOK_NAME, child.id())
            .set(RunbookSearchAttributes.PLATFORM, platform)
            .set(RunbookSearchAttributes.RUNBOOK_STATE, RunbookState.PLANNING.name())
            .set(RunbookSearchAttributes.AWAITING_APPROVAL, false)
            .build())
        .build();
  }

  private RunbookRequest childRequest(String childId) {
    Map<String, String> options = new LinkedHashMap<>();
    request.options().forEach((name, value) -> {
      if (!name.contains(".")) {
        options.put(name, value);
      } else if (name.startsWith(childId + ".")) {
        options.put(name.substring(childId.length() + 1), value);
      }
    });
    RunbookRequest.Origin origin = request.origin() != null ? request.origin()
        : new RunbookRequest.Origin(workflowId, runbookId, request.mode(), request.options());
    return new RunbookRequest(platform.name(), request.mode(), request.initiator(), options, request.intent(), null,
        origin);
  }

  /** A child's report of its progress (the {@code childProgress} signal); older reports are ignored. */
  void onChildProgress(ChildView progress) {
    if (progress == null || progress.workflowId() == null) {
      return;
    }
    ChildView known = children.get(progress.workflowId());
    if (known == null || known.outcome() != null || known.state() == RunbookState.FAILED
        || progress.seq() <= known.seq()) {
      return;
    }
    children.put(progress.workflowId(), progress.withStep(known.step()));
    publish();
  }

  // ---------------------------------------------------------------------------------------------
  // Parallel steps
  // ---------------------------------------------------------------------------------------------

  /**
   * Steps over {@code items} that run in parallel, at most a few at a time: {@code
   * rb.parallel("validate-host", hosts).atMost(4).run(host -> probes.validate(host))}. Each item is a
   * step of its own ({@code validate-host/<name>}), declared at once, with its own state, attempts
   * and evidence; a branch that fails waits for an operator while the others go on; ABORT in any
   * branch cancels the others and compensates every branch that ran.
   */
  public <I> Parallel<I> parallel(String groupId, List<I> items) {
    return new Parallel<>(this, groupId, items);
  }

  <I, R> List<StepOutcome<R>> runParallel(List<Step> branches, List<I> items, int atMost,
      Functions.Proc1<I> undo, Functions.Func1<I, R> action) {
    WorkflowSemaphore pool = Workflow.newWorkflowSemaphore(atMost);
    List<Promise<StepOutcome<R>>> running = new ArrayList<>();
    Abort[] aborted = new Abort[1];
    CancellationScope scope = Workflow.newCancellationScope(() -> {
      for (int i = 0; i < items.size(); i++) {
        I item = items.get(i);
        Step step = branches.get(i);
        if (undo != null) {
          step.compensateWith(() -> undo.apply(item));
        }
        Promise<StepOutcome<R>> branch = Async.function(() -> {
          pool.acquire();
          try {
            return step.run(() -> action.apply(item));
          } catch (Abort abort) {
            if (aborted[0] == null) {
              aborted[0] = abort;
            }
            throw abort;
          } finally {
            pool.release();
          }
        });
        branch.exceptionally(failure -> null); // every failure is read below
        running.add(branch);
      }
    });
    scope.run();
    Workflow.await(() -> aborted[0] != null || running.stream().allMatch(Promise::isCompleted));
    if (aborted[0] != null) {
      scope.cancel();
      Workflow.await(() -> running.stream().allMatch(Promise::isCompleted));
      throw aborted[0];
    }
    List<StepOutcome<R>> outcomes = new ArrayList<>();
    running.forEach(branch -> outcomes.add(branch.get()));
    return outcomes;
  }

  List<Step> declareBranches(String groupId, List<String> names, List<String> titles) {
    List<Step> branches = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      branches.add(new Step(this, steps.declare(groupId + "/" + names.get(i), titles.get(i))));
    }
    return branches;
  }

  // ---------------------------------------------------------------------------------------------
  // Compensation and endings
  // ---------------------------------------------------------------------------------------------

  private ApplicationFailure fail(Outcome outcome, String type, String why) {
    // Compensations must run even though the run's own scope may be cancelled.
    Workflow.newDetachedCancellationScope(this::compensate).run();
    String summary = why + compensations.summary();
    note(summary);
    setState(RunbookState.FAILED);
    // A cancelled run still ends as Cancelled in Temporal; its summary stays in the status notes.
    return ApplicationFailure.newNonRetryableFailure(summary, type, result(outcome, summary));
  }

  private void compensate() {
    if (compensations.isEmpty()) {
      return;
    }
    setState(RunbookState.COMPENSATING);
    while (!compensations.isEmpty()) {
      Compensations.Entry c = compensations.next();
      setCurrent(c.step());
      publish();
      try {
        c.undo().apply();
        c.step().state = StepState.COMPENSATED;
        c.step().summary = "compensated";
        c.step().endedAt = Times.iso(Workflow.currentTimeMillis());
        compensations.succeeded(c);
      } catch (TemporalFailure failure) {
        c.step().lastError = "compensation failed: " + describe(failure);
        compensations.failed(c);
        note("compensation of step " + c.step().id + " failed: " + describe(failure) + " — undo it by hand");
      }
      publish();
    }
    current = null;
  }

  private RunbookResult result(Outcome outcome, String summary) {
    return new RunbookResult(runbookId, platformName(), outcome, summary, steps.views(), gates.views(), plan,
        Map.copyOf(outputs), List.copyOf(children.values()), platformHash);
  }

  // ---------------------------------------------------------------------------------------------
  // Status, details, search attributes, notifications
  // ---------------------------------------------------------------------------------------------

  /** The whole picture, for the {@code status} query. */
  public RunbookStatus status() {
    GateRun open = gates.openGate();
    return new RunbookStatus(runbookId, platformName(), workflowId, request == null ? null : request.mode(),
        initiator, shownState(), current == null ? null : current.id, steps.views(),
        gates.views(), plan, open == null ? null : open.view(),
        openTask == null ? null : new ManualTaskView(openTask.id, openTask.title, openTask.checklist, openTask.lastVerification),
        desk.first(), lastError, Map.copyOf(outputs), notesShown(), desk.views(),
        List.copyOf(children.values()), parentWorkflowId, platformHash, namespace, chainRunId,
        identities == null ? null : identities.mode().name());
  }

  /** The run's state, or — while it only waits for a child — what the child waits for. */
  private RunbookState shownState() {
    if (state == RunbookState.RUNNING) {
      for (ChildView child : children.values()) {
        if (child.outcome() == null && (child.state() == RunbookState.AWAITING_APPROVAL
            || child.state() == RunbookState.AWAITING_OPERATOR)) {
          return child.state();
        }
      }
    }
    return state;
  }

  private void setState(RunbookState newState) {
    state = newState;
    publish();
  }

  private void publish() {
    if (platform != null) {
      visibility.publish(status());
    }
  }

  private void notifyPeople(Notification.Kind kind, String title, GateRun gate) {
    Notifications targets = platform.notifications();
    if (targets == null || targets.webhooks().isEmpty()) {
      return;
    }
    String command = switch (kind) {
      case GATE_OPENED, GATE_REMINDER -> Commands.approve(workflowId, gate.gateId);
      case MANUAL_TASK -> openTask == null ? null : Commands.taskDone(workflowId, openTask.id);
      case AWAITING_OPERATOR -> desk.isEmpty() ? null : Commands.decide(workflowId, desk.first(), desk.views().get(0).actions());
    };
    String body = gate != null ? gate.prompt : DetailsRenderer.render(status());
    try {
      NotificationResult sent = notifier.notify(targets, new Notification(kind, runbookId, workflowId, title, body, command));
      for (String problem : sent == null ? List.<String>of() : sent.problems()) {
        if (notificationProblems.add(problem)) {
          note("notifications: " + problem);
        }
      }
    } catch (TemporalFailure failure) {
      if (isCancellation(failure)) {
        throw failure;
      }
      note("notification '" + title + "' could not be sent: " + describe(failure));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Mechanics
  // ---------------------------------------------------------------------------------------------

  private void setCurrent(StepRun step) {
    current = step;
    stepOfThisThread.set(step);
  }

  private void begin(StepRun step, StepState stepState) {
    setCurrent(step);
    step.state = stepState;
    step.attempts++;
    step.startedAt = Times.iso(Workflow.currentTimeMillis());
    step.endedAt = null;
    if (stepState == StepState.RUNNING) {
      state = whileWaiting(planning ? RunbookState.PLANNING : RunbookState.RUNNING);
    }
    publish();
  }

  private void finish(StepRun step, StepState stepState, Object result) {
    step.state = stepState;
    step.endedAt = Times.iso(Workflow.currentTimeMillis());
    step.record(result);
    if (stepState == StepState.SUCCEEDED) {
      step.lastError = null;
    }
    visibility.countStep(step.id, stepState.name());
    if (state != RunbookState.PLANNING) {
      state = whileWaiting(RunbookState.RUNNING);
    }
    publish();
  }

  /** {@code otherwise}, unless a parallel branch waits for a person: then that is the run's state. */
  private RunbookState whileWaiting(RunbookState otherwise) {
    if (!desk.isEmpty()) {
      return RunbookState.AWAITING_OPERATOR;
    }
    return gates.openGate() != null ? RunbookState.AWAITING_APPROVAL : otherwise;
  }

  private GatePolicy policyFor(String gateId) {
    Approvals approvals = platform.approvals();
    return approvals == null ? GatePolicy.BUILT_IN : approvals.policyFor(runbookId, gateId);
  }

  /** The principals of a list of people and {@code group:<name>}s, groups expanded; empty means anyone. */
  private Set<String> allowedPeople(List<String> entries) {
    return platform.approvals().people(entries);
  }

  private void note(String text) {
    notes.add(Times.iso(Workflow.currentTimeMillis()) + " " + text);
    if (notes.size() > MAX_NOTES) {
      notes.remove(0);
    }
  }

  /**
   * Notes a refused signal. Anyone with the frontend can send signals, so refusals are noted up to
   * {@link #MAX_REFUSAL_NOTES} and counted beyond: they never push the run's own audit notes out.
   */
  private void noteRefusal(String text) {
    if (refusalsNoted < MAX_REFUSAL_NOTES) {
      refusalsNoted++;
      note(text);
    } else {
      refusalsUnnoted++;
    }
  }

  private List<String> notesShown() {
    if (refusalsUnnoted == 0) {
      return List.copyOf(notes);
    }
    List<String> shown = new ArrayList<>(notes);
    shown.add(refusalsUnnoted + " more refused signal(s) not noted (the first " + MAX_REFUSAL_NOTES + " are)");
    return List.copyOf(shown);
  }

  private String platformName() {
    return platform == null ? null : platform.name();
  }

  /**
   * This run is being cancelled (and so the failure must end it): a child or an activity cancelled
   * by someone else is a failure like any other, for the operator to answer.
   */
  private static boolean isCancellation(TemporalFailure failure) {
    return CancellationScope.current().isCancelRequested() || failure instanceof CanceledFailure;
  }

  /** An operator-readable account of a failure: which activity or child, what kind, what it said. */
  static String describe(TemporalFailure failure) {
    Throwable cause = failure;
    String where = "";
    if (failure instanceof ActivityFailure af) {
      where = af.getActivityType() + ": ";
      cause = af.getCause();
    } else if (failure instanceof ChildWorkflowFailure cf) {
      where = cf.getWorkflowType() + ": ";
      cause = cf.getCause();
    }
    if (cause instanceof ApplicationFailure app) {
      return where + app.getOriginalMessage() + (app.getType() == null ? "" : " [" + app.getType() + "]");
    }
    if (cause instanceof TimeoutFailure timeout) {
      return where + "timed out (" + timeout.getTimeoutType() + ")";
    }
    if (cause instanceof TemporalFailure tf) {
      return where + tf.getOriginalMessage();
    }
    return where + (cause == null ? failure.getMessage() : cause.getMessage());
  }

  private static String describe(GateResult result) {
    List<String> who = result.decisions().stream()
        .map(d -> d.actor() + (d.comment() == null || d.comment().isBlank() ? "" : " (" + d.comment() + ")"))
        .toList();
    return switch (result.outcome()) {
      case APPROVED -> "approved by " + String.join(", ", who);
      case REJECTED -> "rejected by " + result.decisions().stream()
          .filter(d -> d.verdict() == Verdict.REJECT)
          .map(d -> d.actor() + ": " + d.comment())
          .findFirst().orElse("?");
      case TIMED_OUT -> "timed out without a decision";
      case OPEN -> "open";
    };
  }

  private static Duration duration(String text) {
    return text == null || text.isBlank() ? null : Durations.parse(text);
  }

  private static String verb(Decision d) {
    return d.verdict() == Verdict.REJECT ? "reject" : "approve";
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  // ---------------------------------------------------------------------------------------------
  // Internal state
  // ---------------------------------------------------------------------------------------------

  private static final class TaskRun {
    final String id;
    final String title;
    final List<String> checklist;
    ManualTaskReport report;
    String lastVerification;

    TaskRun(String id, String title, List<String> checklist) {
      this.id = id;
      this.title = title;
      this.checklist = checklist;
    }
  }

  /** Ends the run early without failing it (plan-only, plan rejected). */
  private static final class Stop extends RuntimeException {
    final Outcome outcome;

    Stop(Outcome outcome, String message) {
      super(message, null, false, false);
      this.outcome = outcome;
    }
  }

  /** An operator (or a gate's timeout policy) aborted the run. */
  static final class Abort extends RuntimeException {
    Abort(String message) {
      super(message, null, false, false);
    }
  }
}
