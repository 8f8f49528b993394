package io.carbon254.runbook.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The worker image's entry point: its commands, and exit codes scripts and compose can rely on. */
class WorkerMainTest {

  record Run(int exitCode, String out, String err) {}

  static Run workerMain(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
    ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(capturedOut, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
      int code = WorkerMain.execute(args);
      return new Run(code, capturedOut.toString(StandardCharsets.UTF_8), capturedErr.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void itHasTheWorkerAndTheNamespaceSetUpAndNothingElse() {
    Run help = workerMain("--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("worker", "setup").doesNotContain("demo", "dev ");
    assertThat(workerMain("demo").exitCode()).as("no demo in the worker image").isEqualTo(2);
    assertThat(workerMain().exitCode()).isEqualTo(2);
  }

  @Test
  void setUpAgainstAnUnreachableServerExits5WithOneLine() {
    Run run = workerMain("setup", "--address", "127.0.0.1:1");
    assertThat(run.exitCode()).isEqualTo(5);
    assertThat(run.err().strip()).startsWith("runbook-worker: Temporal at 127.0.0.1:1 is unreachable").doesNotContain("\n\tat ");
  }

  @Test
  void aBadDurationIsAUsageError() {
    Run run = workerMain("setup", "--wait", "soon");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("runbook-worker setup:");
  }
}
