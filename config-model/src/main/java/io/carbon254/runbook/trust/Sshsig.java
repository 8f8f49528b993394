package io.carbon254.runbook.trust;

import io.carbon254.runbook.trust.SshKeys.Reader;
import io.carbon254.runbook.trust.SshKeys.SshPublicKey;
import io.carbon254.runbook.trust.SshKeys.Writer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * Detached SSH signatures in the SSHSIG format (OpenSSH's PROTOCOL.sshsig) — what {@code ssh-keygen
 * -Y sign -n NAMESPACE} makes and git uses for commit signing. Verification is plain computation on
 * the JDK's Ed25519, RSA and ECDSA, so it runs in workflow code: in a gate's validator, its signal
 * handler and for decisions queued before their gate opened, alike.
 */
public final class Sshsig {

  private static final byte[] MAGIC = "SSHSIG".getBytes(StandardCharsets.US_ASCII);
  private static final String BEGIN = "-----BEGIN SSH SIGNATURE-----";
  private static final String END = "-----END SSH SIGNATURE-----";

  private Sshsig() {}

  /** What a signature holds: the signer's public key, its namespace and hash, the signature itself. */
  public record Signed(SshPublicKey key, String namespace, String hashAlgorithm, String signatureAlgorithm, byte[] signature) {}

  /** Parses an armored signature; an IllegalArgumentException says what is wrong with it. */
  public static Signed parse(String armored) {
    if (armored == null || armored.isBlank()) {
      throw new IllegalArgumentException("no signature");
    }
    String text = armored.strip();
    if (!text.startsWith(BEGIN) || !text.endsWith(END)) {
      throw new IllegalArgumentException("not an SSH signature (" + BEGIN + " ... " + END + ")");
    }
    String body = text.substring(BEGIN.length(), text.length() - END.length()).replaceAll("\\s", "");
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the SSH signature is not base64");
    }
    Reader r = new Reader(blob);
    byte[] magic = r.raw(MAGIC.length);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new IllegalArgumentException("not an SSHSIG blob");
    }
    int version = r.uint32();
    if (version != 1) {
      throw new IllegalArgumentException("SSHSIG version " + version + " (only 1 is known)");
    }
    byte[] publicKey = r.bytes();
    String namespace = r.string();
    r.bytes(); // reserved
    String hash = r.string();
    Reader sig = new Reader(r.bytes());
    String algorithm = sig.string();
    byte[] signature = sig.bytes();
    String type = new Reader(publicKey).string();
    return new Signed(new SshPublicKey(type, publicKey), namespace, hash, algorithm, signature);
  }

  /**
   * True when {@code signed} is a signature by its key, in {@code namespace}, over {@code message}.
   * A signature of another namespace, hash or algorithm than its key allows is false, never an error.
   */
  public static boolean verify(Signed signed, String namespace, byte[] message) {
    if (!signed.namespace().equals(namespace)) {
      return false;
    }
    try {
      byte[] toVerify = signedData(namespace, signed.hashAlgorithm(), message);
      PublicKey key = SshKeys.toJdk(signed.key());
      String type = signed.key().type();
      String algorithm = signed.signatureAlgorithm();
      Signature verifier;
      byte[] signature = signed.signature();
      if (type.equals("ssh-ed25519") && algorithm.equals("ssh-ed25519")) {
        verifier = Signature.getInstance("Ed25519");
      } else if (type.equals("ssh-rsa") && algorithm.equals("rsa-sha2-512")) {
        verifier = Signature.getInstance("SHA512withRSA");
      } else if (type.equals("ssh-rsa") && algorithm.equals("rsa-sha2-256")) {
        verifier = Signature.getInstance("SHA256withRSA");
      } else if (type.startsWith("ecdsa-sha2-") && algorithm.equals(type)) {
        verifier = Signature.getInstance(switch (type) {
          case "ecdsa-sha2-nistp256" -> "SHA256withECDSA";
          case "ecdsa-sha2-nistp384" -> "SHA384withECDSA";
          default -> "SHA512withECDSA";
        });
        Reader rs = new Reader(signature);
        signature = der(rs.mpint(), rs.mpint());
      } else {
        return false; // e.g. ssh-rsa (SHA-1) signatures, which SSHSIG forbids
      }
      verifier.initVerify(key);
      verifier.update(toVerify);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** Signs {@code message} in {@code namespace} with an Ed25519 key pair of the JDK (the demo's approvers). */
  public static String signEd25519(KeyPair keys, String namespace, byte[] message) {
    try {
      byte[] publicBlob = SshKeys.ed25519Blob(keys.getPublic());
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(keys.getPrivate());
      signer.update(signedData(namespace, "sha512", message));
      byte[] signature = new Writer().string("ssh-ed25519").bytes(signer.sign()).toByteArray();
      byte[] blob = new Writer().raw(MAGIC).uint32(1).bytes(publicBlob).string(namespace).string("").string("sha512")
          .bytes(signature).toByteArray();
      return armor(blob);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every Java 17 runtime", e);
    }
  }

  /** The public key of a JDK Ed25519 key pair as an allowed_signers / authorized_keys key. */
  public static SshPublicKey publicKey(KeyPair keys) {
    return new SshPublicKey("ssh-ed25519", SshKeys.ed25519Blob(keys.getPublic()));
  }

  private static byte[] signedData(String namespace, String hashAlgorithm, byte[] message) throws GeneralSecurityException {
    String jdkHash = switch (hashAlgorithm) {
      case "sha256" -> "SHA-256";
      case "sha512" -> "SHA-512";
      default -> throw new GeneralSecurityException("hash " + hashAlgorithm + " is not allowed in SSHSIG");
    };
    byte[] digest = MessageDigest.getInstance(jdkHash).digest(message);
    return new Writer().raw(MAGIC).string(namespace).string("").string(hashAlgorithm).bytes(digest).toByteArray();
  }

  private static String armor(byte[] blob) {
    String base64 = Base64.getEncoder().encodeToString(blob);
    StringBuilder out = new StringBuilder(BEGIN).append('\n');
    for (int i = 0; i < base64.length(); i += 70) {
      out.append(base64, i, Math.min(base64.length(), i + 70)).append('\n');
    }
    return out.append(END).append('\n').toString();
  }

  /** An ECDSA signature (r, s) as the DER SEQUENCE the JDK verifies. */
  private static byte[] der(BigInteger r, BigInteger s) {
    byte[] rb = r.toByteArray();
    byte[] sb = s.toByteArray();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      body.write(0x02);
      writeLength(body, rb.length);
      body.write(rb);
      body.write(0x02);
      writeLength(body, sb.length);
      body.write(sb);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(0x30);
      writeLength(out, body.size());
      body.writeTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeLength(ByteArrayOutputStream out, int length) {
    if (length < 128) {
      out.write(length);
    } else if (length < 256) {
      out.write(0x81);
      out.write(length);
    } else {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length & 0xff);
    }
  }
}
