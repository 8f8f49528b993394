package io.carbon254.runbook.worker.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys that encrypt payloads, by key id, and which one encrypts new payloads. Read from
 * a JSON file — typically a mounted Kubernetes Secret — named by {@value #ENV} or
 * {@code --codec-keys}:
 *
 * <pre>{"active": "2026-11", "keys": {"2026-05": "&lt;base64 of 32 bytes&gt;", "2026-11": "..."}}</pre>
 *
 * <p>Payloads are decrypted by the key id they carry, so a key that is no longer active still reads
 * what it encrypted while it stays in the file. Nothing here ever prints key material: messages
 * name the file and key ids only.
 */
public final class Keyring {

  /** The environment variable naming the keyring file. */
  public static final String ENV = "RUNBOOK_CODEC_KEYS";
  public static final int KEY_BYTES = 32;
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String source;
  private final String activeId;
  private final Map<String, SecretKey> keys;

  private Keyring(String source, String activeId, Map<String, SecretKey> keys) {
    this.source = source;
    this.activeId = activeId;
    this.keys = Collections.unmodifiableMap(keys);
  }

  /** Reads and checks a keyring file; a problem is a {@link KeyringException} saying what is wrong. */
  public static Keyring load(Path file) {
    String source = "keyring " + file;
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new KeyringException(source + " does not exist (make one with 'runbook codec keygen " + file + "')");
    } catch (AccessDeniedException e) {
      throw new KeyringException(source + " is not readable by this user");
    } catch (IOException e) {
      throw new KeyringException(source + " cannot be read: " + e.getClass().getSimpleName());
    }
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      // Jackson's message may quote the file's content: only the position.
      throw new KeyringException(source + " is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ")");
    } catch (IOException e) {
      throw new KeyringException(source + " cannot be read: " + e.getClass().getSimpleName());
    }
    return parse(source, root);
  }

  private static Keyring parse(String source, JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new KeyringException(source + " must be a JSON object {\"active\": ID, \"keys\": {ID: BASE64, ...}}");
    }
    for (Iterator<String> fields = root.fieldNames(); fields.hasNext(); ) {
      String field = fields.next();
      if (!field.equals("active") && !field.equals("keys")) {
        throw new KeyringException(source + ": unknown field '" + printable(field) + "' (expected 'active' and 'keys')");
      }
    }
    JsonNode keysNode = root.get("keys");
    if (keysNode == null || !keysNode.isObject() || keysNode.isEmpty()) {
      throw new KeyringException(source + " holds no keys: 'keys' must map key ids to base64 AES-256 keys");
    }
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = keysNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String id = entry.getKey();
      checkId(source, id);
      if (!entry.getValue().isTextual()) {
        throw new KeyringException(source + ": key '" + id + "' must be a base64 string");
      }
      byte[] key;
      try {
        key = Base64.getDecoder().decode(entry.getValue().asText().strip());
      } catch (IllegalArgumentException e) {
        throw new KeyringException(source + ": key '" + id + "' is not base64");
      }
      if (key.length != KEY_BYTES) {
        throw new KeyringException(source + ": key '" + id + "' is " + key.length + " bytes; AES-256 needs " + KEY_BYTES
            + " (make one with 'runbook codec keygen')");
      }
      keys.put(id, new SecretKeySpec(key, "AES"));
    }
    JsonNode active = root.get("active");
    if (active == null || !active.isTextual() || active.asText().isBlank()) {
      throw new KeyringException(source + " names no active key: set \"active\" to the id of the key that encrypts new"
          + " payloads (one of " + String.join(", ", keys.keySet()) + ")");
    }
    if (!keys.containsKey(active.asText())) {
      throw new KeyringException(source + ": the active key '" + printable(active.asText()) + "' is not among its keys ("
          + String.join(", ", keys.keySet()) + ")");
    }
    return new Keyring(source, active.asText(), keys);
  }

  private static void checkId(String source, String id) {
    if (!KEY_ID.matcher(id).matches()) {
      throw new KeyringException(source + ": key id '" + printable(id) + "' must be 1-64 letters, digits, '.', '_' or '-'");
    }
  }

  /** A key id for a message: short, and nothing that could be a key. */
  private static String printable(String id) {
    return id.length() > 64 ? id.substring(0, 16) + "..." : id;
  }

  /** Where the keys come from, for messages: {@code keyring /etc/runbook/keyring.json}. */
  public String source() {
    return source;
  }

  /** The id of the key that encrypts new payloads. */
  public String activeId() {
    return activeId;
  }

  /** Every key id, in the file's order. */
  public Set<String> ids() {
    return keys.keySet();
  }

  Optional<SecretKey> key(String id) {
    return Optional.ofNullable(keys.get(id));
  }

  SecretKey activeKey() {
    return keys.get(activeId);
  }

  /** This keyring with a new random key {@code id}, made active if {@code activate}. */
  public Keyring withNewKey(String id, boolean activate) {
    checkId(source, id);
    if (keys.containsKey(id)) {
      throw new KeyringException(source + " already has a key '" + id + "'");
    }
    Map<String, SecretKey> more = new LinkedHashMap<>(keys);
    more.put(id, newKey());
    return new Keyring(source, activate ? id : activeId, more);
  }

  /** A keyring of one new random key, active. */
  public static Keyring generate(Path file, String id) {
    String source = "keyring " + file;
    checkId(source, id);
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    keys.put(id, newKey());
    return new Keyring(source, id, keys);
  }

  private static SecretKey newKey() {
    byte[] key = new byte[KEY_BYTES];
    RANDOM.nextBytes(key);
    return new SecretKeySpec(key, "AES");
  }

  /**
   * Writes this keyring to {@code file}, readable by its owner only where the file system has POSIX
   * permissions; the old file is replaced at once (a temporary file next to it, then a move).
   */
  public void write(Path file) {
    ObjectNode root = JSON.createObjectNode();
    root.put("active", activeId);
    ObjectNode keyNodes = root.putObject("keys");
    keys.forEach((id, key) -> keyNodes.put(id, Base64.getEncoder().encodeToString(key.getEncoded())));
    Path dir = file.toAbsolutePath().getParent();
    Path temp = null;
    try {
      Files.createDirectories(dir);
      temp = Files.createTempFile(dir, ".keyring", ".tmp");
      try {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // the file system decides
      }
      Files.write(temp, (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8));
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new KeyringException("cannot write keyring " + file + ": " + e.getClass().getSimpleName() + " "
          + e.getMessage());
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // already moved, or nothing more to do
        }
      }
    }
  }

  @Override
  public String toString() {
    List<String> ids = new ArrayList<>(keys.keySet());
    return source + " (active key '" + activeId + "'; keys " + String.join(", ", ids) + ")";
  }
}
