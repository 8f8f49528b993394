package io.carbon254.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.Approvals;
import io.carbon254.runbook.config.GatePolicy;
import io.carbon254.runbook.config.Identity;
import io.carbon254.runbook.config.Notifications;
import io.carbon254.runbook.config.Operators;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.OperatorAction.Action;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes what anyone with the Temporal frontend can send a run: random payloads through every
 * signal ({@code approve}, {@code reject}, {@code manualTaskDone}, {@code operatorAction},
 * {@code childProgress}) and update ({@code decide}, {@code operate}) — fields missing or of the
 * wrong type, huge and unicode strings, wrong gates and instances, nulls, unknown enum values,
 * garbage signatures — to three drill runs on a platform that takes signed decisions: one at its
 * plan gate, one at a manual task, one at a failed step waiting for an operator. No payload can be
 * valid (none carries a real signature), so every update is refused with a reason; after each
 * burst the run still answers its status query, has no failed workflow task, and waits where it
 * waited. At the end a proper signed decision still moves each run.
 *
 * <p>Tries: {@code jqwik.tries.default} of this module's {@code junit-platform.properties};
 * {@code -Djqwik.tries.default=1000} runs more. A failure prints the seed and the burst.
 */
class DecisionFuzzTest {

  static final Approvals POLICY = new Approvals(
      Map.of("admins", List.of("alice", "bob", "carol"), "oncall", List.of("dave", "erin")),
      new GatePolicy(1, List.of("group:admins", "group:oncall"), false, null, null, null),
      Map.of("approve-plan", new GatePolicy(2, List.of("group:admins"), true, null, null, null)),
      Identity.SIGNED, List.of(), new Operators(List.of("group:oncall"), Map.of()));

  enum Waiting { GATE, TASK, OPERATOR }

  private static TestWorkflowEnvironment env;
  private static WorkflowClient client;
  private static final Map<Waiting, DrillWorkflow> RUNS = new LinkedHashMap<>();
  private static final Map<Waiting, DrillWorld> WORLDS = new LinkedHashMap<>();
  /** A real signature, over another message: well-formed, never valid here. */
  private static Signature otherSignature;

  @BeforeContainer
  static void startRuns() {
    env = TestWorkflowEnvironment.newInstance();
    RunbookSearchAttributes.ALL.forEach(env::registerSearchAttribute);
    for (Waiting w : Waiting.values()) {
      // A start's signature check can take over the default second on 2 busy cores: not what is fuzzed here.
      Worker worker = env.newWorker("fuzz-" + w.name().toLowerCase(),
          WorkerOptions.newBuilder().setDefaultDeadlockDetectionTimeout(30_000).build());
      worker.registerWorkflowImplementationTypes(DrillWorkflowImpl.class);
      DrillWorld world = new DrillWorld();
      worker.registerActivitiesImplementations(world, new RecordingNotifier(), new TestPlatforms());
      WORLDS.put(w, world);
    }
    WORLDS.get(Waiting.OPERATOR).failNext("alpha", 1_000);
    WORLDS.get(Waiting.TASK).readyHosts.add("worker-1");
    RunbookTesting.useClockOf(env);
    env.start();
    client = env.getWorkflowClient();
    otherSignature = TestKeys.sign("alice", "fuzz", "not a decision of these runs", Instant.now().toString());

    for (Waiting w : Waiting.values()) {
      String platform = "fuzz" + w.name().toLowerCase();
      PlatformConfig config = TestKeys.signedBy(PlatformConfig.of(platform, POLICY, Notifications.none()));
      RunbookRequest request = RunbookTesting.request(config, Mode.APPLY, "alice",
          w == Waiting.TASK ? Map.of("manual-task", "true") : Map.of());
      RunbookTesting.start(client, "drill", "DrillWorkflow", request, "fuzz-" + w.name().toLowerCase());
      RUNS.put(w, client.newWorkflowStub(DrillWorkflow.class, RunbookLauncher.workflowId(platform, "drill")));
    }
    DrillWorkflow task = RUNS.get(Waiting.TASK);
    RunbookTesting.approve(task, "approve-plan", "bob", "carol");
    RunbookTesting.approve(task, "approve-go-live", "dave");
    RunbookTesting.approve(RUNS.get(Waiting.OPERATOR), "approve-plan", "bob", "carol");
    RunbookTesting.awaitGate(RUNS.get(Waiting.GATE), "approve-plan");
    RunbookTesting.awaitStatus(task, "the manual task", s -> s.openTask() != null);
    RunbookTesting.awaitStatus(RUNS.get(Waiting.OPERATOR), "the failed step", s -> s.awaitingOperator() != null);
    RUNS.forEach((w, run) -> FUZZED_FROM.put(w, historyOf(run).size()));
  }

  /** The length of each run's history when the fuzzing began: what comes after is the payloads' doing. */
  private static final Map<Waiting, Integer> FUZZED_FROM = new LinkedHashMap<>();

  static List<io.temporal.api.history.v1.HistoryEvent> historyOf(DrillWorkflow run) {
    return client.fetchHistory(WorkflowStub.fromTyped(run).getExecution().getWorkflowId()).getEvents();
  }

  @AfterContainer
  static void validDecisionsStillMoveEveryRun() {
    try {
      DrillWorkflow gate = RUNS.get(Waiting.GATE);
      RunbookTesting.approve(gate, "approve-plan", "bob", "carol");
      RunbookTesting.awaitGate(gate, "approve-go-live");

      DrillWorkflow task = RUNS.get(Waiting.TASK);
      RunbookTesting.taskDone(task, new ManualTaskReport("provision-hosts", "dave", "done", List.of("worker-1")));
      assertThat(RunbookTesting.result(task).outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);

      DrillWorkflow operator = RUNS.get(Waiting.OPERATOR);
      RunbookTesting.operate(operator, new OperatorAction("create-alpha", Action.ABORT, "dave", "fuzzing is over"));
      assertThat(RunbookTesting.failure(operator).getType()).isEqualTo("RunbookAborted");
      RUNS.forEach((w, run) -> assertNoFailedWorkflowTask(w, "the valid decisions"));
    } finally {
      env.close();
    }
  }

  // --- the property ----------------------------------------------------------------------------

  @Property
  void noPayloadFailsAWorkflowTaskAndEveryRefusalHasAReason(@ForAll Waiting target,
      @ForAll("bursts") List<Message> burst) {
    DrillWorkflow run = RUNS.get(target);
    WorkflowStub stub = client.newUntypedWorkflowStub(WorkflowStub.fromTyped(run).getExecution().getWorkflowId());
    RunbookStatus before = run.status();
    for (Message m : burst) {
      if (m.handler.update) {
        Throwable refused = bounded(() -> stub.update(m.handler.name, Object.class, m.payload), m);
        assertThat(refused).as("%s was accepted", m).isInstanceOf(WorkflowUpdateException.class);
        String reason = reasonOf(refused);
        // A payload the SDK cannot read into the record is refused with Jackson's message (class names
        // included, not a stack): the README's testing section lists this as known.
        assertThat(reason).as("the reason %s gives", m).isNotBlank().doesNotContain("\tat ");
      } else {
        bounded(() -> {
          stub.signal(m.handler.name, m.payload);
          return null;
        }, m);
      }
    }
    // An update is delivered after every signal sent before it: once refused, the burst has been handled.
    bounded(() -> stub.update("decide", Object.class, (Object) null), "the closing probe");
    RunbookStatus after = run.status();
    assertThat(after.state()).as("still waiting as before: %s", burst).isEqualTo(before.state());
    assertThat(after.currentStep()).isEqualTo(before.currentStep());
    if (before.openGate() != null) {
      assertThat(after.openGate().approvals()).as("no approval counted: %s", burst).isEqualTo(before.openGate().approvals());
    }
    assertNoFailedWorkflowTask(target, burst);
  }

  // --- what a burst is -------------------------------------------------------------------------

  enum Handler {
    APPROVE("approve", false), REJECT("reject", false), DECIDE("decide", true), MANUAL_TASK_DONE("manualTaskDone", false),
    OPERATOR_ACTION("operatorAction", false), OPERATE("operate", true), CHILD_PROGRESS("childProgress", false);

    final String name;
    final boolean update;

    Handler(String name, boolean update) {
      this.name = name;
      this.update = update;
    }
  }

  record Message(Handler handler, Object payload) {
    @Override
    public String toString() {
      return handler.name + "(" + shorten(String.valueOf(payload)) + ")";
    }
  }

  static final List<String> FIELDS = List.of("gate", "instance", "verdict", "actor", "comment", "planHash", "signature",
      "expires", "task", "notes", "values", "step", "action", "reason", "runbook", "workflowId", "state", "currentStep",
      "waiting", "waitingIn", "outcome", "summary", "seq", "unknown", "");

  @Provide
  Arbitrary<List<Message>> bursts() {
    return Combinators.combine(Arbitraries.of(Handler.class), payloads()).as(Message::new).list().ofMinSize(1).ofMaxSize(5);
  }

  Arbitrary<Object> payloads() {
    Arbitrary<Object> field = values();
    Arbitrary<Object> objects = Arbitraries.maps(Arbitraries.of(FIELDS), field).ofMaxSize(10).map(m -> (Object) m);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, objects),
        net.jqwik.api.Tuple.of(1, values()),
        net.jqwik.api.Tuple.of(1, field.list().ofMaxSize(3).map(l -> (Object) l)));
  }

  Arbitrary<Object> values() {
    return Arbitraries.oneOf(
        Arbitraries.just(null),
        Arbitraries.of("approve-plan", "approve-go-live", "skip-create-alpha", "provision-hosts", "create-alpha",
            "go-live", "APPROVE", "REJECT", "approve", "MAYBE", "RETRY", "SKIP", "ABORT", "retry", "PLANNING",
            "COMPLETED", "SUCCEEDED", "bob", "dave", "mallory", "group:admins", "", " ", "\u0000", "null",
            "fuzzgate/drill", "fuzztask/drill", "fuzzoperator/drill", "fuzzgate/drill/child",
            "2999-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "tomorrow", "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----")
            .map(s -> (Object) s),
        Arbitraries.strings().ofMaxLength(30).map(s -> (Object) s),
        Arbitraries.integers().between(1, 5).map(n -> (Object) "\u202e\ud83d\ude80\u00e9".repeat(n)),
        Arbitraries.integers().between(1, 3).map(n -> (Object) "x".repeat(100_000 * n / 3)),
        Arbitraries.integers().between(0, 3).map(n -> (Object) signatureLike(n)),
        Arbitraries.of(0, 1, 2, -1, Integer.MAX_VALUE, Integer.MIN_VALUE).map(n -> (Object) n),
        Arbitraries.of(Long.MAX_VALUE, (long) Integer.MAX_VALUE + 1).map(n -> (Object) n),
        Arbitraries.of(1.5, Double.NaN, 1e300).map(n -> (Object) n),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.just(List.of("worker-1", "x")).map(l -> (Object) l),
        Arbitraries.just(java.util.Arrays.asList("worker-1", null)).map(l -> (Object) l),
        Arbitraries.just(Map.of("nested", List.of(Map.of("deeper", "x")))).map(m -> (Object) m));
  }

  /** A real signature (over something else), cut, spoiled, or base64 noise. */
  static String signatureLike(int variant) {
    String real = otherSignature == null ? "" : otherSignature.signature();
    return switch (variant) {
      case 0 -> real;
      case 1 -> real.substring(0, real.length() / 2);
      case 2 -> real.replace('A', 'B');
      default -> "-----BEGIN SSH SIGNATURE-----\n" + Base64.getEncoder().encodeToString("SSHSIG\0\0\0\1".getBytes())
          + "\n-----END SSH SIGNATURE-----";
    };
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Runs a call to the run, failing the try if it has not returned after a minute: a stuck workflow
   * task would otherwise hang the build. A guard, not a timing assertion.
   */
  static Throwable bounded(java.util.function.Supplier<Object> call, Object what) {
    CompletableFuture<Object> f = CompletableFuture.supplyAsync(call);
    try {
      f.get(60, TimeUnit.SECONDS);
      return null;
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError("no answer to " + what + ": is a workflow task stuck?");
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static String reasonOf(Throwable refused) {
    Throwable cause = refused.getCause();
    assertThat(cause).as("a refusal with a cause").isNotNull();
    return cause instanceof io.temporal.failure.ApplicationFailure af ? af.getOriginalMessage() : cause.getMessage();
  }

  static void assertNoFailedWorkflowTask(Waiting w, Object what) {
    List<io.temporal.api.history.v1.HistoryEvent> events = historyOf(RUNS.get(w));
    assertThat(events.subList(FUZZED_FROM.get(w), events.size()))
        .as("workflow task failures after %s", what)
        .noneMatch(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
  }

  static String shorten(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "...(" + s.length() + " chars)" : s;
  }
}
