package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose file's upgrade story: an installation whose schema step ran with the previous pinned
 * Temporal version's schema files runs the same step with the current version's files (what
 * changing the admin-tools tag does) and ends with exactly the schema a fresh installation of the
 * current version has; the current server then starts on it and the namespace step succeeds.
 */
class SchemaUpgradeTest {

  @TempDir
  Path dir;

  @Test
  void theSchemaStepUpgradesThePreviousVersionsSchemaToExactlyTheCurrentOne() {
    ProductionTopology.Tools current = ProductionTopology.pinnedTools();
    ProductionTopology.Tools previous = ProductionTopology.previousSchema();
    assertThat(numbers(previous.version())).as("the previous version %s is older than the pinned %s", previous.version(),
        current.version()).isLessThan(numbers(current.version()));

    try (NativePostgres upgraded = ProductionTopology.postgres(); NativePostgres fresh = ProductionTopology.postgres()) {
      ProductionTopology.schemaSteps(upgraded, current, previous);
      assertThat(version(upgraded, "temporal")).as("the installation before the upgrade")
          .isEqualTo(latest(previous, "temporal"));
      assertThat(version(upgraded, "temporal_visibility")).isEqualTo(latest(previous, "visibility"));

      ProductionTopology.schemaSteps(upgraded, current, current);
      ProductionTopology.schemaSteps(fresh, current, current);

      assertThat(version(upgraded, "temporal")).as("after the upgrade").isEqualTo(latest(current, "temporal"));
      assertThat(version(upgraded, "temporal_visibility")).isEqualTo(latest(current, "visibility"));
      assertThat(upgraded.schemaDump("temporal")).as("the upgraded schema is the fresh one")
          .isEqualTo(fresh.schemaDump("temporal"));
      assertThat(upgraded.schemaDump("temporal_visibility")).isEqualTo(fresh.schemaDump("temporal_visibility"));
      System.out.println("schema upgrade " + previous.version() + " -> " + current.version() + ": temporal "
          + latest(previous, "temporal") + " -> " + latest(current, "temporal") + ", visibility "
          + latest(previous, "visibility") + " -> " + latest(current, "visibility"));

      ProductionTopology.TemporalServer server = new ProductionTopology.TemporalServer(current, upgraded,
          dir.resolve("temporal-server.log"));
      try {
        server.start(false);
        Jvm.Result setup = Jvm.run(ProductionTopology.COMPOSE.env("temporal-namespace"), "setup", "--wait", "1m",
            "--address", server.address());
        assertThat(setup.exitCode()).as("runbook setup on the upgraded installation: %s%s", setup.out(), setup.err()).isZero();
        assertThat(setup.out()).contains("search attribute RunbookState (Keyword): registered");
      } finally {
        server.close();
      }
    }
  }

  /** The schema version a database records. */
  private static String version(NativePostgres postgres, String database) {
    return postgres.query(database, "SELECT curr_version FROM schema_version WHERE version_partition = 0");
  }

  /** The newest {@code vX.Y} directory of a version's versioned schema: what its schema step brings a database to. */
  private static String latest(ProductionTopology.Tools tools, String schema) {
    Path versioned = tools.schemaDir().resolve("postgresql/v12/" + schema + "/versioned");
    Pattern name = Pattern.compile("v(\\d+)\\.(\\d+)");
    try (Stream<Path> dirs = Files.list(versioned)) {
      return dirs.map(d -> d.getFileName().toString()).filter(d -> name.matcher(d).matches())
          .max(Comparator.comparing((String d) -> part(name, d, 1)).thenComparing(d -> part(name, d, 2)))
          .map(d -> d.substring(1))
          .orElseThrow();
    } catch (IOException e) {
      throw new AssertionError("cannot list " + versioned + ": " + e, e);
    }
  }

  /** {@code 1.30.4} as {@code 00001.00030.00004}: versions that compare as strings. */
  private static String numbers(String version) {
    StringBuilder out = new StringBuilder();
    for (String part : version.split("\\.")) {
      out.append(String.format("%05d.", Integer.parseInt(part)));
    }
    return out.toString();
  }

  private static int part(Pattern name, String dir, int group) {
    Matcher m = name.matcher(dir);
    assertThat(m.matches()).isTrue();
    return Integer.parseInt(m.group(group));
  }
}
