package io.carbon254.runbook.cli;

import io.carbon254.runbook.config.Approvals;
import io.carbon254.runbook.config.GatePolicy;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.Signature;
import io.carbon254.runbook.trust.Principals;
import io.carbon254.runbook.trust.SignedMessages;
import io.carbon254.runbook.trust.Sshsig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The people of a sandbox and their signing keys: every person the configuration's approval
 * policies name (groups, approvers, operators), the demo's approvers, and whoever runs the CLI.
 * The sandbox is a platform of its own, so its keys are made for it (Ed25519, when the sandbox
 * starts) and are its allowed signers: the demo and {@code runbook dev --sandbox} exercise signed
 * decisions end to end without anyone's real key. The keys live in the sandbox's state directory
 * ({@code keys/<person>.key}), where the CLI finds the key of {@code --as NAME}.
 */
final class SandboxPeople {

  static final List<String> DEMO_APPROVERS = List.of("demo-approver-1", "demo-approver-2", "demo-approver-3");

  private final Map<String, KeyPair> keys;

  private SandboxPeople(Map<String, KeyPair> keys) {
    this.keys = keys;
  }

  /** Keys for everyone {@code config} names, the demo's approvers and the {@code extra} people. */
  static SandboxPeople generate(PlatformConfig config, String... extra) {
    List<String> named = new ArrayList<>(DEMO_APPROVERS);
    Approvals approvals = config.approvals();
    if (approvals != null) {
      approvals.groups().values().forEach(named::addAll);
      List<GatePolicy> policies = new ArrayList<>(approvals.gates().values());
      policies.add(approvals.defaults());
      for (GatePolicy policy : policies) {
        if (policy != null && policy.approvers() != null) {
          policy.approvers().stream().filter(a -> !a.startsWith("group:")).forEach(named::add);
        }
      }
      approvals.operators().defaults().stream().filter(a -> !a.startsWith("group:")).forEach(named::add);
    }
    named.addAll(List.of(extra));
    TreeSet<String> people = new TreeSet<>();
    named.stream().map(Principals::normalize).filter(java.util.Objects::nonNull).forEach(people::add);
    Map<String, KeyPair> keys = new LinkedHashMap<>();
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      people.forEach(p -> keys.put(p, generator.generateKeyPair()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every Java 17 runtime", e);
    }
    return new SandboxPeople(keys);
  }

  /** The sandbox platform: {@code config} taking signed decisions by these people's keys. */
  PlatformConfig platform(PlatformConfig config) {
    return config.withApprovals(config.approvals().signedBy(allowedSigners()));
  }

  List<String> allowedSigners() {
    List<String> lines = new ArrayList<>();
    keys.forEach((person, pair) -> lines.add(person + " " + Sshsig.publicKey(pair).openSsh()));
    return lines;
  }

  Optional<KeyPair> key(String person) {
    return Optional.ofNullable(keys.get(Principals.normalize(person)));
  }

  /** {@code person}'s signature over {@code message} (valid until {@code expires}) on {@code platform}. */
  Signature sign(String person, String platform, String message, String expires) {
    KeyPair pair = key(person).orElseThrow(() -> new CliException(ExitCodes.USAGE,
        "the sandbox has no key for '" + person + "' (its people: " + String.join(", ", keys.keySet()) + ")"));
    return new Signature(Sshsig.signEd25519(pair, SignedMessages.sshNamespace(platform),
        message.getBytes(StandardCharsets.UTF_8)), expires);
  }

  /** Writes the keys into {@code stateDir}/keys: a private key per person, and the allowed signers. */
  void write(Path stateDir) {
    Path dir = stateDir.resolve("keys");
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, KeyPair> person : keys.entrySet()) {
        Base64.Encoder b64 = Base64.getEncoder();
        Files.writeString(dir.resolve(person.getKey() + ".key"), "pkcs8:" + b64.encodeToString(person.getValue().getPrivate()
            .getEncoded()) + "\nx509:" + b64.encodeToString(person.getValue().getPublic().getEncoded()) + "\n");
      }
      Files.writeString(dir.resolve("allowed_signers"), String.join("\n", allowedSigners()) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the sandbox's keys to " + dir, e);
    }
  }

  /** The people and keys a sandbox wrote into {@code stateDir}, or empty if it wrote none. */
  static Optional<SandboxPeople> read(Path stateDir) {
    Path dir = stateDir.resolve("keys");
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    Map<String, KeyPair> keys = new LinkedHashMap<>();
    try (var files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".key")).sorted().toList()) {
        Map<String, String> parts = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            parts.put(line.substring(0, colon), line.substring(colon + 1));
          }
        }
        KeyFactory factory = KeyFactory.getInstance("Ed25519");
        keys.put(file.getFileName().toString().replaceAll("\\.key$", ""), new KeyPair(
            factory.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(parts.get("x509")))),
            factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(parts.get("pkcs8"))))));
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new CliException(ExitCodes.UNAVAILABLE, "cannot read the sandbox's keys in " + dir + ": "
          + e.getClass().getSimpleName());
    }
    return Optional.of(new SandboxPeople(keys));
  }
}
