package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.RunbookDefinition;
import io.carbon254.runbook.Runbooks;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.Mode;
import io.carbon254.runbook.engine.RunbookLauncher;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.worker.RunbookPlugins;
import io.carbon254.runbook.worker.TemporalConnection;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowFailedException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "start", mixinStandardHelpOptions = true,
    description = {"Start a runbook on the platform. Prints the workflow id and, when known, the Web UI link.",
        "Runbooks: see 'runbook runbooks'."})
final class StartCommand implements Callable<Integer> {

  @Parameters(paramLabel = "RUNBOOK", description = "The runbook id, e.g. platform-check.")
  String runbook;

  @Mixin
  TemporalOptions temporal;

  @Option(names = "--plan-only", description = "Compute the plan, change nothing.")
  boolean planOnly;

  @Option(names = "--as", paramLabel = "NAME", description = "Who starts it (default: RUNBOOK_USER or your login).")
  String as;

  @Option(names = "--option", paramLabel = "KEY=VALUE", description = "A runbook option override (repeatable).")
  Map<String, String> options = Map.of();

  @Option(names = "--wait", description = "Wait for the run to finish and print its result.")
  boolean waitForResult;

  @Option(names = "--web-ui", paramLabel = "URL", defaultValue = "${env:RUNBOOK_WEB_UI}",
      description = "Base URL of the Temporal Web UI, for the link (default: RUNBOOK_WEB_UI).")
  String webUi;

  @Option(names = "--output", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
  Output output;

  @Option(names = "--key", paramLabel = "FILE", description = "Your SSH key to sign the start (default: RUNBOOK_SIGNING_KEY,"
      + " the sandbox's key of --as, or ~/.ssh/id_ed25519).")
  Path key;

  @Override
  public Integer call() {
    RunbookDefinition definition = RunbookPlugins.find(runbook).orElseThrow(() -> new CliException(ExitCodes.USAGE,
        "unknown runbook '" + runbook + "'; runbooks: " + String.join(", ", RunbookPlugins.runbooks().stream()
            .map(RunbookDefinition::id).toList())));
    PlatformConfig config = temporal.loadConfig();
    String platformName = temporal.platform != null ? temporal.platform : config.name();
    String actor = TemporalOptions.actor(as);
    RunbookRequest request = new RunbookRequest(platformName, planOnly ? Mode.PLAN : Mode.APPLY, actor, options);
    try (TemporalConnection connection = temporal.connect()) {
      WorkflowExecution execution;
      try {
        // Signed where a key is found: a platform that takes signed decisions refuses an unsigned start.
        Optional<Signer.Key> signer = Signer.find(actor, key);
        String expires = Signer.expiresIn(Signer.START_VALIDITY);
        execution = signer.isEmpty()
            ? RunbookLauncher.start(connection.client(), definition.id(), definition.workflowType(), request, temporal.taskQueue)
            : RunbookLauncher.startSigned(connection.client(), definition.id(), definition.workflowType(), request,
                temporal.taskQueue, expires, message -> signer.get().sign(platformName, message, expires));
      } catch (RunbookLauncher.AlreadyRunningException e) {
        throw new CliException(ExitCodes.ALREADY_RUNNING, e.getMessage());
      }
      String id = execution.getWorkflowId();
      if (output == Output.json) {
        System.out.println(Json.of(Map.of("workflowId", id, "runId", execution.getRunId())));
      } else {
        System.out.println("started " + definition.id() + " on " + platformName + (planOnly ? " (plan only)" : "")
            + ": workflow " + id + " (run " + execution.getRunId() + ")");
        if (webUi != null && !webUi.isBlank()) {
          System.out.println("Web UI: " + DevEnvironment.runPage(webUi, connection.namespace(), id));
        }
        System.out.println("watch it: runbook status " + id + " --watch");
      }
      if (!waitForResult) {
        return ExitCodes.OK;
      }
      try {
        RunbookResult result = connection.client().newUntypedWorkflowStub(id).getResult(RunbookResult.class);
        System.out.println(output == Output.json ? Json.of(result) : result.summary());
        return ExitCodes.OK;
      } catch (WorkflowFailedException e) {
        System.out.println(id + " failed: " + Runs.rootMessage(e));
        return ExitCodes.FAILED;
      }
    }
  }
}
