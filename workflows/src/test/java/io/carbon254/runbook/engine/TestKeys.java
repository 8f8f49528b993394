package io.carbon254.runbook.engine;

import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.trust.SignedMessages;
import io.carbon254.runbook.trust.Sshsig;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ed25519 keys of the people in the tests (alice, bob, ..., mallory), made once per JVM: the
 * allowed signers of a test platform, and the signatures of their decisions.
 */
public final class TestKeys {

  private static final Map<String, KeyPair> KEYS = new ConcurrentHashMap<>();

  private TestKeys() {}

  public static KeyPair of(String person) {
    return KEYS.computeIfAbsent(person, p -> {
      try {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** {@code person ssh-ed25519 AAAA...} lines for these people. */
  public static List<String> allowedSigners(Collection<String> people) {
    List<String> lines = new ArrayList<>();
    new TreeSet<>(people).forEach(p -> lines.add(p + " " + Sshsig.publicKey(of(p)).openSsh()));
    return lines;
  }

  /** {@code config} taking signed decisions, each person of its groups (and {@code others}) an allowed signer. */
  public static PlatformConfig signedBy(PlatformConfig config, String... others) {
    TreeSet<String> people = new TreeSet<>(List.of(others));
    config.approvals().groups().values().forEach(people::addAll);
    return config.withApprovals(config.approvals().signedBy(allowedSigners(people)));
  }

  /** The signature of {@code person} over {@code message} (whose expiry is {@code expires}) on {@code platform}. */
  public static Signature sign(String person, String platform, String message, String expires) {
    return new Signature(Sshsig.signEd25519(of(person), SignedMessages.sshNamespace(platform),
        message.getBytes(StandardCharsets.UTF_8)), expires);
  }

  /** Ten minutes after {@code isoTime} (a time of the run: the test environment's clock may be ahead). */
  public static String tenMinutesAfter(String isoTime) {
    return Instant.parse(isoTime).plus(Duration.ofMinutes(10)).toString();
  }
}
