package io.carbon254.runbook.worker.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The keyring file: what a good one is, and what each mistake says — never echoing a key. */
class KeyringTest {

  /** A real 32-byte key and a 16-byte one; neither may ever appear in a message. */
  static final String KEY_1 = Base64.getEncoder().encodeToString(bytes(32, 1));
  static final String KEY_2 = Base64.getEncoder().encodeToString(bytes(32, 2));
  static final String SHORT_KEY = Base64.getEncoder().encodeToString(bytes(16, 3));

  @TempDir
  Path dir;

  static byte[] bytes(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (seed * 31 + i * 7);
    }
    return bytes;
  }

  Path file(String json) throws IOException {
    return Files.writeString(dir.resolve("keyring.json"), json);
  }

  @Test
  void aKeyringHasItsKeysByIdAndItsActiveKey() throws IOException {
    Keyring keyring = Keyring.load(file("{\"active\": \"k2\", \"keys\": {\"k1\": \"" + KEY_1 + "\", \"k2\": \"" + KEY_2 + "\"}}"));

    assertThat(keyring.activeId()).isEqualTo("k2");
    assertThat(keyring.ids()).containsExactly("k1", "k2");
    assertThat(keyring.key("k1")).get().satisfies(k -> assertThat(k.getEncoded()).isEqualTo(bytes(32, 1)));
    assertThat(keyring.toString()).isEqualTo("keyring " + dir.resolve("keyring.json") + " (active key 'k2'; keys k1, k2)")
        .doesNotContain(KEY_1, KEY_2);
  }

  record Broken(String json, String message) {
    @Override
    public String toString() {
      return message;
    }
  }

  static List<Broken> brokenKeyrings() {
    return List.of(
        new Broken("{\"active\": \"k1\", \"keys\": {\"k1\": \"" + SHORT_KEY + "\"}}",
            ": key 'k1' is 16 bytes; AES-256 needs 32 (make one with 'runbook codec keygen')"),
        new Broken("{\"active\": \"k1\", \"keys\": {\"k1\": \"" + KEY_1 + "!\"}}", ": key 'k1' is not base64"),
        new Broken("{\"active\": \"k3\", \"keys\": {\"k1\": \"" + KEY_1 + "\", \"k2\": \"" + KEY_2 + "\"}}",
            ": the active key 'k3' is not among its keys (k1, k2)"),
        new Broken("{\"keys\": {\"k1\": \"" + KEY_1 + "\"}}",
            " names no active key: set \"active\" to the id of the key that encrypts new payloads (one of k1)"),
        new Broken("{\"active\": \"k1\", \"keys\": {}}",
            " holds no keys: 'keys' must map key ids to base64 AES-256 keys"),
        new Broken("{\"active\": \"k1\", \"activ\": \"k1\", \"keys\": {\"k1\": \"" + KEY_1 + "\"}}",
            ": unknown field 'activ' (expected 'active' and 'keys')"),
        new Broken("{\"active\": \"k 1\", \"keys\": {\"k 1\": \"" + KEY_1 + "\"}}",
            ": key id 'k 1' must be 1-64 letters, digits, '.', '_' or '-'"),
        new Broken("{\"active\": \"k1\", \"keys\": {\"k1\": 42}}", ": key 'k1' must be a base64 string"),
        // Jackson would quote the broken token — here a key: only the position is told.
        new Broken("{\"active\": \"k1\", \"keys\": {\"k1\": " + KEY_1 + "}}", " is not valid JSON (line 1, column 33)"),
        new Broken("[\"" + KEY_1 + "\"]", " must be a JSON object {\"active\": ID, \"keys\": {ID: BASE64, ...}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenKeyrings")
  void aBrokenKeyringSaysWhatIsWrongWithoutEchoingAKey(Broken broken) throws IOException {
    Path file = file(broken.json());

    assertThatThrownBy(() -> Keyring.load(file))
        .isInstanceOf(KeyringException.class)
        .hasMessage("keyring " + file + broken.message())
        .message().doesNotContain(KEY_1, KEY_2, SHORT_KEY, KEY_1.substring(0, 12));
  }

  @Test
  void aMissingFileSaysHowToMakeOne() {
    Path missing = dir.resolve("nowhere.json");

    assertThatThrownBy(() -> Keyring.load(missing)).isInstanceOf(KeyringException.class)
        .hasMessage("keyring " + missing + " does not exist (make one with 'runbook codec keygen " + missing + "')");
  }

  @Test
  void aGeneratedKeyringIsWrittenForItsOwnerOnlyAndReadsBack() throws IOException {
    Path file = dir.resolve("sub/keyring.json");
    Keyring made = Keyring.generate(file, "2026-11-29");
    made.write(file);

    Keyring read = Keyring.load(file);
    assertThat(read.activeId()).isEqualTo("2026-11-29");
    assertThat(read.key("2026-11-29").orElseThrow().getEncoded()).isEqualTo(made.key("2026-11-29").orElseThrow().getEncoded())
        .hasSize(Keyring.KEY_BYTES);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(dir.resolve("sub")).isDirectoryNotContaining(p -> p.getFileName().toString().endsWith(".tmp"));
  }

  @Test
  void aNewKeyKeepsTheOldOnesAndBecomesActiveUnlessToldNot() {
    Path file = dir.resolve("keyring.json");
    Keyring first = Keyring.generate(file, "k1");

    Keyring staged = first.withNewKey("k2", false);
    assertThat(staged.activeId()).isEqualTo("k1");
    assertThat(staged.ids()).containsExactly("k1", "k2");
    Keyring rotated = staged.withNewKey("k3", true);
    assertThat(rotated.activeId()).isEqualTo("k3");
    assertThat(rotated.key("k1").orElseThrow().getEncoded()).isEqualTo(first.key("k1").orElseThrow().getEncoded());
    assertThat(rotated.key("k3").orElseThrow().getEncoded()).isNotEqualTo(rotated.key("k2").orElseThrow().getEncoded());
    assertThatThrownBy(() -> rotated.withNewKey("k2", true)).hasMessage("keyring " + file + " already has a key 'k2'");
  }
}
