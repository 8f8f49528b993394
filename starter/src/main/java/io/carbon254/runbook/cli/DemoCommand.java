package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.RunbookDefinition;
import io.carbon254.runbook.Runbooks;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.sandbox.Sandbox;
import io.carbon254.runbook.engine.ChildView;
import io.carbon254.runbook.engine.Decision;
import io.carbon254.runbook.engine.GateView;
import io.carbon254.runbook.engine.ManualTaskReport;
import io.carbon254.runbook.engine.OperatorAction;
import io.carbon254.runbook.engine.OperatorWaitView;
import io.carbon254.runbook.engine.RunbookLauncher;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookState;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.StepState;
import io.carbon254.runbook.engine.StepView;
import io.carbon254.runbook.engine.Verdict;
import io.carbon254.runbook.trust.SignedMessages;
import io.carbon254.runbook.platform.PlatformWorkflow;
import io.carbon254.runbook.platformcheck.PlatformCheckWorkflow;
import io.carbon254.runbook.worker.RunbookPlugins;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"The whole product in one process: the embedded Temporal service, the simulated 254Carbon platform",
        "and a worker; then the platform runbook, which runs every other as its child, streaming their progress. Gates",
        "are asked here, or answered by the demo approvers of the configuration with --yes. Ends with a summary table",
        "and the readiness before and after."})
final class DemoCommand implements Callable<Integer> {

  @Mixin
  TemporalOptions temporal;

  @Option(names = {"-y", "--yes"}, description = "Answer every gate and manual task as the configured demo approvers.")
  boolean yes;

  @Option(names = "--as", paramLabel = "NAME", defaultValue = "demo", description = "Who starts the runbooks (default: ${DEFAULT-VALUE}).")
  String as;

  @Option(names = "--temporal-cli", paramLabel = "PATH",
      description = "Run the demo on the Temporal CLI's real dev server (a temporary database), with its Web UI and a link to each run.")
  Path temporalCli;

  private BufferedReader terminal;
  private String webUi;
  /** The sandbox's people: the demo signs each decision with the key of the person who takes it. */
  private SandboxPeople people;

  record Row(String runbook, String outcome, long changed, long unchanged, long skipped, String summary) {}

  @Override
  public Integer call() throws IOException {
    // The demo's Cloudflare is the sandbox's: sso-access runs in API mode against it (runbook dev
    // --sandbox keeps the configuration as it is: no token, manual mode).
    PlatformConfig config = Sandbox.withCloudflareApi(temporal.loadConfig());
    long started = System.nanoTime();
    Path stateDir = Files.createTempDirectory("runbook-demo");
    DevEnvironment.RealServer real = temporalCli == null ? null : new DevEnvironment.RealServer(
        DevEnvironment.CliServer.find(temporalCli).orElseThrow(), DevEnvironment.freePort(),
        stateDir.resolve("temporal.db"), stateDir.resolve("temporal.log"));
    try (DevEnvironment dev = DevEnvironment.start(DevEnvironment.freePort(), config, true, true, stateDir, real,
        temporal.encryption())) {
      webUi = dev.webUi;
      people = dev.people;
      System.out.println("runbook demo on the simulated platform '" + config.name() + "' (" + (webUi == null
          ? "embedded Temporal at " + dev.address + ", in memory, no Web UI: --temporal-cli PATH runs it on the real dev server"
          : dev.serverDescription + " at " + dev.address + ", Web UI " + webUi) + "; "
          + dev.temporal.encryption().describe() + ")");
      List<Row> rows = new ArrayList<>();
      Map<String, String> outputs = new HashMap<>();
      Optional<RunbookDefinition> platform = RunbookPlugins.find(PlatformWorkflow.RUNBOOK);
      boolean succeeded;
      if (platform.isPresent()) {
        // The platform runbook runs the others as its children, between two platform-checks.
        Row row = run(dev.temporal.client(), config, platform.get(), outputs, rows);
        succeeded = row.outcome().equals("SUCCEEDED");
        rows.add(row);
      } else {
        List<RunbookDefinition> runbooks = RunbookPlugins.runbooks();
        for (RunbookDefinition runbook : runbooks) {
          rows.add(run(dev.temporal.client(), config, runbook, outputs, null));
        }
        // The readiness check once more, after the others: the score the demo has brought.
        Optional<RunbookDefinition> check = RunbookPlugins.find(PlatformCheckWorkflow.RUNBOOK);
        if (check.isPresent() && runbooks.size() > 1) {
          rows.add(run(dev.temporal.client(), config, check.get(), outputs, null));
        }
        succeeded = rows.stream().allMatch(r -> r.outcome().equals("SUCCEEDED"));
      }
      System.out.println();
      System.out.printf("%-20s %-10s %8s %10s %8s  %s%n", "RUNBOOK", "OUTCOME", "CHANGED", "UNCHANGED", "SKIPPED", "SUMMARY");
      rows.forEach(r -> System.out.printf("%-20s %-10s %8d %10d %8d  %s%n", r.runbook(), r.outcome(), r.changed(),
          r.unchanged(), r.skipped(), r.summary()));
      if (outputs.containsKey("sso validation")) {
        System.out.println();
        System.out.println("SSO validation (sso-validation, every protected host by its real name):");
        System.out.println();
        System.out.println(outputs.get("sso validation"));
      }
      if (outputs.containsKey("report-before")) {
        System.out.println();
        System.out.println("Readiness before:");
        System.out.println();
        System.out.println(outputs.get("report-before"));
      }
      if (outputs.containsKey("report")) {
        System.out.println();
        System.out.println(outputs.containsKey("report-before") ? "Readiness after:\n" : "");
        System.out.println(outputs.get("report"));
      }
      System.out.printf("demo finished in %.1f s%n", (System.nanoTime() - started) / 1e9);
      return succeeded ? ExitCodes.OK : ExitCodes.FAILED;
    }
  }

  /**
   * Starts {@code runbook}, follows it to its end and returns its row; {@code childRows}, when given,
   * gets a row for each step of the run: its child's, or why it did not run.
   */
  private Row run(WorkflowClient client, PlatformConfig config, RunbookDefinition runbook, Map<String, String> outputs,
      List<Row> childRows) {
    System.out.println();
    System.out.println("▶ " + runbook.id() + " — " + runbook.description());
    String expires = Signer.expiresIn(Signer.START_VALIDITY);
    String id = RunbookLauncher.startSigned(client, runbook.id(), runbook.workflowType(),
        RunbookRequest.apply(config.name(), as), RunbookLauncher.TASK_QUEUE, expires,
        message -> people.sign(as, config.name(), message, expires)).getWorkflowId();
    if (webUi != null) {
      System.out.println("  Web UI: " + DevEnvironment.runPage(webUi, "default", id));
    }
    follow(client, config, id);
    try {
      RunbookResult result = client.newUntypedWorkflowStub(id).getResult(RunbookResult.class);
      outputs.putAll(result.outputs());
      if (childRows != null) {
        RunbookStatus status = Runs.status(client, id);
        for (StepView step : result.steps()) {
          ChildView child = status.children().stream().filter(c -> step.id().equals(c.step())).findFirst().orElse(null);
          if (child == null) {
            childRows.add(new Row(step.id(), step.state().name(), 0,
                step.change() == io.carbon254.runbook.engine.Change.UNCHANGED ? 1 : 0,
                step.state() == StepState.SKIPPED ? 1 : 0, step.summary()));
            continue;
          }
          RunbookResult childResult = client.newUntypedWorkflowStub(child.workflowId()).getResult(RunbookResult.class);
          childRows.add(row(child.runbook(), childResult));
          if (childResult.outputs().containsKey("validation")) {
            outputs.put(child.runbook() + " validation", childResult.outputs().get("validation"));
          }
        }
      }
      return row(runbook.id(), result);
    } catch (WorkflowFailedException e) {
      return new Row(runbook.id(), "FAILED", 0, 0, 0, Runs.rootMessage(e));
    }
  }

  private static Row row(String runbook, RunbookResult result) {
    return new Row(runbook, result.outcome().name(),
        result.steps().stream().filter(s -> s.change() != null && s.change() != io.carbon254.runbook.engine.Change.UNCHANGED).count(),
        result.steps().stream().filter(s -> s.change() == io.carbon254.runbook.engine.Change.UNCHANGED).count(),
        result.steps().stream().filter(s -> s.state() == StepState.SKIPPED).count(), result.summary());
  }

  /** Streams the run's steps and its children's, and answers what waits for a person anywhere in the tree, until the run ends. */
  private void follow(WorkflowClient client, PlatformConfig config, String id) {
    Map<String, StepState> shown = new HashMap<>();
    Set<String> answered = new HashSet<>();
    while (true) {
      followOnce(client, config, Runs.status(client, id), "  ", shown, answered);
      if (client.newUntypedWorkflowStub(id).describe().getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        return;
      }
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
  }

  private void followOnce(WorkflowClient client, PlatformConfig config, RunbookStatus status, String indent,
      Map<String, StepState> shown, Set<String> answered) {
    String run = status.workflowId() + " ";
    for (StepView step : status.steps()) {
      if (step.state() != StepState.PENDING && step.state() != shown.get(run + step.id())) {
        shown.put(run + step.id(), step.state());
        System.out.printf("%s%s %-24s %s%n", indent, step.state().mark(), step.id(),
            step.state() == StepState.FAILED ? "✗ " + step.lastError() : step.summary() == null ? step.title() : step.summary());
      }
    }
    GateView gate = status.openGate();
    if (gate != null && answered.add(run + "gate " + gate.gate() + "#" + gate.instance())) {
      answerGate(client, config, status, gate);
    }
    if (status.openTask() != null && answered.add(run + "task " + status.openTask().task() + status.openTask().lastVerification())) {
      answerTask(client, status);
    }
    if (status.awaitingOperator() != null && answered.add(run + "operator " + status.awaitingOperator() + status.lastError())) {
      answerOperator(client, status);
    }
    for (ChildView child : status.children()) {
      if (child.outcome() == null && child.state() != RunbookState.FAILED) {
        RunbookStatus childStatus;
        try {
          childStatus = Runs.status(client, child.workflowId());
        } catch (CliException notYet) {
          continue; // started a moment ago: the next look finds it
        }
        followOnce(client, config, childStatus, indent + "    ", shown, answered);
      }
    }
  }

  private void answerGate(WorkflowClient client, PlatformConfig config, RunbookStatus status, GateView gate) {
    System.out.println("  ⏸ gate " + gate.gate() + " #" + gate.instance() + ":");
    gate.prompt().lines().forEach(line -> System.out.println("      " + line));
    boolean approve = yes || ask("    approve? [y/N] ").equalsIgnoreCase("y");
    List<String> approvers = approvers(config, gate, status.initiator());
    if (!approve) {
      Runs.update(client, status.workflowId(), "decide", GateView.class, signed(status, new Decision(gate.gate(),
          gate.instance(), Verdict.REJECT, approvers.get(0), "rejected at the demo terminal", null)));
      return;
    }
    for (String approver : approvers) {
      GateView after = Runs.update(client, status.workflowId(), "decide", GateView.class,
          signed(status, Decision.approve(gate.gate(), gate.instance(), approver, gate.planHash())));
      System.out.println("    approved by " + approver + " (" + after.approvals() + " of " + after.requiredApprovals() + ")"
          + ("SIGNED".equals(status.identity()) ? ", signed with " + approver + "'s key" : ""));
    }
  }

  /** The decision signed with the sandbox key of the person who takes it, where the run takes signed decisions. */
  private Decision signed(RunbookStatus status, Decision d) {
    return Signer.signed(status, d, d.verdict(), (platform, message, expires) -> people.sign(d.actor(), platform, message,
        expires));
  }

  /** As many distinct allowed approvers as the gate needs, never the initiator of a four-eyes gate. */
  static List<String> approvers(PlatformConfig config, GateView gate, String initiator) {
    Set<String> people = new LinkedHashSet<>();
    for (String entry : gate.allowedApprovers()) {
      if (entry.startsWith("group:")) {
        people.addAll(config.approvals().groups().getOrDefault(entry.substring(6), List.of()));
      } else {
        people.add(entry);
      }
    }
    if (people.isEmpty()) {
      people.addAll(List.of("demo-approver-1", "demo-approver-2", "demo-approver-3"));
    }
    if (gate.forbidInitiator()) {
      people.remove(initiator);
    }
    return people.stream().limit(Math.max(1, gate.requiredApprovals())).toList();
  }

  private void answerTask(WorkflowClient client, RunbookStatus status) {
    System.out.println("  ⏸ manual task " + status.openTask().task() + ": " + status.openTask().title());
    status.openTask().checklist().forEach(item -> System.out.println("      [ ] " + item));
    if (yes || ask("    done? [y/N] ").equalsIgnoreCase("y")) {
      ManualTaskReport report = new ManualTaskReport(status.openTask().task(), as, "done in the demo", List.of());
      if ("SIGNED".equals(status.identity())) {
        String expires = Signer.expiresIn(Signer.DECISION_VALIDITY);
        report = report.signed(people.sign(as, status.platform(), SignedMessages.taskDone(status.namespace(),
            status.workflowId(), status.chainRunId(), report.task(), report.values(), expires), expires));
      }
      client.newUntypedWorkflowStub(status.workflowId()).signal("manualTaskDone", report);
    }
  }

  private void answerOperator(WorkflowClient client, RunbookStatus status) {
    OperatorWaitView wait = status.operatorWaits().get(0);
    System.out.println("  ✗ step " + wait.step() + " failed: " + wait.error());
    boolean canSkip = wait.actions().contains(OperatorAction.Action.SKIP);
    String answer = yes ? "a" : ask(canSkip ? "    [r]etry, [s]kip or [a]bort? " : "    [r]etry or [a]bort? ");
    OperatorAction.Action action = switch (answer.toLowerCase(java.util.Locale.ROOT)) {
      case "r", "retry" -> OperatorAction.Action.RETRY;
      case "s", "skip" -> canSkip ? OperatorAction.Action.SKIP : OperatorAction.Action.ABORT;
      default -> OperatorAction.Action.ABORT;
    };
    OperatorAction reply = new OperatorAction(wait.step(), action, as, "answered at the demo terminal");
    if ("SIGNED".equals(status.identity())) {
      String expires = Signer.expiresIn(Signer.DECISION_VALIDITY);
      reply = reply.signed(people.sign(as, status.platform(), SignedMessages.operatorAction(status.namespace(),
          status.workflowId(), status.chainRunId(), wait.step(), action.name(), wait.shownHash(), expires), expires));
    }
    Runs.update(client, status.workflowId(), "operate", StepView.class, reply);
  }

  private String ask(String question) {
    System.out.print(question);
    System.out.flush();
    try {
      if (terminal == null) {
        terminal = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      }
      String line = terminal.readLine();
      if (line == null) {
        throw new CliException(ExitCodes.USAGE, "no answer on the terminal; run 'runbook demo --yes' to let the demo approvers answer");
      }
      return line.strip();
    } catch (IOException e) {
      throw new CliException(ExitCodes.USAGE, "cannot read the terminal: " + e.getMessage());
    }
  }
}
