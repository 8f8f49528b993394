package io.carbon254.runbook.cli;

import io.carbon254.runbook.engine.Decision;
import io.carbon254.runbook.engine.GateView;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.Verdict;
import io.carbon254.runbook.worker.TemporalConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code approve} and {@code reject}: a decision on the open gate, through the validated update.
 * The decider sees what they decide (the prompt, with the plan, and its hash), confirms it (or
 * names the hash they reviewed with {@code --yes --expect-hash}), and — where the platform takes
 * signed decisions — signs exactly that with their SSH key.
 */
final class GateCommands {

  private GateCommands() {}

  /** What a decision needs besides its verdict. */
  record Ask(String gate, String child, String as, String comment, boolean yes, String expectHash, Path key) {}

  static int decide(TemporalOptions temporal, String run, Verdict verdict, Ask ask) {
    String actor = TemporalOptions.actor(ask.as());
    try (TemporalConnection connection = temporal.connect()) {
      RunbookStatus status = Runs.answering(connection.client(), temporal.workflowId(run), ask.child(), s -> s.openGate() != null);
      String id = status.workflowId();
      GateView gate = status.openGate();
      if (gate == null) {
        throw new CliException(ExitCodes.NOT_FOUND, "no gate is open in " + id + " (it is " + status.state() + ")");
      }
      if (ask.gate() != null && !ask.gate().equals(gate.gate())) {
        throw new CliException(ExitCodes.REFUSED, "refused: gate '" + ask.gate() + "' is not open; the open gate is "
            + gate.gate() + " #" + gate.instance());
      }
      if (verdict == Verdict.APPROVE) {
        confirm(id, gate, ask);
      }
      Decision decision = Signer.signed(status, new Decision(gate.gate(), gate.instance(), verdict, actor, ask.comment(),
          gate.planHash()), verdict, (platform, message, expires) -> Signer.require(actor, ask.key())
          .sign(platform, message, expires));
      GateView after = Runs.update(connection.client(), id, "decide", GateView.class, decision);
      String who = after.decisions().isEmpty() ? actor : after.decisions().get(after.decisions().size() - 1).actor();
      System.out.println((verdict == Verdict.APPROVE ? "approved " : "rejected ") + after.gate() + " #" + after.instance()
          + (id.equals(temporal.workflowId(run)) ? "" : " of " + id) + " as " + who + ": " + after.approvals() + " of "
          + after.requiredApprovals() + " approvals, gate " + after.state());
      return ExitCodes.OK;
    }
  }

  /** Shows what is approved and asks, or checks the hash the approver names. */
  private static void confirm(String id, GateView gate, Ask ask) {
    if (ask.yes()) {
      if (ask.expectHash() == null || !ask.expectHash().equals(gate.shownHash())) {
        throw new CliException(ExitCodes.REFUSED, "refused: --yes approves only what you reviewed: give --expect-hash "
            + gate.shownHash() + " if that is the gate you read with 'runbook status " + id + "'"
            + (ask.expectHash() == null ? "" : " (you gave " + ask.expectHash() + ": the gate shows something else now)"));
      }
      return;
    }
    System.out.println("Gate " + gate.gate() + " #" + gate.instance() + " of " + id + ":\n");
    gate.prompt().strip().lines().forEach(line -> System.out.println("  " + line));
    System.out.println("\nshown-hash " + gate.shownHash() + (gate.planHash() == null ? "" : ", plan hash " + gate.planHash()));
    if (System.console() == null) {
      throw new CliException(ExitCodes.USAGE, "not a terminal, so nothing was approved: review the gate above, then run"
          + " again with --yes --expect-hash " + gate.shownHash());
    }
    System.out.print("Approve exactly this? [y/N] ");
    System.out.flush();
    try {
      String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (answer == null || !answer.strip().equalsIgnoreCase("y")) {
        throw new CliException(ExitCodes.REFUSED, "not approved");
      }
    } catch (IOException e) {
      throw new CliException(ExitCodes.USAGE, "cannot read the terminal: " + e.getMessage());
    }
  }

  @Command(name = "approve", mixinStandardHelpOptions = true,
      description = {"Approve the open gate of a run: shows the prompt (with the plan) and its hash, asks, and signs the",
          "decision with your SSH key where the platform takes signed decisions. In scripts: --yes --expect-hash H."})
  static final class Approve implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", description = "A runbook id or a workflow id.")
    String run;

    @Mixin
    TemporalOptions temporal;

    @Option(names = "--gate", paramLabel = "GATE", description = "The gate you mean (refused if another is open).")
    String gate;

    @Option(names = "--child", paramLabel = "RUNBOOK",
        description = "The child runbook whose gate you mean (default: wherever in the run's tree a gate is open).")
    String child;

    @Option(names = "--as", paramLabel = "NAME", description = "Who approves (default: RUNBOOK_USER or your login); "
        + "where decisions are signed, the key's owner is who approves.")
    String as;

    @Option(names = "--comment", paramLabel = "TEXT", description = "A comment kept with the decision.")
    String comment;

    @Option(names = {"-y", "--yes"}, description = "Do not ask: approve the gate whose shown-hash is --expect-hash.")
    boolean yes;

    @Option(names = "--expect-hash", paramLabel = "HASH", description = "The shown-hash of the gate you reviewed ('runbook status').")
    String expectHash;

    @Option(names = "--key", paramLabel = "FILE", description = "Your SSH key (default: RUNBOOK_SIGNING_KEY, the sandbox's key"
        + " of --as, or ~/.ssh/id_ed25519; ssh-agent is used when it runs).")
    Path key;

    @Override
    public Integer call() {
      return decide(temporal, run, Verdict.APPROVE, new Ask(gate, child, as, comment, yes, expectHash, key));
    }
  }

  @Command(name = "reject", mixinStandardHelpOptions = true,
      description = "Reject the open gate of a run, with a reason (signed with your SSH key where decisions are signed).")
  static final class Reject implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", description = "A runbook id or a workflow id.")
    String run;

    @Mixin
    TemporalOptions temporal;

    @Option(names = "--gate", paramLabel = "GATE", description = "The gate you mean (refused if another is open).")
    String gate;

    @Option(names = "--child", paramLabel = "RUNBOOK",
        description = "The child runbook whose gate you mean (default: wherever in the run's tree a gate is open).")
    String child;

    @Option(names = "--as", paramLabel = "NAME", description = "Who rejects (default: RUNBOOK_USER or your login).")
    String as;

    @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why (kept with the decision).")
    String reason;

    @Option(names = "--key", paramLabel = "FILE", description = "Your SSH key (as for approve).")
    Path key;

    @Override
    public Integer call() {
      return decide(temporal, run, Verdict.REJECT, new Ask(gate, child, as, reason, false, null, key));
    }
  }
}
