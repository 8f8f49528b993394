package io.carbon254.runbook.trust;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * SSH public keys in their wire form (RFC 4253 §6.6, RFC 5656, RFC 8709) and as JDK keys: what
 * an {@code allowed_signers} line names and what an SSHSIG signature carries. Plain computation.
 */
public final class SshKeys {

  /** {@code 302a300506032b6570032100}: the DER SubjectPublicKeyInfo of Ed25519 before its 32 key bytes. */
  private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  private SshKeys() {}

  /** A public key as SSH writes it: its type and its blob (the base64 part of {@code ssh-ed25519 AAAA...}). */
  public record SshPublicKey(String type, byte[] blob) {

    public SshPublicKey {
      blob = blob.clone();
    }

    /** {@code SHA256:...}, as ssh-keygen prints a key's fingerprint. */
    public String fingerprint() {
      try {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
        return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    public String openSsh() {
      return type + " " + Base64.getEncoder().encodeToString(blob);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SshPublicKey k && k.type.equals(type) && Arrays.equals(k.blob, blob);
    }

    @Override
    public int hashCode() {
      return type.hashCode() * 31 + Arrays.hashCode(blob);
    }

    @Override
    public String toString() {
      return type + " " + fingerprint();
    }
  }

  /** {@code ssh-ed25519 AAAA... [comment]} → the key; an IllegalArgumentException says what is wrong. */
  public static SshPublicKey parse(String type, String base64) {
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the key of type " + type + " is not base64");
    }
    String inBlob = new Reader(blob).string();
    if (!inBlob.equals(type)) {
      throw new IllegalArgumentException("the key says it is " + type + " but holds a " + inBlob + " key");
    }
    SshPublicKey key = new SshPublicKey(type, blob);
    toJdk(key); // checks the rest of it
    return key;
  }

  /** The JDK key of an SSH public key: Ed25519, RSA or ECDSA P-256/384/521. */
  public static PublicKey toJdk(SshPublicKey key) {
    Reader r = new Reader(key.blob());
    String type = r.string();
    try {
      switch (type) {
        case "ssh-ed25519" -> {
          byte[] raw = r.bytes();
          if (raw.length != 32) {
            throw new IllegalArgumentException("an ssh-ed25519 key has 32 bytes, this one " + raw.length);
          }
          byte[] der = new byte[ED25519_SPKI_PREFIX.length + 32];
          System.arraycopy(ED25519_SPKI_PREFIX, 0, der, 0, ED25519_SPKI_PREFIX.length);
          System.arraycopy(raw, 0, der, ED25519_SPKI_PREFIX.length, 32);
          return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        }
        case "ssh-rsa" -> {
          BigInteger e = r.mpint();
          BigInteger n = r.mpint();
          return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
        }
        case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521" -> {
          String curve = r.string();
          byte[] q = r.bytes();
          ECParameterSpec params = curve(curve);
          int size = (params.getCurve().getField().getFieldSize() + 7) / 8;
          if (q.length != 1 + 2 * size || q[0] != 4) {
            throw new IllegalArgumentException("the " + curve + " point is not an uncompressed point");
          }
          ECPoint point = new ECPoint(new BigInteger(1, Arrays.copyOfRange(q, 1, 1 + size)),
              new BigInteger(1, Arrays.copyOfRange(q, 1 + size, q.length)));
          return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, params));
        }
        default -> throw new IllegalArgumentException("unsupported key type " + type
            + " (supported: ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521)");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a valid " + type + " key: " + e.getMessage());
    }
  }

  static ECParameterSpec curve(String sshName) throws GeneralSecurityException {
    String jdkName = switch (sshName) {
      case "nistp256" -> "secp256r1";
      case "nistp384" -> "secp384r1";
      case "nistp521" -> "secp521r1";
      default -> throw new IllegalArgumentException("unsupported curve " + sshName);
    };
    AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
    parameters.init(new ECGenParameterSpec(jdkName));
    return parameters.getParameterSpec(ECParameterSpec.class);
  }

  /** The SSH wire blob of a JDK Ed25519 public key. */
  static byte[] ed25519Blob(PublicKey key) {
    byte[] der = key.getEncoded();
    byte[] raw = Arrays.copyOfRange(der, der.length - 32, der.length);
    Writer w = new Writer();
    w.string("ssh-ed25519");
    w.bytes(raw);
    return w.toByteArray();
  }

  /** Reads SSH wire types (RFC 4251 §5). */
  static final class Reader {
    private final ByteBuffer buffer;

    Reader(byte[] data) {
      this.buffer = ByteBuffer.wrap(data);
    }

    int uint32() {
      if (buffer.remaining() < 4) {
        throw new IllegalArgumentException("truncated: a length is missing");
      }
      return buffer.getInt();
    }

    byte[] bytes() {
      int length = uint32();
      if (length < 0 || length > buffer.remaining()) {
        throw new IllegalArgumentException("truncated: " + length + " bytes announced, " + buffer.remaining() + " left");
      }
      byte[] out = new byte[length];
      buffer.get(out);
      return out;
    }

    String string() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    BigInteger mpint() {
      return new BigInteger(bytes());
    }

    byte[] raw(int length) {
      if (length > buffer.remaining()) {
        throw new IllegalArgumentException("truncated");
      }
      byte[] out = new byte[length];
      buffer.get(out);
      return out;
    }

    boolean atEnd() {
      return !buffer.hasRemaining();
    }
  }

  /** Writes SSH wire types. */
  static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final DataOutputStream data = new DataOutputStream(out);

    Writer raw(byte[] bytes) {
      try {
        data.write(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    Writer uint32(int value) {
      try {
        data.writeInt(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    Writer bytes(byte[] bytes) {
      uint32(bytes.length);
      return raw(bytes);
    }

    Writer string(String text) {
      return bytes(text.getBytes(StandardCharsets.UTF_8));
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }
  }
}
