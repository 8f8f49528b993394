package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker started on a namespace that lacks a search attribute its runs keep (one set up before
 * the attribute existed, e.g. ReadinessScore) refuses to start with one line that says what to
 * run, instead of taking runs whose workflow tasks would then fail at their first update of it;
 * {@code runbook setup} adds what is missing. On the real dev server.
 */
class WorkerStartupTest {

  @Test
  void aWorkerRefusesANamespaceWithoutTheSearchAttributesItsRunsKeepAndSetupAddsThem(@TempDir Path dir) throws Exception {
    DevEnvironment.CliServer server = new DevEnvironment.CliServer(RealTemporalServer.cli(), DevEnvironment.freePort(),
        DevEnvironment.freePort(), dir.resolve("temporal.db"), dir.resolve("temporal.log"));
    try {
      server.start();
      Process remove = new ProcessBuilder(RealTemporalServer.cli().toString(), "operator", "search-attribute", "remove",
          "--name", "ReadinessScore", "--yes", "--address", server.address()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("remove.log").toFile()).start();
      assertThat(remove.waitFor(60, TimeUnit.SECONDS) && remove.exitValue() == 0)
          .as("removing ReadinessScore: %s", Files.readString(dir.resolve("remove.log"))).isTrue();
      Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
          apiVersion: v1
          kind: Config
          clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
          contexts: [{name: c, context: {cluster: c, user: u}}]
          current-context: c
          users: [{name: u, user: {token: unused}}]
          """);
      Map<String, String> env = Map.of("KUBECONFIG", kubeconfig.toString());

      Jvm.Result refused = Jvm.run(env, false, "worker", "--address", server.address());
      assertThat(refused.exitCode()).as(refused.err()).isEqualTo(ExitCodes.UNAVAILABLE);
      assertThat(refused.err().strip()).isEqualTo("runbook: the worker cannot start: namespace default lacks the search"
          + " attributes [ReadinessScore] that runs keep (a run would fail at its first update of them): run"
          + " './runbook setup' against it (docker compose: its temporal-namespace step), then start the worker again");

      Jvm.Result setup = Jvm.run(env, false, "setup", "--address", server.address());
      assertThat(setup.exitCode()).as(setup.err()).isZero();
      assertThat(setup.out()).contains("search attribute ReadinessScore (Int): registered",
          "search attribute AwaitingApproval (Bool): already there");
    } finally {
      server.close();
    }
  }
}
