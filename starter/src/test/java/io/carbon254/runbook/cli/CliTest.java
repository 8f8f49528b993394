package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's contract with scripts: usage errors, validation, exit codes. */
class CliTest {

  record Run(int exitCode, String out, String err) {}

  static Run runbook(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
    ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(capturedOut, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
      int code = RunbookCli.execute(args);
      return new Run(code, capturedOut.toString(StandardCharsets.UTF_8), capturedErr.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void aBadArgumentPrintsUsageAndExits2() {
    Run run = runbook("start");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Missing required parameter: 'RUNBOOK'").contains("Usage: runbook start");

    assertThat(runbook("frobnicate").exitCode()).isEqualTo(2);
    assertThat(runbook().exitCode()).isEqualTo(2);
  }

  @Test
  void helpIsEverywhere() {
    for (String command : new String[] {"start", "status", "approve", "reject", "decide", "done", "list", "cancel",
        "validate", "history", "worker", "dev", "demo", "runbooks", "setup"}) {
      Run run = runbook(command, "--help");
      assertThat(run.exitCode()).as(command).isZero();
      assertThat(run.out()).as(command).contains("Usage: runbook " + command);
    }
  }

  @Test
  void validateListsEveryProblemWithItsPathAndExits1(@TempDir Path dir) throws Exception {
    Path broken = dir.resolve("broken.yaml");
    String yaml = Files.readString(Path.of("..", "config", "254carbon.yaml"))
        .replace("name: 254carbon", "name: 254 Carbon")
        .replace("cron: \"0 2 * * *\"", "cron: \"0 25 * * *\"")
        .replace("baseDomain: 254carbon.com", "baseDomain: 254carbon.com\nfavouriteColour: green");
    Files.writeString(broken, yaml);

    Run run = runbook("validate", "-c", broken.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains(broken + ": 3 problems")
        .contains("  name: ")
        .contains("  favouriteColour: ")
        .contains("backup.schedules[0].cron: ");
    Run valid = runbook("validate", "-c", "../config/254carbon.yaml");
    assertThat(valid.exitCode()).isZero();
    assertThat(valid.out()).contains("note: approvals.gates.minio-distributed/switch-service: runbook"
        + " 'minio-distributed' is not in this build; the override applies once it is");
  }

  @Test
  void aGateOverrideThatNamesNoGateOfItsRunbookIsAProblemForValidateAndTheWorker(@TempDir Path dir) throws Exception {
    Path misspelt = dir.resolve("misspelt.yaml");
    String yaml = Files.readString(Path.of("..", "config", "254carbon.yaml"));
    assertThat(yaml).contains("    backup-activation/activate-schedules:\n");
    Files.writeString(misspelt, yaml.replace("    backup-activation/activate-schedules:\n",
        "    backup-activation/activate-schedule:\n"));

    Run run = runbook("validate", "-c", misspelt.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains(misspelt + ": 1 problem").contains("  approvals.gates.backup-activation/activate-schedule:"
        + " runbook 'backup-activation' opens no gate 'activate-schedule' (its gates: approve-plan, activate-schedules,"
        + " skip-<step>)");

    Run worker = runbook("worker", "-c", misspelt.toString(), "--address", "127.0.0.1:1");
    assertThat(worker.exitCode()).isNotZero();
    assertThat(worker.err()).contains("approvals.gates.backup-activation/activate-schedule: runbook 'backup-activation'"
        + " opens no gate 'activate-schedule'").doesNotContain("\tat ");
  }

  @Test
  void setupSaysWhatIsWrongBeforeItRegistersAnything() {
    Run badRetention = runbook("setup", "--retention", "a week", "--address", "127.0.0.1:1");
    assertThat(badRetention.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badRetention.err()).contains("--retention: 'a week' is not a duration");

    Run noServer = runbook("setup", "--address", "127.0.0.1:1");
    assertThat(noServer.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(noServer.err()).contains("Temporal at 127.0.0.1:1 is unreachable");
  }

  @Test
  void anUnknownRunbookIsAUsageError() {
    Run run = runbook("start", "make-coffee", "--address", "127.0.0.1:1");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("unknown runbook 'make-coffee'; runbooks: platform-check");
  }

  @Test
  void anUnreachableTemporalSaysWhatToDo() {
    Run run = runbook("status", "platform-check", "--address", "127.0.0.1:1");
    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(run.err()).contains("Temporal at 127.0.0.1:1 is unreachable").contains("runbook dev");
  }
}
