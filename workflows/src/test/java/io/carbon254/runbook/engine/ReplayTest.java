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

  /** Every workflow type and its implementation. Each must ship at least one recorded history. */
  static final Map<String, Class<?>> WORKFLOW_TYPES = Map.of(
      "DrillWorkflow", DrillWorkflowImpl.class,
      "PlatformCheckWorkflow", io.carbon254.runbook.platformcheck.PlatformCheckWorkflowImpl.class,
      "BackupActivationWorkflow", io.carbon254.runbook.backup.BackupActivationWorkflowImpl.class,
      "ImageMirrorWorkflow", io.carbon254.runbook.mirror.ImageMirrorWorkflowImpl.class);

  static final Path HISTORIES = Path.of("src/test/resources/histories");

  @TestFactory
  Stream<DynamicTest> everyRecordedHistoryReplaysOnTodaysCode() throws IOException {
    return histories().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      String type = file.getFileName().toString().split("-", 2)[0];
      Class<?> implementation = WORKFLOW_TYPES.get(type);
      assertThat(implementation).as("workflow type of %s", file).isNotNull();
      WorkflowExecutionHistory history = WorkflowExecutionHistory.fromJson(Files.readString(file, StandardCharsets.UTF_8));
      WorkflowReplayer.replayWorkflowExecution(history, implementation);
    }));
  }

  @Test
  void everyWorkflowTypeShipsARecordedHistory() throws IOException {
    List<String> recordedTypes = histories().stream()
        .map(f -> f.getFileName().toString().split("-", 2)[0])
        .distinct()
        .toList();
    assertThat(recordedTypes).containsAll(WORKFLOW_TYPES.keySet());
  }

  static List<Path> histories() throws IOException {
    try (Stream<Path> files = Files.list(HISTORIES)) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
  }
}
