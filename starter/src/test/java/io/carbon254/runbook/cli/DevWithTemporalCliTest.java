package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runbook dev} with the Temporal CLI: the real dev server on a database file, the Web UI address, a clean stop. */
class DevWithTemporalCliTest {

  @TempDir
  Path dir;

  @Test
  void devRunsTheRealDevServerWithAPersistentDatabaseAndPrintsTheWebUi() throws Exception {
    int port = DevEnvironment.freePort();
    int uiPort = DevEnvironment.freePort();
    Path db = dir.resolve("dev.db");
    Path log = dir.resolve("dev.log");
    Map<String, String> env = Map.of("RUNBOOK_STATE_DIR", dir.resolve("state").toString(),
        "CRASH_DRILL_DIR", dir.resolve("drill").toString());
    Process dev = Jvm.start(env, log, true, "dev", "--sandbox", "--port", String.valueOf(port), "--ui-port",
        String.valueOf(uiPort), "--db-file", db.toString(), "--temporal-cli", RealTemporalServer.cli().toString());
    try {
      Jvm.awaitLog(dev, log, "Ctrl-C stops everything.");
      assertThat(Jvm.read(log))
          .contains("runbook dev: temporal version ")
          .contains("Web UI: http://127.0.0.1:" + uiPort)
          .contains("runs persist in " + db)
          .doesNotContain("IN MEMORY");
      assertThat(db).exists();

      Jvm.Result started = Jvm.run(env, "start", "crash-drill", "--option", "chunks=1", "--address", "127.0.0.1:" + port);
      assertThat(started.exitCode()).as(started.err()).isZero();
      Jvm.Result list = Jvm.run(env, "list", "--runbook", "crash-drill", "--address", "127.0.0.1:" + port);
      assertThat(list.exitCode()).as(list.err()).isZero();
      assertThat(list.out()).contains("254carbon/crash-drill");
      assertThat(list.err()).doesNotContain(ListCommand.NO_VISIBILITY_NOTE);
    } finally {
      dev.destroy(); // SIGTERM, as Ctrl-C: the shutdown hook stops the dev server it started
      assertThat(dev.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(free(port)).as("the dev server stopped with runbook dev").isTrue();
    assertThat(Files.size(db)).isPositive();
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
