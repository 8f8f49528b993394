package io.carbon254.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every recorded history in {@code src/test/resources/histories/} against today's
 * workflow code: a change that would break a run waiting at a gate for three days fails here.
 * A history file is named {@code <WorkflowType>-<scenario>.json}; record new ones with
 * {@code RecordHistoriesTest} (see README, "Replay safety").
 */
class ReplayTest {

  /** The engine's test runbooks, beside the product's registered ones. */
  static final List<RunbookDefinition> TEST_RUNBOOKS = List.of(FleetWorkflowImpl.DRILL,
      new RunbookDefinition("fleet", "FleetWorkflow", FleetWorkflowImpl.class, "the engine's composition", List.of()));

  /** Every runbook this build registers (and the engine's test runbooks); each ships recorded histories. */
  static List<RunbookDefinition> runbooks() {
    List<RunbookDefinition> all = new java.util.ArrayList<>(io.carbon254.runbook.Runbooks.ALL);
    all.addAll(TEST_RUNBOOKS);
    return all;
  }

  /** Workflow type → implementation, of {@link #runbooks()}. */
  static Map<String, Class<?>> workflowTypes() {
    Map<String, Class<?>> types = new java.util.LinkedHashMap<>();
    runbooks().forEach(r -> types.put(r.workflowType(), r.implementation()));
    return types;
  }

  static final Path HISTORIES = Path.of("src/test/resources/histories");

  @TestFactory
  Stream<DynamicTest> everyRecordedHistoryReplaysOnTodaysCode() throws IOException {
    return histories().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      String type = file.getFileName().toString().split("-", 2)[0];
      Class<?> implementation = workflowTypes().get(type);
      assertThat(implementation).as("workflow type of %s", file).isNotNull();
      Histories.replay(Histories.read(file), implementation);
    }));
  }

  @Test
  void everyWorkflowTypeShipsARecordedHistory() throws IOException {
    List<String> recordedTypes = histories().stream()
        .map(f -> f.getFileName().toString().split("-", 2)[0])
        .distinct()
        .toList();
    assertThat(recordedTypes).containsAll(workflowTypes().keySet());
  }

  /**
   * A run may wait at any gate for days: each one has a history paused there, replayed on every
   * build — as runs start today (platform from the worker, signed decisions: {@code -trusted-paused-at-}).
   * The runs recorded before the worker decided the platform ({@code -paused-at-}) stay, as the runs
   * that may still be open.
   */
  @Test
  void everyGateOfEveryRunbookHasARecordedRunPausedThere() throws IOException {
    List<String> files = histories().stream().map(f -> f.getFileName().toString()).toList();
    for (RunbookDefinition runbook : io.carbon254.runbook.Runbooks.ALL) {
      for (String gate : runbook.gates()) {
        assertThat(files).as("a history of %s paused at gate %s", runbook.id(), gate)
            .contains(runbook.workflowType() + "-trusted-paused-at-" + gate + ".json");
      }
    }
  }

  static List<Path> histories() throws IOException {
    try (Stream<Path> files = Files.list(HISTORIES)) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
  }
}
