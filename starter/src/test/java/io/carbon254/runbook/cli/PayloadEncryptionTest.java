package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.worker.codec.EncryptionCodec;
import io.carbon254.runbook.worker.codec.Keyring;
import io.carbon254.runbook.worker.codec.PayloadEncryption;
import com.google.protobuf.util.JsonFormat;
import io.temporal.api.history.v1.History;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Payload encryption on the REAL Temporal server (the Temporal CLI's dev server), the CLI and the
 * workers as separate processes with a keyring file: a runbook runs end to end on the sandbox while
 * the exported history holds no readable platform data; keys rotate while a run waits at a gate;
 * a process without the key says which key it needs.
 */
class PayloadEncryptionTest extends WithRealTemporalServer {

  /** The search attributes a run keeps: readable by design (the server indexes them; no codec touches them). */
  static final Set<String> SEARCH_ATTRIBUTES = Set.of("RunbookName", "RunbookState", "RunbookStep", "AwaitingApproval",
      "Platform", "ReadinessScore", "TemporalChangeVersion");

  /** {@code runbook codec keygen FILE --id ID}: a new key, active; the keys themselves never printed. */
  Path keygen(Path keyring, String id) {
    Jvm.Result made = Jvm.run(temporal.env(), "codec", "keygen", keyring.toString(), "--id", id);
    assertThat(made.exitCode()).as(made.err()).isZero();
    assertThat(made.out().strip()).startsWith("keyring " + keyring + " (active key '" + id + "'; keys ");
    return keyring;
  }

  @Test
  void aRunbookOnTheSandboxLeavesNoReadablePlatformDataInItsHistoryWhileTheCliReadsAndAnswersIt() throws Exception {
    String run = "254carbon/backup-activation";
    String planted = "planted-" + UUID.randomUUID();
    // What the run's payloads carry: the platform description (hosts under the base domain), the plan and the
    // evidence (the bucket), an option given at the start.
    List<String> platformData = List.of("254carbon.com", "254carbon-backups", planted);
    Path keyring = keygen(dir.resolve("keyring.json"), "k1");
    temporal.useCodecKeys(keyring);
    Process worker = temporal.startWorker();
    Jvm.awaitLog(worker, dir.resolve("worker-1.log"), "metrics: http://");
    assertThat(Jvm.read(dir.resolve("worker-1.log"))).contains("payloads encrypted with key 'k1' (keyring " + keyring + ")")
        .as("the metrics listen on loopback by default").contains("metrics: http://127.0.0.1:").doesNotContain("every interface");

    Jvm.Result started = temporal.cli("start", "backup-activation", "--as", "alice", "--option", "marker=" + planted);
    assertThat(started.exitCode()).as(started.err()).isZero();
    temporal.awaitStatus(run, "the plan gate", s -> s.openGate() != null);
    Jvm.Result status = temporal.cli("status", "backup-activation");
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out()).contains("AWAITING_APPROVAL").contains("254carbon-backups");
    for (String approver : List.of("bob", "carol")) {
      Jvm.Result approved = temporal.approve("backup-activation", approver);
      assertThat(approved.exitCode()).as(approved.out() + approved.err()).isZero();
    }
    temporal.awaitStatus(run, "the schedules gate", s -> s.openGate() != null && s.openGate().gate().equals("activate-schedules"));
    Jvm.Result approved = temporal.approve("backup-activation", "dave");
    assertThat(approved.exitCode()).as(approved.out() + approved.err()).isZero();
    assertThat(temporal.result(run).outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);

    Path exported = dir.resolve("history.json");
    Jvm.Result history = temporal.cli("history", "backup-activation", "--export", exported.toString());
    assertThat(history.exitCode()).as(history.err()).isZero();
    String json = Files.readString(exported);
    History.Builder exportedHistory = History.newBuilder();
    JsonFormat.parser().merge(json, exportedHistory);
    List<HistoryPayloads.Found> payloads = HistoryPayloads.of(exportedHistory.build());
    List<HistoryPayloads.Found> data = payloads.stream().filter(p -> !p.readableByDesign()).toList();

    assertThat(data).as("payloads in the history").hasSizeGreaterThan(20);
    assertThat(data).as("every payload but the search attributes and the SDK's marker bookkeeping is encrypted with k1")
        .allSatisfy(p -> {
      assertThat(EncryptionCodec.isEncrypted(p.payload())).as(p.path()).isTrue();
      assertThat(EncryptionCodec.keyId(p.payload())).as(p.path()).isEqualTo("k1");
    });
    for (String text : platformData) {
      assertThat(payloads.stream().filter(p -> p.holds(text)).map(HistoryPayloads.Found::path).toList())
          .as("payloads whose raw bytes hold '%s'", text).isEmpty();
      assertThat(json).as("the history's other fields (names, ids, failure messages)").doesNotContain(text);
    }
    // Not vacuous: decrypted with the keyring, the same payloads hold every planted value.
    EncryptionCodec codec = PayloadEncryption.with(Keyring.load(keyring)).codec();
    String decrypted = codec.decode(data.stream().map(HistoryPayloads.Found::payload).toList()).stream()
        .map(p -> p.getData().toStringUtf8()).collect(Collectors.joining("\n"));
    assertThat(decrypted).contains(platformData);

    Set<String> attributes = new TreeSet<>();
    payloads.stream().filter(HistoryPayloads.Found::searchAttribute)
        .forEach(p -> attributes.add(p.path().replaceAll(".*indexedFields\\[([^]]+)].*", "$1")));
    assertThat(attributes).as("what stays readable: the search attributes, by design").isSubsetOf(SEARCH_ATTRIBUTES)
        .contains("Platform", "RunbookState");

    // The CLI without the keyring cannot read the run, and says which key it needs.
    temporal.useCodecKeys(null);
    Jvm.Result keyless = temporal.cli("status", "backup-activation");
    assertThat(keyless.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(keyless.err().strip()).isEqualTo("runbook: cannot read the run's data: the run's data is encrypted with key"
        + " 'k1' and this process has no keyring: set RUNBOOK_CODEC_KEYS (or --codec-keys) to the keyring file that holds"
        + " that key");
  }

  @Test
  void keysRotateWhileARunWaitsAtAGateAndAWorkerWithoutTheKeySaysWhichKeyItNeeds() throws Exception {
    String run = TemporalUnderTest.WAITING;
    Path keyring = keygen(dir.resolve("keyring.json"), "k1");
    temporal.useCodecKeys(keyring);
    Process first = temporal.startWorker();
    assertThat(temporal.cli("start", "crash-drill", "--option", "chunks=2", "--as", "alice").exitCode()).isZero();
    temporal.awaitStatus(run, "the gate to open", s -> s.openGate() != null);
    RealTemporalServer.kill9(first);

    // A worker without the keyring: asked for the run's status, it cannot replay the run, and says why once. The
    // CLI hears it from the worker, or — when the worker has failed a workflow task of the run first — from the server.
    temporal.useCodecKeys(null);
    Process keyless = temporal.startWorker();
    temporal.useCodecKeys(keyring);
    Jvm.Result status = temporal.cli("status", "crash-drill");
    assertThat(status.exitCode()).as(status.out() + status.err()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(status.err()).startsWith("runbook: cannot read the status of " + run + ": ")
        .containsAnyOf("encrypted with key 'k1'", "a worker failed the run's last task: its log says why");
    Jvm.awaitLog(keyless, dir.resolve("worker-2.log"), "this worker cannot read a run's payloads: the run's data is"
        + " encrypted with key 'k1' and this process has no keyring: set RUNBOOK_CODEC_KEYS (or --codec-keys) to the"
        + " keyring file that holds that key");
    assertThat(Jvm.read(dir.resolve("worker-2.log"))).as("one line, not a stack trace at every retry")
        .doesNotContain("\tat ").containsOnlyOnce("encrypted with key 'k1'");
    RealTemporalServer.kill9(keyless);

    // Rotation: k2 joins the keyring and encrypts from now on; k1 stays to read what it encrypted.
    keygen(keyring, "k2");
    temporal.useCodecKeys(keyring);
    temporal.startWorker();
    assertThat(Jvm.read(dir.resolve("worker-3.log"))).contains("payloads encrypted with key 'k2'");
    Jvm.Result approved = temporal.approve("crash-drill", "bob");
    assertThat(approved.exitCode()).as(approved.out() + approved.err()).isZero();
    assertThat(RealTemporalServer.outcome(temporal.result(run)).get(0)).isEqualTo("outcome SUCCEEDED");

    List<HistoryPayloads.Found> data = HistoryPayloads.of(temporal.connection().client().fetchHistory(run).getHistory())
        .stream().filter(p -> !p.readableByDesign()).toList();
    assertThat(data).allSatisfy(p -> assertThat(EncryptionCodec.isEncrypted(p.payload())).as(p.path()).isTrue());
    assertThat(data.stream().map(p -> EncryptionCodec.keyId(p.payload())).collect(Collectors.toSet()))
        .as("the run's payloads before and after the rotation").containsExactlyInAnyOrder("k1", "k2");
    assertThat(EncryptionCodec.keyId(data.get(0).payload())).as("the run's input, from before").isEqualTo("k1");
    assertThat(data.stream().filter(p -> p.path().contains("workflowExecutionCompletedEventAttributes"))
        .map(p -> EncryptionCodec.keyId(p.payload())).toList()).as("its result, after").containsExactly("k2");
  }
}
