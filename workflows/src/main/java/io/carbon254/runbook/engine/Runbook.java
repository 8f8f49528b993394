package io.carbon254.runbook.engine;

import io.carbon254.runbook.config.Approvals;
import io.carbon254.runbook.config.Durations;
import io.carbon254.runbook.config.GatePolicy;
import io.carbon254.runbook.config.Notifications;
import io.carbon254.runbook.config.TimeoutOutcome;
import io.carbon254.runbook.engine.OperatorAction.Action;
import io.carbon254.runbook.engine.RunbookResult.Outcome;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The runbook engine: steps, plan → approve → apply, gates, manual tasks, operator decisions,
 * compensations and everything the CLI and the Web UI show. One instance lives in each runbook
 * workflow ({@link AbstractRunbookWorkflow#runbook}); the runbook's {@code run} method reads like
 * the operator's checklist and leaves the mechanics here.
 *
 * <p>This is workflow code: it reads time, ids and randomness only through {@code Workflow.*}.
 */
public final class Runbook {

  /** Notifications are best effort: a chat outage must not hold a runbook. */
  static final ActivityOptions NOTIFY_OPTIONS = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofSeconds(30))
      .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(3).build())
      .build();

  private static final int MAX_NOTES = 100;
  private static final Logger log = Workflow.getLogger(Runbook.class);

  private final String runbookId;
  private final Map<String, StepRun> steps = new LinkedHashMap<>();
  private final List<GateRun> gates = new ArrayList<>();
  private final Map<String, Integer> gateOpenings = new HashMap<>();
  private final List<Decision> earlyDecisions = new ArrayList<>();
  private final Deque<Compensation> compensations = new ArrayDeque<>();
  private final Map<String, String> outputs = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();
  private final List<String> compensatedInOrder = new ArrayList<>();
  private final List<String> compensationFailures = new ArrayList<>();
  private final NotifierActivities notifier;

  private RunbookRequest request;
  private String workflowId;
  private RunbookState state = RunbookState.PLANNING;
  private boolean planning;
  private StepRun current;
  private GateRun openGate;
  private TaskRun openTask;
  private StepRun awaitingOperator;
  private OperatorAction operatorAnswer;
  private Plan plan;
  private String lastError;
  private Map<String, Object> published = Map.of();

  public Runbook(String runbookId) {
    this.runbookId = Objects.requireNonNull(runbookId);
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
    setState(RunbookState.PLANNING);
    Outcome outcome = Outcome.SUCCEEDED;
    String summary;
    try {
      body.apply(this);
      markNotRun();
      summary = successSummary();
    } catch (Stop stop) {
      markNotRun();
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

  /** Records a named result of the run (shown in status and returned in the result). */
  public void output(String name, String value) {
    outputs.put(name, value);
    publish();
  }

  /**
   * Declares a step before it runs, so the checklist shows the whole runbook from the start.
   * Declaring is optional: a step that runs undeclared is appended.
   */
  public void declare(String id, String title) {
    stepFor(id, title);
    publish();
  }

  /**
   * Records a declared step as already done without running it: the platform is already as the
   * step would make it (e.g. a restore rehearsal that passed in an earlier run). It shows as
   * UNCHANGED with the evidence.
   */
  public void alreadyDone(String id, String evidence) {
    finish(stepFor(id, null), StepState.SUCCEEDED, new Changed.Result(Change.UNCHANGED, evidence));
  }

  /**
   * A stub for activities of {@code type} whose every call carries a summary naming the current
   * step (shown in the Web UI's timeline). Create it once, as a field of the runbook.
   */
  public <A> A activities(Class<A> type, ActivityOptions options) {
    Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "toString" -> type.getSimpleName() + " stub of " + runbookId;
          case "hashCode" -> System.identityHashCode(self);
          default -> self == args[0];
        };
      }
      String summary = (current == null ? runbookId : current.id) + ": " + method.getName();
      A stub = Workflow.newActivityStub(type, ActivityOptions.newBuilder(options).setSummary(summary).build());
      try {
        return method.invoke(stub, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    });
    return type.cast(proxy);
  }

  // ---------------------------------------------------------------------------------------------
  // Steps
  // ---------------------------------------------------------------------------------------------

  /** Runs a declared step. */
  public <T> T step(String id, Functions.Func<T> action) {
    return step(id, null, action);
  }

  /**
   * Runs step {@code id}. If its action fails for good (a non-retryable error or retries
   * exhausted) the run waits for an operator: RETRY runs the action again, SKIP returns null and
   * goes on, ABORT compensates and fails the run.
   */
  public <T> T step(String id, String title, Functions.Func<T> action) {
    return execute(stepFor(id, title), action);
  }

  /** Runs step {@code id} whose action returns nothing. */
  public void step(String id, String title, Functions.Proc action) {
    execute(stepFor(id, title), () -> {
      action.apply();
      return null;
    });
  }

  /**
   * A step with a compensation: {@code rb.step("create-canary", "Create the canary")
   * .compensateWith(() -> k8s.deleteNamespace(ns)).run(() -> k8s.ensureCanary(ns))}. The
   * compensation is registered before the action runs and undoes it if the run is aborted or
   * cancelled.
   */
  public StepBuilder step(String id, String title) {
    return new StepBuilder(stepFor(id, title));
  }

  /** See {@link Runbook#step(String, String)}. */
  public final class StepBuilder {
    private final StepRun step;
    private Functions.Proc compensation;

    private StepBuilder(StepRun step) {
      this.step = step;
    }

    public StepBuilder compensateWith(Functions.Proc undo) {
      this.compensation = undo;
      return this;
    }

    public <T> T run(Functions.Func<T> action) {
      registerCompensation(step, compensation);
      return execute(step, action);
    }

    public void run(Functions.Proc action) {
      run(() -> {
        action.apply();
        return null;
      });
    }
  }

  private void registerCompensation(StepRun step, Functions.Proc undo) {
    if (undo != null && compensations.stream().noneMatch(c -> c.step() == step)) {
      compensations.push(new Compensation(step, undo));
    }
  }

  private <T> T execute(StepRun step, Functions.Func<T> action) {
    while (true) {
      begin(step, StepState.RUNNING);
      try {
        T result = action.apply();
        if (result instanceof Verification v && !v.ok()) {
          throw ApplicationFailure.newNonRetryableFailure("verification failed: " + v.evidence(), "VerificationFailed");
        }
        finish(step, StepState.SUCCEEDED, result);
        return result;
      } catch (TemporalFailure failure) {
        if (isCancellation(failure)) {
          throw failure;
        }
        OperatorAction answer = awaitOperator(step, describe(failure));
        if (answer.action() == Action.SKIP) {
          finish(step, StepState.SKIPPED, "skipped by " + answer.actor() + ": " + answer.reason());
          return null;
        }
        if (answer.action() == Action.ABORT) {
          throw new Abort("aborted by " + answer.actor() + " at step " + step.id + ": " + answer.reason());
        }
      }
    }
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
    // Planning comes first in the checklist, even when the runbook declared its steps before.
    Map<String, StepRun> declared = new LinkedHashMap<>(steps);
    steps.clear();
    stepFor("plan", "Plan the changes (read-only)");
    StepRun gateStep = stepFor("approve-plan", "Approve the plan");
    declared.forEach(steps::putIfAbsent);
    Plan proposed = plan(planner);
    if (request.mode() == Mode.PLAN) {
      finish(gateStep, StepState.SKIPPED, "plan-only run: nothing applied");
      throw new Stop(Outcome.PLANNED,
          "plan-only run: " + proposed.changes().size() + " change(s) planned (hash " + proposed.hash() + "), nothing applied");
    }
    while (true) {
      if (!proposed.hasChanges()) {
        finish(gateStep, StepState.SKIPPED, "nothing to change: the platform is already as planned");
        return proposed;
      }
      GateResult decision = gate("approve-plan",
          "Approve the plan of **" + runbookId + "** on **" + platformName() + "**:\n\n" + proposed.markdown(), proposed);
      if (!decision.approved()) {
        throw new Stop(Outcome.REJECTED, "plan " + describe(decision) + ": nothing applied");
      }
      Plan recheck = plan(planner);
      if (recheck.hash().equals(proposed.hash())) {
        return proposed;
      }
      note("the platform changed after plan " + proposed.hash() + " was approved; the new plan is "
          + recheck.hash() + " and needs approval");
      proposed = recheck;
    }
  }

  private Plan plan(Functions.Func<List<PlanItem>> planner) {
    planning = true;
    try {
      Plan computed = step("plan", () -> Plan.of(planner.apply()));
      this.plan = computed;
      StepRun step = steps.get("plan");
      step.summary = computed.changes().size() + " change(s), plan hash " + computed.hash();
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
   * Opens gate {@code gateId} with a Markdown prompt and waits for its decisions under the policy
   * configured for it ({@code approvals} in the platform config): N approvals, allowed approvers,
   * four-eyes, deadline, reminders, on-timeout outcome. Returns how it closed; a rejection or a
   * skipped timeout is for the runbook to honour (typically by skipping the gated steps).
   */
  public GateResult gate(String gateId, String prompt) {
    return gate(gateId, prompt, null);
  }

  private GateResult gate(String gateId, String prompt, Plan shownPlan) {
    StepRun step = stepFor(gateId, "Gate: " + firstLine(prompt));
    GatePolicy policy = policyFor(gateId);
    while (true) {
      GateRun gate = open(step, gateId, prompt, shownPlan, policy);
      waitForDecisions(gate);
      openGate = null;
      recordGateWait(gate);
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
          OperatorAction answer = awaitOperator(step, "gate timed out: " + timeout);
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

  private GateRun open(StepRun step, String gateId, String prompt, Plan shownPlan, GatePolicy policy) {
    int instance = gateOpenings.merge(gateId, 1, Integer::sum);
    long now = Workflow.currentTimeMillis();
    Duration deadline = duration(policy.deadline());
    GateRun gate = new GateRun(gateId, instance, prompt, policy, allowedPeople(policy), shownPlan, now,
        deadline == null ? null : now + deadline.toMillis());
    gates.add(gate);
    openGate = gate;
    begin(step, StepState.WAITING);
    setState(RunbookState.AWAITING_APPROVAL);
    notifyPeople(Notification.Kind.GATE_OPENED, "Approval needed: " + gateId + " #" + instance, gate);
    // Decisions that arrived early for exactly this instance apply now.
    List<Decision> early = earlyDecisions.stream()
        .filter(d -> d.gate().equals(gateId) && d.instance() == instance)
        .toList();
    earlyDecisions.removeAll(early);
    early.forEach(d -> applySignal(d, "signal (before the gate opened)"));
    return gate;
  }

  private void waitForDecisions(GateRun gate) {
    Duration remindEvery = duration(gate.policy.reminderEvery());
    long nextReminder = remindEvery == null ? Long.MAX_VALUE : gate.openedAt + remindEvery.toMillis();
    long deadline = gate.deadlineAt == null ? Long.MAX_VALUE : gate.deadlineAt;
    while (gate.outcome == GateOutcome.OPEN) {
      long now = Workflow.currentTimeMillis();
      if (now >= deadline) {
        gate.close(GateOutcome.TIMED_OUT, now);
        note("gate " + gate.label() + " timed out without a decision");
        break;
      }
      long wakeAt = Math.min(deadline, nextReminder);
      if (wakeAt == Long.MAX_VALUE) {
        Workflow.await(() -> gate.outcome != GateOutcome.OPEN);
        break;
      }
      String why = wakeAt == deadline ? "deadline of gate " + gate.label() : "reminder for gate " + gate.label();
      boolean decided = awaitOrTimer(Duration.ofMillis(wakeAt - now), why, () -> gate.outcome != GateOutcome.OPEN);
      if (!decided && Workflow.currentTimeMillis() >= nextReminder && Workflow.currentTimeMillis() < deadline) {
        gate.reminders++;
        nextReminder += remindEvery.toMillis();
        notifyPeople(Notification.Kind.GATE_REMINDER,
            "Reminder #" + gate.reminders + ": approval still needed for " + gate.label(), gate);
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
    Workflow.await(() -> condition.get() || timer[0].isCompleted());
    if (!timer[0].isCompleted()) {
      scope.cancel();
    }
    return condition.get();
  }

  // Decisions arrive here from the signal and update handlers.

  void onDecisionSignal(Decision decision) {
    if (decision == null || decision.gate() == null) {
      note("ignored a decision signal that names no gate");
      return;
    }
    boolean forOpenInstance = openGate != null && openGate.gateId.equals(decision.gate())
        && openGate.instance == decision.instance();
    int opened = gateOpenings.getOrDefault(decision.gate(), 0);
    if (!forOpenInstance && decision.instance() > opened) {
      earlyDecisions.add(decision);
      note("kept " + verb(decision) + " by " + decision.actor() + " for gate " + decision.gate() + " #"
          + decision.instance() + " until that gate opens");
      publish();
      return;
    }
    applySignal(decision, "signal");
  }

  private void applySignal(Decision decision, String via) {
    String refusal = refusal(decision);
    if (refusal != null) {
      note("ignored " + verb(decision) + " signal from " + decision.actor() + ": " + refusal);
      publish();
      return;
    }
    apply(decision, via);
  }

  GateView onDecisionUpdate(Decision decision) {
    apply(decision, "update");
    return view(openGate);
  }

  /** The {@code decide} update's validator: refuses, with the reason, a decision that cannot apply. */
  void validateDecision(Decision decision) {
    String refusal = refusal(decision);
    if (refusal != null) {
      throw new IllegalArgumentException(refusal);
    }
  }

  private void apply(Decision decision, String via) {
    GateRun gate = openGate;
    long now = Workflow.currentTimeMillis();
    gate.decisions.add(new DecisionRecord(decision.actor(), decision.verdict(), decision.comment(), iso(now), via));
    if (decision.verdict() == Verdict.REJECT) {
      gate.close(GateOutcome.REJECTED, now);
    } else if (gate.approvers().size() >= gate.policy.requiredApprovals()) {
      gate.close(GateOutcome.APPROVED, now);
    }
    publish();
  }

  /** Why {@code decision} cannot apply now, or null if it can. */
  private String refusal(Decision d) {
    if (request == null) {
      return "the run is still starting; try again in a moment";
    }
    if (d == null) {
      return "no decision was given";
    }
    if (isBlank(d.actor())) {
      return "the decision does not say who decides (CLI: --as NAME; signal: \"actor\")";
    }
    if (d.verdict() == null) {
      return "the decision has no verdict (APPROVE or REJECT)";
    }
    GateRun gate = openGate;
    String openNow = gate == null || gate.outcome != GateOutcome.OPEN
        ? "no gate is open now"
        : "the open gate is " + gate.label();
    if (isBlank(d.gate())) {
      return "the decision names no gate; " + openNow;
    }
    if (!gateOpenings.containsKey(d.gate())) {
      return "gate '" + d.gate() + "' has not opened in this run; " + openNow;
    }
    if (gate == null || !gate.gateId.equals(d.gate()) || gate.outcome != GateOutcome.OPEN) {
      return "gate '" + d.gate() + "' is closed; " + openNow;
    }
    if (d.instance() != gate.instance) {
      return d.instance() < gate.instance
          ? "gate " + d.gate() + " #" + d.instance() + " is closed; " + openNow
          : "gate " + d.gate() + " #" + d.instance() + " has not opened; " + openNow;
    }
    if (gate.deadlineAt != null && Workflow.currentTimeMillis() >= gate.deadlineAt) {
      return "the deadline of gate " + gate.label() + " has passed";
    }
    if (d.verdict() == Verdict.REJECT && isBlank(d.comment())) {
      return "a rejection needs a reason (CLI: --reason; signal: \"comment\")";
    }
    if (!gate.allowedPeople.isEmpty() && !gate.allowedPeople.contains(d.actor())) {
      return d.actor() + " is not an allowed approver of gate " + gate.label() + " (allowed: "
          + String.join(", ", gate.policy.approvers()) + ")";
    }
    if (d.verdict() == Verdict.APPROVE && Boolean.TRUE.equals(gate.policy.forbidInitiator())
        && d.actor().equals(request.initiator())) {
      return d.actor() + " started this run and may not approve it: gate " + gate.label() + " needs four eyes";
    }
    if (d.verdict() == Verdict.APPROVE && gate.plan != null && !gate.plan.hash().equals(d.planHash())) {
      return "plan hash " + (isBlank(d.planHash()) ? "(none)" : d.planHash()) + " is not the plan shown at gate "
          + gate.label() + " (" + gate.plan.hash() + "); review the current plan with 'runbook status' and approve that";
    }
    if (d.verdict() == Verdict.APPROVE && gate.approvers().contains(d.actor())) {
      return d.actor() + " has already approved gate " + gate.label() + " (" + gate.approvers().size() + " of "
          + gate.policy.requiredApprovals() + " approvals)";
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // Manual tasks
  // ---------------------------------------------------------------------------------------------

  /**
   * A step a person does: shows the checklist, waits for {@code manualTaskDone}, then runs
   * {@code verify} (an activity that proves the work is done). A failed verification sends the
   * step back to waiting with the reason.
   */
  public ManualTaskReport manualTask(String id, String title, List<String> checklist,
      Functions.Func1<ManualTaskReport, Verification> verify) {
    StepRun step = stepFor(id, title);
    TaskRun task = new TaskRun(id, title, List.copyOf(checklist));
    openTask = task;
    begin(step, StepState.WAITING);
    notifyPeople(Notification.Kind.MANUAL_TASK, "Manual task: " + title, null);
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
      note("manual task " + id + " reported done by " + report.actor() + " but " + task.lastVerification);
      publish();
      notifyPeople(Notification.Kind.MANUAL_TASK, "Manual task " + id + " is not done yet: " + verification.evidence(), null);
    }
  }

  void onManualTaskDone(ManualTaskReport report) {
    if (report == null || openTask == null || !openTask.id.equals(report.task())) {
      note("ignored manualTaskDone for '" + (report == null ? null : report.task()) + "': "
          + (openTask == null ? "no manual task is open" : "the open manual task is " + openTask.id));
      publish();
      return;
    }
    openTask.report = report;
  }

  // ---------------------------------------------------------------------------------------------
  // Operator decisions on failed steps
  // ---------------------------------------------------------------------------------------------

  private OperatorAction awaitOperator(StepRun step, String error) {
    step.state = StepState.FAILED;
    step.lastError = error;
    lastError = step.id + ": " + error;
    awaitingOperator = step;
    operatorAnswer = null;
    countStep(step, "FAILED");
    setState(RunbookState.AWAITING_OPERATOR);
    log.warn("step {} failed, waiting for an operator: {}", step.id, error);
    notifyPeople(Notification.Kind.AWAITING_OPERATOR, "Step " + step.id + " failed: " + error, null);
    Workflow.await(() -> operatorAnswer != null);
    OperatorAction answer = operatorAnswer;
    awaitingOperator = null;
    operatorAnswer = null;
    note(answer.actor() + " chose " + answer.action() + " for step " + step.id
        + (isBlank(answer.reason()) ? "" : ": " + answer.reason()));
    setState(RunbookState.RUNNING);
    return answer;
  }

  void onOperatorSignal(OperatorAction action) {
    String refusal = operatorRefusal(action);
    if (refusal != null) {
      note("ignored operatorAction" + (action == null ? "" : " from " + action.actor()) + ": " + refusal);
      publish();
      return;
    }
    operatorAnswer = action;
  }

  StepView onOperatorUpdate(OperatorAction action) {
    StepRun step = awaitingOperator;
    operatorAnswer = action;
    return step.view();
  }

  void validateOperatorAction(OperatorAction action) {
    String refusal = operatorRefusal(action);
    if (refusal != null) {
      throw new IllegalArgumentException(refusal);
    }
  }

  private String operatorRefusal(OperatorAction a) {
    if (a == null || a.action() == null) {
      return "say what to do: RETRY, SKIP or ABORT";
    }
    if (isBlank(a.actor())) {
      return "the action does not say who decides (CLI: --as NAME; signal: \"actor\")";
    }
    if (awaitingOperator == null) {
      return "no step is waiting for an operator";
    }
    if (operatorAnswer != null) {
      return "step " + awaitingOperator.id + " already has an answer (" + operatorAnswer.action() + " by "
          + operatorAnswer.actor() + ")";
    }
    if (!awaitingOperator.id.equals(a.step())) {
      return "step '" + a.step() + "' is not waiting for an operator; step " + awaitingOperator.id + " is";
    }
    if (a.action() != Action.RETRY && isBlank(a.reason())) {
      return a.action() + " needs a reason (CLI: --reason)";
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // Compensation and endings
  // ---------------------------------------------------------------------------------------------

  private ApplicationFailure fail(Outcome outcome, String type, String why) {
    // Compensations must run even though the run's own scope may be cancelled.
    Workflow.newDetachedCancellationScope(this::compensate).run();
    String summary = why + compensationSummary();
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
      Compensation c = compensations.pop();
      current = c.step();
      publish();
      try {
        c.undo().apply();
        c.step().state = StepState.COMPENSATED;
        c.step().summary = "compensated";
        c.step().endedAt = iso(Workflow.currentTimeMillis());
        compensatedInOrder.add(c.step().id);
      } catch (TemporalFailure failure) {
        c.step().lastError = "compensation failed: " + describe(failure);
        compensationFailures.add(c.step().id);
        note("compensation of step " + c.step().id + " failed: " + describe(failure) + " — undo it by hand");
      }
      publish();
    }
    current = null;
  }

  private String compensationSummary() {
    return (compensatedInOrder.isEmpty() ? "" : ". Compensated, in this order: " + String.join(", ", compensatedInOrder))
        + (compensationFailures.isEmpty() ? ""
            : ". Compensation FAILED for: " + String.join(", ", compensationFailures) + " (undo by hand)");
  }

  /** Steps the run never reached (a rejected gate, a plan-only run) are shown as skipped. */
  private void markNotRun() {
    for (StepRun step : steps.values()) {
      if (step.state == StepState.PENDING) {
        step.state = StepState.SKIPPED;
        step.summary = "not run";
      }
    }
  }

  private String successSummary() {
    long changed = steps.values().stream()
        .filter(s -> s.change != null && s.change != Change.UNCHANGED)
        .count();
    long unchanged = steps.values().stream().filter(s -> s.change == Change.UNCHANGED).count();
    long skipped = steps.values().stream().filter(s -> s.state == StepState.SKIPPED).count();
    return runbookId + " completed: " + changed + " step(s) changed, " + unchanged + " unchanged, " + skipped + " skipped";
  }

  private RunbookResult result(Outcome outcome, String summary) {
    return new RunbookResult(runbookId, platformName(), outcome, summary, stepViews(),
        gates.stream().map(this::view).toList(), plan, Map.copyOf(outputs));
  }

  // ---------------------------------------------------------------------------------------------
  // Status, details, search attributes, notifications
  // ---------------------------------------------------------------------------------------------

  /** The whole picture, for the {@code status} query. */
  public RunbookStatus status() {
    return new RunbookStatus(runbookId, platformName(), workflowId, request == null ? null : request.mode(),
        request == null ? null : request.initiator(), state, current == null ? null : current.id, stepViews(),
        gates.stream().map(this::view).toList(), plan,
        openGate == null || openGate.outcome != GateOutcome.OPEN ? null : view(openGate),
        openTask == null ? null : new ManualTaskView(openTask.id, openTask.title, openTask.checklist, openTask.lastVerification),
        awaitingOperator == null ? null : awaitingOperator.id, lastError, Map.copyOf(outputs), List.copyOf(notes));
  }

  private void setState(RunbookState newState) {
    state = newState;
    publish();
  }

  /** Keeps search attributes and the Web UI's current details in step with the state. */
  private void publish() {
    if (request == null) {
      return;
    }
    Map<String, Object> now = new LinkedHashMap<>();
    now.put(RunbookSearchAttributes.RUNBOOK_NAME.getName(), runbookId);
    now.put(RunbookSearchAttributes.PLATFORM.getName(), platformName());
    now.put(RunbookSearchAttributes.RUNBOOK_STATE.getName(), state.name());
    now.put(RunbookSearchAttributes.RUNBOOK_STEP.getName(), current == null ? "" : current.id);
    now.put(RunbookSearchAttributes.AWAITING_APPROVAL.getName(), state == RunbookState.AWAITING_APPROVAL);
    if (!now.equals(published)) {
      List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
      now.forEach((name, value) -> {
        if (!value.equals(published.get(name))) {
          updates.add(update(name, value));
        }
      });
      Workflow.upsertTypedSearchAttributes(updates.toArray(new SearchAttributeUpdate<?>[0]));
      published = now;
    }
    Workflow.setCurrentDetails(DetailsRenderer.render(status()));
  }

  private static SearchAttributeUpdate<?> update(String name, Object value) {
    if (value instanceof Boolean b) {
      return SearchAttributeUpdate.valueSet(RunbookSearchAttributes.AWAITING_APPROVAL, b);
    }
    return switch (name) {
      case "RunbookName" -> SearchAttributeUpdate.valueSet(RunbookSearchAttributes.RUNBOOK_NAME, (String) value);
      case "Platform" -> SearchAttributeUpdate.valueSet(RunbookSearchAttributes.PLATFORM, (String) value);
      case "RunbookState" -> SearchAttributeUpdate.valueSet(RunbookSearchAttributes.RUNBOOK_STATE, (String) value);
      default -> SearchAttributeUpdate.valueSet(RunbookSearchAttributes.RUNBOOK_STEP, (String) value);
    };
  }

  private void notifyPeople(Notification.Kind kind, String title, GateRun gate) {
    Notifications targets = request.platform().notifications();
    if (targets == null || targets.webhooks().isEmpty()) {
      return;
    }
    String command = switch (kind) {
      case GATE_OPENED, GATE_REMINDER -> Commands.approve(workflowId, gate.gateId);
      case MANUAL_TASK -> openTask == null ? null : Commands.taskDone(workflowId, openTask.id);
      case AWAITING_OPERATOR -> awaitingOperator == null ? null : Commands.decide(workflowId, awaitingOperator.id);
    };
    String body = gate != null ? gate.prompt : DetailsRenderer.render(status());
    try {
      notifier.notify(targets, new Notification(kind, runbookId, workflowId, title, body, command));
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

  private StepRun stepFor(String id, String title) {
    StepRun step = steps.get(id);
    if (step == null) {
      step = new StepRun(id, title == null ? id : title);
      steps.put(id, step);
    } else if (title != null && step.title.equals(step.id)) {
      step.title = title;
    }
    return step;
  }

  private void begin(StepRun step, StepState stepState) {
    current = step;
    step.state = stepState;
    step.attempts++;
    step.startedAt = iso(Workflow.currentTimeMillis());
    step.endedAt = null;
    if (stepState == StepState.RUNNING) {
      state = planning ? RunbookState.PLANNING : RunbookState.RUNNING;
    }
    publish();
  }

  private void finish(StepRun step, StepState stepState, Object result) {
    step.state = stepState;
    step.endedAt = iso(Workflow.currentTimeMillis());
    if (result instanceof Changed changed) {
      step.change = changed.change();
      step.summary = changed.summary();
    } else if (result instanceof Summarized summarized) {
      step.summary = summarized.summary();
    } else if (result instanceof Verification v) {
      step.summary = v.evidence();
    } else if (result instanceof String text) {
      step.summary = text;
    }
    if (stepState == StepState.SUCCEEDED) {
      step.lastError = null;
    }
    countStep(step, stepState.name());
    if (state != RunbookState.PLANNING) {
      state = RunbookState.RUNNING;
    }
    publish();
  }

  private void countStep(StepRun step, String outcome) {
    Workflow.getMetricsScope()
        .tagged(Map.of("runbook", runbookId, "step", step.id, "outcome", outcome))
        .counter("runbook_steps_total")
        .inc(1);
  }

  private void recordGateWait(GateRun gate) {
    Workflow.getMetricsScope()
        .tagged(Map.of("runbook", runbookId, "gate", gate.gateId, "outcome", gate.outcome.name()))
        .timer("runbook_gate_wait")
        .record(com.uber.m3.util.Duration.ofMillis(gate.closedAt - gate.openedAt));
  }

  private GatePolicy policyFor(String gateId) {
    Approvals approvals = request.platform().approvals();
    return approvals == null ? GatePolicy.BUILT_IN : approvals.policyFor(runbookId, gateId);
  }

  /** The people allowed by a policy, groups expanded; empty means anyone. */
  private Set<String> allowedPeople(GatePolicy policy) {
    Set<String> people = new LinkedHashSet<>();
    Approvals approvals = request.platform().approvals();
    for (String entry : policy.approvers() == null ? List.<String>of() : policy.approvers()) {
      if (entry.startsWith("group:")) {
        people.addAll(approvals.groups().getOrDefault(entry.substring("group:".length()), List.of()));
      } else {
        people.add(entry);
      }
    }
    return people;
  }

  private List<StepView> stepViews() {
    return steps.values().stream().map(StepRun::view).toList();
  }

  private GateView view(GateRun g) {
    return new GateView(g.gateId, g.instance, g.outcome, g.prompt, g.policy.requiredApprovals(),
        g.policy.approvers() == null ? List.of() : List.copyOf(g.policy.approvers()),
        Boolean.TRUE.equals(g.policy.forbidInitiator()), List.copyOf(g.decisions),
        g.plan == null ? null : g.plan.hash(), iso(g.openedAt), g.deadlineAt == null ? null : iso(g.deadlineAt),
        g.closedAt == null ? null : iso(g.closedAt));
  }

  private void note(String text) {
    notes.add(iso(Workflow.currentTimeMillis()) + " " + text);
    if (notes.size() > MAX_NOTES) {
      notes.remove(0);
    }
  }

  private String platformName() {
    return request == null || request.platform() == null ? null : request.platform().name();
  }

  private static boolean isCancellation(TemporalFailure failure) {
    return failure instanceof CanceledFailure
        || failure.getCause() instanceof CanceledFailure
        || CancellationScope.current().isCancelRequested();
  }

  /** An operator-readable account of a failure: which activity, what kind, what it said. */
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

  private static String firstLine(String text) {
    String line = text.strip().lines().findFirst().orElse("");
    return line.replace("*", "").length() > 80 ? line.replace("*", "").substring(0, 77) + "..." : line.replace("*", "");
  }

  static String iso(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).toString();
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  // ---------------------------------------------------------------------------------------------
  // Internal state
  // ---------------------------------------------------------------------------------------------

  private static final class StepRun {
    final String id;
    String title;
    StepState state = StepState.PENDING;
    String startedAt;
    String endedAt;
    int attempts;
    Change change;
    String summary;
    String lastError;

    StepRun(String id, String title) {
      this.id = id;
      this.title = title;
    }

    StepView view() {
      return new StepView(id, title, state, startedAt, endedAt, attempts, change, summary, lastError);
    }
  }

  private static final class GateRun {
    final String gateId;
    final int instance;
    final String prompt;
    final GatePolicy policy;
    final Set<String> allowedPeople;
    final Plan plan;
    final long openedAt;
    final Long deadlineAt;
    final List<DecisionRecord> decisions = new ArrayList<>();
    GateOutcome outcome = GateOutcome.OPEN;
    Long closedAt;
    int reminders;

    GateRun(String gateId, int instance, String prompt, GatePolicy policy, Set<String> allowedPeople, Plan plan,
        long openedAt, Long deadlineAt) {
      this.gateId = gateId;
      this.instance = instance;
      this.prompt = prompt;
      this.policy = policy;
      this.allowedPeople = allowedPeople;
      this.plan = plan;
      this.openedAt = openedAt;
      this.deadlineAt = deadlineAt;
    }

    Set<String> approvers() {
      Set<String> approvers = new LinkedHashSet<>();
      decisions.stream().filter(d -> d.verdict() == Verdict.APPROVE).forEach(d -> approvers.add(d.actor()));
      return approvers;
    }

    void close(GateOutcome how, long at) {
      outcome = how;
      closedAt = at;
    }

    String label() {
      return gateId + " #" + instance;
    }
  }

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

  private record Compensation(StepRun step, Functions.Proc undo) {}

  /** Ends the run early without failing it (plan-only, plan rejected). */
  private static final class Stop extends RuntimeException {
    final Outcome outcome;

    Stop(Outcome outcome, String message) {
      super(message, null, false, false);
      this.outcome = outcome;
    }
  }

  /** An operator (or a gate's timeout policy) aborted the run. */
  private static final class Abort extends RuntimeException {
    Abort(String message) {
      super(message, null, false, false);
    }
  }
}
