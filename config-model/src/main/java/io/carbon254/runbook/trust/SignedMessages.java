package io.carbon254.runbook.trust;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The exact texts people sign: one per kind of decision, naming everything the decision is bound
 * to — the Temporal namespace, the run (its workflow id and the first run id of its chain, which a
 * reset and a continue-as-new keep), the gate instance or step, the verdict, a hash of exactly what
 * the signer was shown, and an expiry. A signature for one of them is worthless for any other: a
 * replayed approval of another run, gate, instance or prompt, or a stale one, does not verify.
 *
 * <p>The CLI builds the same text to sign ({@code runbook approve}, {@code runbook sign}); the SSH
 * namespace of every signature is {@link #sshNamespace(String)}.
 */
public final class SignedMessages {

  private SignedMessages() {}

  /** {@code runbook@<platform>}: the SSHSIG namespace, so a runbook signature is no git or file signature. */
  public static String sshNamespace(String platform) {
    return "runbook@" + platform;
  }

  /** Approving or rejecting one gate instance, as shown. */
  public static String decision(String namespace, String workflowId, String chainRunId, String gate, int instance,
      String verdict, String shownHash, String expires) {
    return text("decision", fields("namespace", namespace, "workflow", workflowId, "run", chainRunId, "gate", gate,
        "instance", String.valueOf(instance), "verdict", verdict, "shown", shownHash, "expires", expires));
  }

  /** RETRY, SKIP or ABORT of one failed step, after seeing its error. */
  public static String operatorAction(String namespace, String workflowId, String chainRunId, String step,
      String action, String shownHash, String expires) {
    return text("operator-action", fields("namespace", namespace, "workflow", workflowId, "run", chainRunId,
        "step", step, "action", action, "shown", shownHash, "expires", expires));
  }

  /** A manual task reported done, with what it produced. */
  public static String taskDone(String namespace, String workflowId, String chainRunId, String task,
      List<String> values, String expires) {
    return text("task-done", fields("namespace", namespace, "workflow", workflowId, "run", chainRunId, "task", task,
        "values", sha256(String.join("\n", values == null ? List.of() : values)), "expires", expires));
  }

  /** Starting a runbook: who starts what, how, with which options. */
  public static String start(String namespace, String workflowId, String runbook, String mode,
      Map<String, String> options, String initiator, String expires) {
    StringBuilder canonicalOptions = new StringBuilder();
    new TreeMap<>(options == null ? Map.<String, String>of() : options)
        .forEach((k, v) -> canonicalOptions.append(k).append('=').append(v).append('\n'));
    return text("start", fields("namespace", namespace, "workflow", workflowId, "runbook", runbook, "mode", mode,
        "options", sha256(canonicalOptions.toString()), "initiator", initiator, "expires", expires));
  }

  /** SHA-256 of a text, hex: how a prompt, an error or a list of values is named in a signed message. */
  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
          (text == null ? "" : text).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** Alternating names and values; a missing value is written empty (and then signs nothing valid). */
  private static Map<String, String> fields(String... namesAndValues) {
    Map<String, String> fields = new TreeMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      fields.put(namesAndValues[i], namesAndValues[i + 1] == null ? "" : namesAndValues[i + 1]);
    }
    return fields;
  }

  private static String text(String kind, Map<String, String> fields) {
    StringBuilder text = new StringBuilder("runbook ").append(kind).append(" v1\n");
    new TreeMap<>(fields).forEach((k, v) -> text.append(k).append(": ").append(v == null ? "" : v).append('\n'));
    return text.toString();
  }
}
