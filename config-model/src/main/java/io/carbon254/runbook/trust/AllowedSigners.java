package io.carbon254.runbook.trust;

import io.carbon254.runbook.trust.SshKeys.SshPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who may sign decisions, in OpenSSH's {@code allowed_signers} format (the one git uses): one line
 * per key, {@code principal[,principal...] [namespaces="ns1,ns2"] keytype base64 [comment]}.
 * Principals are normalized ({@link Principals}); certificate authorities and validity windows
 * are not supported here and are refused, not ignored.
 */
public final class AllowedSigners {

  /** One line: the principals a key speaks for, and the namespaces it may sign in (empty: any). */
  public record Entry(List<String> principals, List<String> namespaces, SshPublicKey key) {}

  private static final Pattern OPTION = Pattern.compile("([a-zA-Z-]+)(?:=\"([^\"]*)\")?");

  private final List<Entry> entries;

  private AllowedSigners(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  public static AllowedSigners none() {
    return new AllowedSigners(List.of());
  }

  /** Parses the lines; an IllegalArgumentException names the first line that is wrong and why. */
  public static AllowedSigners parse(List<String> lines) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i) == null ? "" : lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        entries.add(parseLine(line));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("[" + i + "]: " + e.getMessage());
      }
    }
    return new AllowedSigners(entries);
  }

  static Entry parseLine(String line) {
    List<String> fields = new ArrayList<>(Arrays.asList(line.split("\\s+")));
    if (fields.size() < 3) {
      throw new IllegalArgumentException("an allowed signer is 'principal keytype base64-key', this line has "
          + fields.size() + " field(s)");
    }
    List<String> principals = new ArrayList<>();
    for (String p : fields.remove(0).split(",")) {
      String normal = Principals.normalize(p);
      if (normal == null) {
        throw new IllegalArgumentException("an empty principal name");
      }
      principals.add(normal);
    }
    List<String> namespaces = List.of();
    while (!fields.isEmpty() && !fields.get(0).startsWith("ssh-") && !fields.get(0).startsWith("ecdsa-")) {
      String option = fields.remove(0);
      Matcher m = OPTION.matcher(option);
      if (!m.matches()) {
        throw new IllegalArgumentException("cannot read option '" + option + "'");
      }
      switch (m.group(1).toLowerCase(java.util.Locale.ROOT)) {
        case "namespaces" -> namespaces = List.of(m.group(2) == null ? new String[0] : m.group(2).split(","));
        default -> throw new IllegalArgumentException("option '" + m.group(1) + "' is not supported here (only namespaces=\"...\")");
      }
    }
    if (fields.size() < 2) {
      throw new IllegalArgumentException("a key type and a base64 key are missing after the principals");
    }
    SshPublicKey key = SshKeys.parse(fields.get(0), fields.get(1));
    return new Entry(List.copyOf(principals), namespaces, key);
  }

  /** The principals {@code key} may sign for in {@code namespace}, in the order the file lists them. */
  public List<String> principalsOf(SshPublicKey key, String namespace) {
    List<String> principals = new ArrayList<>();
    for (Entry e : entries) {
      if (e.key().equals(key) && (e.namespaces().isEmpty() || e.namespaces().contains(namespace))) {
        e.principals().stream().filter(p -> !principals.contains(p)).forEach(principals::add);
      }
    }
    return principals;
  }

  public List<Entry> entries() {
    return entries;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }
}
