package io.carbon254.runbook.worker.codec;

import io.temporal.common.converter.CodecDataConverter;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.GlobalDataConverter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Whether this process encrypts payloads, and the data converter that does it: the SDK's data
 * converter, then {@link EncryptionCodec} — on workflow and activity inputs and results, signals,
 * updates, queries, memos, user metadata (summaries, current details) and failures (message and
 * stack trace too). Search attributes stay readable (the server indexes them), as do workflow ids,
 * type names and task queues.
 *
 * <p>Without a keyring, payloads are written as before and an encrypted one is refused with a
 * message naming the key it needs.
 */
public final class PayloadEncryption {

  private final Keyring keyring;
  private final EncryptionCodec codec;

  private PayloadEncryption(Keyring keyring) {
    this.keyring = keyring;
    this.codec = new EncryptionCodec(keyring);
  }

  public static PayloadEncryption off() {
    return new PayloadEncryption(null);
  }

  public static PayloadEncryption with(Keyring keyring) {
    return new PayloadEncryption(keyring);
  }

  /** The keyring {@code file}, else the one {@value Keyring#ENV} names, else off. */
  public static PayloadEncryption configured(Path file) {
    Path chosen = file != null ? file : fromEnvironment();
    return chosen == null ? off() : with(Keyring.load(chosen));
  }

  private static Path fromEnvironment() {
    String env = System.getenv(Keyring.ENV);
    return env == null || env.isBlank() ? null : Path.of(env.strip());
  }

  public boolean on() {
    return keyring != null;
  }

  /** The keyring, or null when off. */
  public Keyring keyring() {
    return keyring;
  }

  public EncryptionCodec codec() {
    return codec;
  }

  /** Told once per key id when this process meets a payload it cannot decrypt. */
  public PayloadEncryption onUnreadable(Consumer<String> listener) {
    codec.onUnreadable(listener);
    return this;
  }

  /** The data converter of every client and worker of this process. */
  public DataConverter dataConverter() {
    return new CodecDataConverter(GlobalDataConverter.get(), List.of(codec), on());
  }

  /** For the operator: whether and how payloads are encrypted; names no key material. */
  public String describe() {
    return on() ? "payloads encrypted with key '" + keyring.activeId() + "' (" + keyring.source() + ")"
        : "payloads not encrypted";
  }
}
