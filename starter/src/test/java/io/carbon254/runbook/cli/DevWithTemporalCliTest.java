package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.worker.codec.Keyring;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    Map<String, String> env = env(Map.of());
    Process dev = startDev(env, port, uiPort);
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

  /** With a keyring, runbook dev encrypts and starts a codec server on loopback that the Web UI is pointed at. */
  @Test
  void withAKeyringDevEncryptsAndServesTheWebUiACodecEndpoint() throws Exception {
    int port = DevEnvironment.freePort();
    int uiPort = DevEnvironment.freePort();
    Path keyring = dir.resolve("keyring.json");
    Path log = dir.resolve("dev.log");
    Map<String, String> env = env(Map.of(Keyring.ENV, keyring.toString()));
    assertThat(Jvm.run(env, "codec", "keygen", keyring.toString(), "--id", "dev").exitCode()).isZero();
    Process dev = startDev(env, port, uiPort);
    try {
      Jvm.awaitLog(dev, log, "Ctrl-C stops everything.");
      Matcher codec = Pattern.compile("payloads encrypted with key 'dev' \\(keyring " + Pattern.quote(keyring.toString())
          + "\\); the Web UI decodes them through the codec server (http://127\\.0\\.0\\.1:\\d+)").matcher(Jvm.read(log));
      assertThat(codec.find()).as(Jvm.read(log)).isTrue();
      HttpResponse<Void> preflight = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(codec.group(1) + "/decode"))
          .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://localhost:" + uiPort)
          .header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.discarding());
      assertThat(preflight.statusCode()).isEqualTo(204);
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:" + uiPort);

      Jvm.Result started = Jvm.run(env, "start", "crash-drill", "--option", "chunks=1", "--address", "127.0.0.1:" + port);
      assertThat(started.exitCode()).as(started.err()).isZero();
      Jvm.Result status = Jvm.run(env, "status", "crash-drill", "--address", "127.0.0.1:" + port);
      assertThat(status.out()).as(status.err()).contains("254carbon/crash-drill");
    } finally {
      dev.destroy();
      assertThat(dev.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
  }

  private Map<String, String> env(Map<String, String> more) {
    Map<String, String> env = new HashMap<>(more);
    env.put("RUNBOOK_STATE_DIR", dir.resolve("state").toString());
    env.put("CRASH_DRILL_DIR", dir.resolve("drill").toString());
    return env;
  }

  /** {@code runbook dev --sandbox} on the real dev server, its database {@code dir/dev.db}, its output in {@code dir/dev.log}. */
  private Process startDev(Map<String, String> env, int port, int uiPort) {
    return Jvm.start(env, dir.resolve("dev.log"), true, "dev", "--sandbox", "--port", String.valueOf(port), "--ui-port",
        String.valueOf(uiPort), "--db-file", dir.resolve("dev.db").toString(), "--temporal-cli", RealTemporalServer.cli().toString());
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
