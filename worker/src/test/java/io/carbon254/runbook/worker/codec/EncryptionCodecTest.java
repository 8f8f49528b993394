package io.carbon254.runbook.worker.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.failure.v1.Failure;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AES-256-GCM payloads: a round trip, tampering refused, rotation by key id, an unknown key named. */
class EncryptionCodecTest {

  static final String PLATFORM_DATA = "harbor.254carbon.com robot$runbooks secret-bucket-254carbon-backups";

  record Evidence(String host, List<String> namespaces, Map<String, String> outputs) {}

  @TempDir
  Path dir;

  Keyring keyring(String active, String... ids) throws IOException {
    StringBuilder keys = new StringBuilder();
    for (String id : ids) {
      keys.append(keys.length() == 0 ? "" : ", ").append('"').append(id).append("\": \"")
          .append(Base64.getEncoder().encodeToString(KeyringTest.bytes(32, id.hashCode()))).append('"');
    }
    Path file = dir.resolve(String.join("-", ids) + "-" + active + ".json");
    Files.writeString(file, "{\"active\": \"" + active + "\", \"keys\": {" + keys + "}}");
    return Keyring.load(file);
  }

  static Payload json(String text) {
    return DefaultDataConverter.STANDARD_INSTANCE.toPayload(text).orElseThrow();
  }

  static boolean contains(Payload payload, String text) {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    List<ByteString> parts = new ArrayList<>(payload.getMetadataMap().values());
    parts.add(payload.getData());
    return parts.stream().anyMatch(part -> part.toStringUtf8().contains(text)
        || ByteString.copyFrom(needle).equals(part));
  }

  @Test
  void aPayloadRoundTripsAndHoldsNothingReadableWhileEncrypted() throws IOException {
    EncryptionCodec codec = new EncryptionCodec(keyring("k1", "k1"));
    Payload original = json(PLATFORM_DATA);

    Payload encrypted = codec.encode(List.of(original)).get(0);

    assertThat(encrypted.getMetadataMap()).containsOnly(
        Map.entry("encoding", ByteString.copyFromUtf8("binary/encrypted")),
        Map.entry("encryption-key-id", ByteString.copyFromUtf8("k1")));
    assertThat(contains(encrypted, "254carbon")).isFalse();
    assertThat(contains(encrypted, "json/plain")).as("the original encoding is inside the ciphertext").isFalse();
    assertThat(encrypted.getData().size()).isEqualTo(12 + original.getSerializedSize() + 16);
    assertThat(codec.decode(List.of(encrypted))).containsExactly(original);
    assertThat(codec.encode(List.of(original)).get(0).getData()).as("a fresh nonce every time")
        .isNotEqualTo(encrypted.getData());
  }

  @Test
  void aPayloadThatIsNotEncryptedPassesThrough() throws IOException {
    Payload plain = json("from before encryption was on");

    assertThat(new EncryptionCodec(keyring("k1", "k1")).decode(List.of(plain))).containsExactly(plain);
    assertThat(new EncryptionCodec(null).decode(List.of(plain))).containsExactly(plain);
    assertThat(new EncryptionCodec(null).encode(List.of(plain))).as("without a keyring nothing changes").containsExactly(plain);
  }

  @Test
  void aTamperedCiphertextOrKeyIdIsRefused() throws IOException {
    EncryptionCodec codec = new EncryptionCodec(keyring("k1", "k1", "k2"));
    Payload encrypted = codec.encode(List.of(json(PLATFORM_DATA))).get(0);
    byte[] data = encrypted.getData().toByteArray();
    data[20] ^= 1;
    Payload flipped = encrypted.toBuilder().setData(ByteString.copyFrom(data)).build();
    Payload relabelled = encrypted.toBuilder().putMetadata("encryption-key-id", ByteString.copyFromUtf8("k2")).build();
    Payload truncated = encrypted.toBuilder().setData(encrypted.getData().substring(0, 20)).build();

    assertThatThrownBy(() -> codec.decode(List.of(flipped))).isInstanceOf(UnreadablePayloadException.class)
        .hasMessage("an encrypted payload (key 'k1') fails authentication: it was altered, or the key 'k1' of keyring "
            + dir.resolve("k1-k2-k1.json") + " is not the key it was encrypted with");
    assertThatThrownBy(() -> codec.decode(List.of(relabelled))).isInstanceOf(UnreadablePayloadException.class)
        .hasMessageContaining("(key 'k2') fails authentication");
    assertThatThrownBy(() -> codec.decode(List.of(truncated))).isInstanceOf(UnreadablePayloadException.class)
        .hasMessage("an encrypted payload (key 'k1') is too short to be one: 20 bytes");
  }

  @Test
  void keysRotateByIdOldPayloadsStayReadableNewOnesUseTheActiveKey() throws IOException {
    Payload before = new EncryptionCodec(keyring("k1", "k1")).encode(List.of(json("encrypted before the rotation"))).get(0);
    EncryptionCodec rotated = new EncryptionCodec(keyring("k2", "k1", "k2"));

    assertThat(rotated.decode(List.of(before))).containsExactly(json("encrypted before the rotation"));
    Payload after = rotated.encode(List.of(json("encrypted after"))).get(0);
    assertThat(EncryptionCodec.keyId(after)).isEqualTo("k2");
    assertThat(EncryptionCodec.keyId(before)).isEqualTo("k1");

    EncryptionCodec retired = new EncryptionCodec(keyring("k2", "k2"));
    assertThat(retired.decode(List.of(after))).containsExactly(json("encrypted after"));
    assertThatThrownBy(() -> retired.decode(List.of(before))).isInstanceOf(UnreadablePayloadException.class)
        .hasMessage("the run's data is encrypted with key 'k1', which keyring " + dir.resolve("k2-k2.json")
            + " does not hold (it holds k2): add that key to the keyring; a retired key must stay until no run needs it")
        .extracting(e -> ((UnreadablePayloadException) e).keyId()).isEqualTo("k1");
  }

  @Test
  void withoutAKeyringAnEncryptedPayloadIsRefusedNamingItsKeyAndWhatToSet() throws IOException {
    Payload encrypted = new EncryptionCodec(keyring("k7", "k7")).encode(List.of(json(PLATFORM_DATA))).get(0);
    EncryptionCodec none = new EncryptionCodec(null);
    List<String> told = new ArrayList<>();
    none.onUnreadable(told::add);

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> none.decode(List.of(encrypted))).isInstanceOf(UnreadablePayloadException.class)
          .hasMessage("the run's data is encrypted with key 'k7' and this process has no keyring: set RUNBOOK_CODEC_KEYS"
              + " (or --codec-keys) to the keyring file that holds that key");
    }
    assertThat(told).as("told once per key id, not at every attempt").hasSize(1);
  }

  @Test
  void theDataConverterEncryptsValuesAndFailureMessages() throws IOException {
    DataConverter converter = PayloadEncryption.with(keyring("k1", "k1")).dataConverter();
    Evidence evidence = new Evidence("harbor.254carbon.com", List.of("data-platform"), Map.of("bucket", "254carbon-backups"));

    Payload payload = converter.toPayload(evidence).orElseThrow();
    assertThat(contains(payload, "254carbon")).isFalse();
    assertThat(converter.fromPayload(payload, Evidence.class, Evidence.class)).isEqualTo(evidence);

    Failure failure = converter.exceptionToFailure(
        ApplicationFailure.newFailure("cannot reach harbor.254carbon.com: 401", "HarborUnauthorized"));
    assertThat(failure.getMessage()).isEqualTo("Encoded failure");
    assertThat(failure.getStackTrace()).isEmpty();
    assertThat(contains(failure.getEncodedAttributes(), "254carbon")).isFalse();
    assertThat(((ApplicationFailure) converter.failureToException(failure)).getOriginalMessage())
        .isEqualTo("cannot reach harbor.254carbon.com: 401");

    DataConverter off = PayloadEncryption.off().dataConverter();
    assertThat(off.toPayload(evidence)).as("off: the payload the SDK writes").isEqualTo(
        DefaultDataConverter.STANDARD_INSTANCE.toPayload(evidence));
    assertThat(off.exceptionToFailure(ApplicationFailure.newFailure("plain", "T")).getMessage()).isEqualTo("plain");
  }
}
