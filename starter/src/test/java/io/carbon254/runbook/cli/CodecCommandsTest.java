package io.carbon254.runbook.cli;

import static io.carbon254.runbook.cli.CliTest.runbook;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code runbook codec keygen|check}, {@code codec-server} and {@code --codec-keys}: what they print and refuse. */
class CodecCommandsTest {

  @TempDir
  Path dir;

  @Test
  void keygenMakesAKeyringAndRotatesItPrintingKeyIdsOnly() throws Exception {
    Path keyring = dir.resolve("keyring.json");

    CliTest.Run made = runbook("codec", "keygen", keyring.toString(), "--id", "k1");
    assertThat(made.exitCode()).as(made.err()).isZero();
    assertThat(made.out()).isEqualTo("keyring " + keyring + " (active key 'k1'; keys k1)\n");
    String key = Files.readString(keyring).replaceAll("(?s).*\"k1\" : \"([^\"]+)\".*", "$1");
    assertThat(key).hasSize(44);

    CliTest.Run staged = runbook("codec", "keygen", keyring.toString(), "--id", "k2", "--no-activate");
    assertThat(staged.out()).isEqualTo("keyring " + keyring + " (active key 'k1'; keys k1, k2)\n");
    CliTest.Run rotated = runbook("codec", "keygen", keyring.toString(), "--id", "k3");
    assertThat(rotated.out()).isEqualTo("keyring " + keyring + " (active key 'k3'; keys k1, k2, k3)\n");
    assertThat(Files.readString(keyring)).as("k1 is kept as it was").contains(key);
    assertThat(runbook("codec", "check", keyring.toString()).out())
        .isEqualTo("keyring " + keyring + " (active key 'k3'; keys k1, k2, k3): valid\n");
    for (CliTest.Run run : new CliTest.Run[] {made, staged, rotated}) {
      assertThat(run.out() + run.err()).doesNotContain(key);
    }
  }

  @Test
  void aBrokenOrMissingKeyringIsOneLineAndExit1() throws Exception {
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"active\": \"k1\", \"keys\": {\"k1\": \"c2hvcnQ=\"}}");

    CliTest.Run check = runbook("codec", "check", broken.toString());
    assertThat(check.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(check.err()).isEqualTo("runbook: keyring " + broken + ": key 'k1' is 5 bytes; AES-256 needs 32 (make one with"
        + " 'runbook codec keygen')\n");

    Path missing = dir.resolve("missing.json");
    CliTest.Run status = runbook("status", "platform-check", "--codec-keys", missing.toString(), "--address", "127.0.0.1:1");
    assertThat(status.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(status.err()).isEqualTo("runbook: keyring " + missing + " does not exist (make one with 'runbook codec keygen "
        + missing + "')\n");
  }

  @Test
  void theCodecServerNeedsAKeyringAndListensOnLoopbackByDefault() {
    CliTest.Run none = runbook("codec-server");
    assertThat(none.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(none.err()).startsWith("runbook: the codec server needs a keyring: --codec-keys FILE or RUNBOOK_CODEC_KEYS=FILE");

    CodecCommands.Server server = new CodecCommands.Server();
    new CommandLine(server).parseArgs();
    assertThat(server.address).isEqualTo("127.0.0.1");
    assertThat(server.port).isEqualTo(8081);
    WorkerCommand worker = new WorkerCommand();
    new CommandLine(worker).parseArgs();
    assertThat(worker.metricsAddress).as("runbook worker's metrics").isEqualTo("127.0.0.1");
  }

  @Test
  void helpIsThere() {
    for (String[] command : new String[][] {{"codec-server"}, {"codec"}, {"codec", "keygen"}, {"codec", "check"}}) {
      CliTest.Run run = runbook(append(command, "--help"));
      assertThat(run.exitCode()).as(String.join(" ", command)).isZero();
      assertThat(run.out()).contains("Usage: runbook " + String.join(" ", command));
    }
  }

  private static String[] append(String[] words, String last) {
    String[] all = java.util.Arrays.copyOf(words, words.length + 1);
    all[words.length] = last;
    return all;
  }
}
