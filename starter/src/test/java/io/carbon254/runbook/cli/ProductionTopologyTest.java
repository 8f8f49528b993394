package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The tier that proves {@code docker-compose.yml}: its own set-up steps bring up a Temporal server
 * on PostgreSQL (see {@link ProductionTopology}), and on it two worker processes and the CLI do
 * what operators will do — a run through a gate, a worker killed in the middle of a step, the
 * server killed and restarted, {@code runbook list} as visibility queries on PostgreSQL, and the
 * set-up steps run again changing nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProductionTopologyTest {

  private static Path dir;
  private static ProductionTopology topology;

  @BeforeAll
  static void bringUpTheTopology() throws Exception {
    dir = Files.createTempDirectory("runbook-production-topology");
    topology = ProductionTopology.start(dir, 2);
    System.out.println(topology.startupLine());
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (topology != null) {
      topology.close();
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @BeforeEach
  void aFreshDrillWorld() throws Exception {
    // Every story starts with the drill's world unprepared, as an uninterrupted run expects it.
    Files.deleteIfExists(topology.drillDir.resolve("prepared"));
    Files.deleteIfExists(topology.drillDir.resolve("work.log"));
    while (topology.liveWorkers().size() < 2) {
      topology.startWorkers(1);
    }
  }

  @Test
  @Order(1)
  void theSetUpStepsRegisteredTheNamespaceAndOurSearchAttributesAndARunWithAGateCompletes() throws Exception {
    Jvm.Result setupAgain = topology.setup();
    assertThat(setupAgain.exitCode()).as(setupAgain.err()).isZero();
    assertThat(setupAgain.out()).contains("namespace default: already there")
        .contains("search attribute RunbookName (Keyword): already there")
        .contains("search attribute AwaitingApproval (Bool): already there")
        .doesNotContain("registered");

    String id = "topology/crash-drill";
    Path config = topology.platformConfig("topology");
    Jvm.Result started = topology.cli("start", "crash-drill", "--option", "chunks=4", "--as", "alice", "-c", config.toString());
    assertThat(started.exitCode()).as(started.err()).isZero();
    topology.awaitStatus(id, "the gate to open", s -> s.openGate() != null);
    Jvm.Result approved = topology.approve(id, "bob");
    assertThat(approved.exitCode()).as(approved.out() + approved.err()).isZero();
    assertThat(approved.out()).contains("approved approve-work #1 as bob: 1 of 1 approvals, gate APPROVED");

    assertThat(RealTemporalServer.outcome(topology.result(id))).isEqualTo(ProcessTest.UNINTERRUPTED_4_CHUNKS);
    assertThat(topology.cli("status", id).out()).contains(id + "  COMPLETED").contains("✓ slow-work");
  }

  @Test
  @Order(2)
  void aWorkerKilledWithSigkillInTheMiddleOfAStepIsReplacedByTheOtherWorker() throws Exception {
    String id = "midstep/crash-drill";
    Path config = topology.platformConfig("midstep");
    assertThat(topology.cli("start", "crash-drill", "--option", "chunks=12", "-c", config.toString()).exitCode()).isZero();
    topology.awaitStatus(id, "the gate to open", s -> s.openGate() != null);
    assertThat(topology.approve(id, "bob").exitCode()).isZero();
    ProcessTest.awaitFile(topology.drillDir.resolve("work.log"), "chunk 2 done");

    List<Process> workers = topology.liveWorkers();
    assertThat(workers).hasSize(2);
    String runningOn = awaitPendingActivityWorker(id);
    Process busy = workers.stream().filter(w -> runningOn.startsWith(w.pid() + "@")).findFirst()
        .orElseThrow(() -> new AssertionError("the step runs on " + runningOn + ", none of our workers " + workers));
    Process other = workers.stream().filter(w -> w != busy).findFirst().orElseThrow();

    TemporalUnderTest.kill9(busy);

    assertThat(RealTemporalServer.outcome(topology.result(id))).isEqualTo(List.of(
        "outcome SUCCEEDED",
        "prepare SUCCEEDED CREATED drill prepared",
        "approve-work SUCCEEDED null approved by bob",
        "slow-work SUCCEEDED CREATED 12 of 12 chunks done"));
    HistoryEvent completed = lastEvent(id, HistoryEvent::hasActivityTaskCompletedEventAttributes);
    assertThat(completed.getActivityTaskCompletedEventAttributes().getIdentity())
        .as("the step was finished by the worker that was not killed").startsWith(other.pid() + "@");
    assertThat(Jvm.read(topology.drillDir.resolve("work.log")))
        .as("the other worker resumed from the last heartbeat the server had, not from the start")
        .contains("attempt 1 starts at chunk 0").containsPattern("attempt [2-9] starts at chunk ([1-9]|1[01])\\b");
  }

  @Test
  @Order(3)
  void theServerKilledWithSigkillAndRestartedOnTheSameDatabasesLosesNothing() throws Exception {
    String id = "restart/crash-drill";
    Path config = topology.platformConfig("restart");
    assertThat(topology.cli("start", "crash-drill", "--option", "chunks=4", "--as", "alice", "-c", config.toString())
        .exitCode()).isZero();
    topology.awaitStatus(id, "the gate to open", s -> s.openGate() != null);
    String runId = topology.stub(id).describe().getExecution().getRunId();

    topology.kill9Server();
    topology.restartServer();

    assertThat(topology.stub(id).describe().getExecution().getRunId()).as("the same run, read back from PostgreSQL").isEqualTo(runId);
    assertThat(topology.liveWorkers()).as("the workers rode out the server's crash").hasSize(2);
    Jvm.Result approved = topology.approve(id, "bob");
    assertThat(approved.exitCode()).as(approved.out() + approved.err()).isZero();
    assertThat(RealTemporalServer.outcome(topology.result(id))).isEqualTo(ProcessTest.UNINTERRUPTED_4_CHUNKS);
  }

  @Test
  @Order(4)
  void listRunsRealVisibilityQueriesOnPostgresql() throws Exception {
    // Three runs of the crash drill: one waits at its gate, one is busy with its slow work, one has completed.
    String waiting = TemporalUnderTest.WAITING;
    try {
      topology.startWaitingBusyAndCompletedRuns();

      assertThat(topology.list("--awaiting-approval")).containsExactly(waiting);
      assertThat(topology.list("--state", "AWAITING_APPROVAL")).containsExactly(waiting);
      assertThat(topology.list("--state", "RUNNING")).containsExactly(TemporalUnderTest.BUSY);
      assertThat(topology.list("--state", "COMPLETED")).contains(TemporalUnderTest.COMPLETED, "topology/crash-drill", "restart/crash-drill")
          .doesNotContain(waiting, TemporalUnderTest.BUSY);
      assertThat(topology.list("--runbook", "crash-drill")).contains(waiting, TemporalUnderTest.COMPLETED, TemporalUnderTest.BUSY);
      assertThat(topology.list("--runbook", "crash-drill", "--awaiting-approval")).containsExactly(waiting);
      assertThat(topology.list("--runbook", "platform-check")).isEmpty();

      // It is PostgreSQL's visibility store that answers: it refuses what the CLI never asks, ORDER BY.
      assertThatThrownBy(() -> client().listExecutions("RunbookName IS NOT NULL ORDER BY StartTime DESC").count())
          .hasMessageContaining("not supported");
    } finally {
      topology.stub(TemporalUnderTest.BUSY).terminate("the visibility story is over");
      topology.stub(waiting).terminate("the visibility story is over");
    }
  }

  @Test
  @Order(5)
  void theSetUpStepsRunASecondTimeChangeNothing() {
    String temporalSchema = topology.postgres.schemaDump("temporal");
    String visibilitySchema = topology.postgres.schemaDump("temporal_visibility");
    String versions = schemaVersions();
    long runs = client().listExecutions("RunbookName IS NOT NULL").count();
    assertThat(runs).as("the earlier stories left runs").isPositive();

    String again = ProductionTopology.schemaSteps(topology.postgres, topology.tools, topology.tools);
    Jvm.Result setupAgain = topology.setup();

    assertThat(topology.postgres.schemaDump("temporal")).as("the temporal schema after a re-run").isEqualTo(temporalSchema);
    assertThat(topology.postgres.schemaDump("temporal_visibility")).as("the visibility schema after a re-run")
        .isEqualTo(visibilitySchema);
    assertThat(schemaVersions()).isEqualTo(versions);
    assertThat(again).as("the schema step's second run").contains("temporal schema ready");
    assertThat(setupAgain.exitCode()).isZero();
    assertThat(setupAgain.out()).doesNotContain(": registered");
    assertThat(client().listExecutions("RunbookName IS NOT NULL").count()).as("every run is still there").isEqualTo(runs);
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  private static String schemaVersions() {
    return topology.postgres.query("temporal", "SELECT db_name, curr_version FROM schema_version ORDER BY db_name") + " | "
        + topology.postgres.query("temporal_visibility", "SELECT db_name, curr_version FROM schema_version ORDER BY db_name");
  }

  private static WorkflowClient client() {
    return topology.connection().client();
  }

  /** The identity of the worker the run's pending activity last started on. */
  private static String awaitPendingActivityWorker(String id) {
    Supplier<List<PendingActivityInfo>> pending = () -> topology.connection().stubs().blockingStub()
        .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
            .setNamespace(topology.connection().namespace())
            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
            .build())
        .getPendingActivitiesList();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      for (PendingActivityInfo activity : pending.get()) {
        if (!activity.getLastWorkerIdentity().isEmpty()) {
          return activity.getLastWorkerIdentity();
        }
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    throw new AssertionError("no pending activity with a worker for " + id + ": " + pending.get());
  }

  private static HistoryEvent lastEvent(String id, Predicate<HistoryEvent> which) {
    List<HistoryEvent> events = new ArrayList<>(client().fetchHistory(id).getEvents());
    for (int i = events.size() - 1; i >= 0; i--) {
      if (which.test(events.get(i))) {
        return events.get(i);
      }
    }
    throw new AssertionError("no such event in the history of " + id);
  }
}
