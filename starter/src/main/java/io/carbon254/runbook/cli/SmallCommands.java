package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.GateOverrides;
import io.carbon254.runbook.engine.RunbookDefinition;
import io.carbon254.runbook.Runbooks;
import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.ConfigProblem;
import io.carbon254.runbook.config.ConfigValidator;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.worker.RunbookPlugins;
import io.carbon254.runbook.worker.TemporalConnection;
import io.temporal.client.WorkflowNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that fit on a screen. */
final class SmallCommands {

  private SmallCommands() {}

  @Command(name = "cancel", mixinStandardHelpOptions = true,
      description = "Cancel a run: it undoes what it created (compensations) and ends.")
  static final class Cancel implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", description = "A runbook id or a workflow id.")
    String run;

    @Mixin
    TemporalOptions temporal;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (kept in the history).")
    String reason;

    @Override
    public Integer call() {
      String id = temporal.workflowId(run);
      try (TemporalConnection connection = temporal.connect()) {
        connection.client().newUntypedWorkflowStub(id).cancel(reason == null ? "cancelled with runbook cancel" : reason);
        System.out.println("cancel requested for " + id + "; it compensates, then ends (runbook status " + id + ")");
        return ExitCodes.OK;
      } catch (WorkflowNotFoundException e) {
        throw Runs.notFound(id);
      }
    }
  }

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = "Check a platform configuration; lists every problem with its path.")
  static final class Validate implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true, description = "The configuration file.")
    Path config;

    @Override
    public Integer call() {
      List<String> problems = new ArrayList<>(ConfigLoader.check(config).stream().map(ConfigProblem::toString).toList());
      PlatformConfig loaded = problems.isEmpty() ? ConfigLoader.load(config) : null;
      List<GateOverrides.Finding> overrides = loaded == null ? List.of()
          : GateOverrides.check(loaded.approvals(), RunbookPlugins.runbooks());
      overrides.stream().filter(GateOverrides.Finding::problem).forEach(f -> problems.add(f.toString()));
      if (problems.isEmpty()) {
        System.out.println(config + ": valid");
        ConfigValidator.warnings(loaded).forEach(w -> System.out.println("  warning: " + w));
        overrides.forEach(f -> System.out.println("  note: " + f));
        return ExitCodes.OK;
      }
      System.out.println(config + ": " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s"));
      problems.forEach(p -> System.out.println("  " + p));
      return ExitCodes.FAILED;
    }
  }

  @Command(name = "history", mixinStandardHelpOptions = true,
      description = "Export a run's event history as JSON (for replay tests and audits).")
  static final class History implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", description = "A runbook id or a workflow id.")
    String run;

    @Mixin
    TemporalOptions temporal;

    @Option(names = "--export", paramLabel = "FILE", required = true, description = "Where to write the history.")
    Path file;

    @Override
    public Integer call() throws IOException {
      String id = temporal.workflowId(run);
      try (TemporalConnection connection = temporal.connect()) {
        String json = connection.client().fetchHistory(id).toJson(true);
        Files.writeString(file, json, StandardCharsets.UTF_8);
        System.out.println("wrote the history of " + id + " to " + file);
        return ExitCodes.OK;
      } catch (WorkflowNotFoundException e) {
        throw Runs.notFound(id);
      }
    }
  }

  @Command(name = "runbooks", mixinStandardHelpOptions = true, description = "List the runbooks this CLI can start.")
  static final class Catalogue implements Callable<Integer> {
    @Override
    public Integer call() {
      for (RunbookDefinition runbook : RunbookPlugins.runbooks()) {
        System.out.printf("%-20s %s%n", runbook.id(), runbook.description());
      }
      return ExitCodes.OK;
    }
  }
}
