package io.carbon254.runbook.worker.codec;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.temporal.api.common.v1.Payload;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM over whole payloads. An encrypted payload has the metadata {@code encoding:
 * binary/encrypted} and {@code encryption-key-id: <id>}, and as data a random 96-bit nonce followed
 * by the GCM ciphertext and its 128-bit tag of the original payload (its metadata and data, as
 * protobuf bytes); the key id is authenticated too. New payloads are encrypted with the keyring's
 * active key; a payload is decrypted with the key its id names. Payloads that are not encrypted
 * (runs from before encryption was turned on) pass through unchanged.
 *
 * <p>Without a keyring this codec changes nothing on the way out and, on the way in, refuses an
 * encrypted payload with a message that says which key it needs and how to give it.
 */
public final class EncryptionCodec implements PayloadCodec {

  public static final String METADATA_ENCODING = "encoding";
  public static final String ENCODING = "binary/encrypted";
  public static final String METADATA_KEY_ID = "encryption-key-id";
  private static final ByteString ENCODING_BYTES = ByteString.copyFromUtf8(ENCODING);
  private static final String CIPHER = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final byte[] AAD_PREFIX = "runbook-payload-v1:".getBytes(StandardCharsets.UTF_8);

  private final Keyring keyring;
  private final SecureRandom random = new SecureRandom();
  private final Set<String> reported = ConcurrentHashMap.newKeySet();
  private volatile Consumer<String> onUnreadable = message -> { };

  /** @param keyring the keys, or null for none (encode changes nothing; encrypted payloads are refused) */
  public EncryptionCodec(Keyring keyring) {
    this.keyring = keyring;
  }

  /** Told once per key id when a payload cannot be decrypted (a worker logs it: a one-line reason). */
  public void onUnreadable(Consumer<String> listener) {
    this.onUnreadable = listener;
  }

  public static boolean isEncrypted(Payload payload) {
    return ENCODING_BYTES.equals(payload.getMetadataOrDefault(METADATA_ENCODING, ByteString.EMPTY));
  }

  /** The key id an encrypted payload names, or null. */
  public static String keyId(Payload payload) {
    ByteString id = payload.getMetadataOrDefault(METADATA_KEY_ID, null);
    return id == null ? null : id.toStringUtf8();
  }

  @Override
  public List<Payload> encode(List<Payload> payloads) {
    if (keyring == null) {
      return payloads;
    }
    List<Payload> encoded = new ArrayList<>(payloads.size());
    for (Payload payload : payloads) {
      encoded.add(encrypt(payload));
    }
    return encoded;
  }

  @Override
  public List<Payload> decode(List<Payload> payloads) {
    List<Payload> decoded = new ArrayList<>(payloads.size());
    for (Payload payload : payloads) {
      decoded.add(isEncrypted(payload) ? decrypt(payload) : payload);
    }
    return decoded;
  }

  private Payload encrypt(Payload payload) {
    String id = keyring.activeId();
    byte[] plain = payload.toByteArray();
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(CIPHER);
      cipher.init(Cipher.ENCRYPT_MODE, keyring.activeKey(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(aad(id));
      byte[] out = new byte[NONCE_BYTES + cipher.getOutputSize(plain.length)];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      cipher.doFinal(plain, 0, plain.length, out, NONCE_BYTES);
      return Payload.newBuilder()
          .putMetadata(METADATA_ENCODING, ENCODING_BYTES)
          .putMetadata(METADATA_KEY_ID, ByteString.copyFromUtf8(id))
          .setData(ByteString.copyFrom(out))
          .build();
    } catch (GeneralSecurityException e) {
      // A JRE without AES-GCM: nothing a user can fix here, and nothing secret in the message.
      throw new PayloadCodecException("cannot encrypt a payload with AES-256-GCM: " + e.getClass().getSimpleName());
    }
  }

  private Payload decrypt(Payload payload) {
    String id = keyId(payload);
    if (id == null) {
      throw unreadable(null, "an encrypted payload names no key (metadata '" + METADATA_KEY_ID + "' is missing)");
    }
    if (keyring == null) {
      throw unreadable(id, "the run's data is encrypted with key '" + id + "' and this process has no keyring: set "
          + Keyring.ENV + " (or --codec-keys) to the keyring file that holds that key");
    }
    SecretKey key = keyring.key(id).orElseThrow(() -> unreadable(id, "the run's data is encrypted with key '" + id
        + "', which " + keyring.source() + " does not hold (it holds " + String.join(", ", keyring.ids())
        + "): add that key to the keyring; a retired key must stay until no run needs it"));
    byte[] data = payload.getData().toByteArray();
    if (data.length < NONCE_BYTES + TAG_BITS / 8) {
      throw unreadable(id, "an encrypted payload (key '" + id + "') is too short to be one: " + data.length + " bytes");
    }
    byte[] plain;
    try {
      Cipher cipher = Cipher.getInstance(CIPHER);
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, NONCE_BYTES));
      cipher.updateAAD(aad(id));
      plain = cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw unreadable(id, "an encrypted payload (key '" + id + "') fails authentication: it was altered, or the key '"
          + id + "' of " + keyring.source() + " is not the key it was encrypted with");
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException("cannot decrypt a payload with AES-256-GCM: " + e.getClass().getSimpleName());
    }
    try {
      return Payload.parseFrom(plain);
    } catch (InvalidProtocolBufferException e) {
      throw unreadable(id, "an encrypted payload (key '" + id + "') decrypts to something that is not a payload");
    }
  }

  private UnreadablePayloadException unreadable(String id, String message) {
    if (reported.add(String.valueOf(id))) {
      onUnreadable.accept(message);
    }
    return new UnreadablePayloadException(id, message);
  }

  private static byte[] aad(String keyId) {
    byte[] id = keyId.getBytes(StandardCharsets.UTF_8);
    byte[] aad = new byte[AAD_PREFIX.length + id.length];
    System.arraycopy(AAD_PREFIX, 0, aad, 0, AAD_PREFIX.length);
    System.arraycopy(id, 0, aad, AAD_PREFIX.length, id.length);
    return aad;
  }
}
