package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code runbook demo --yes} as a new user runs it: a separate JVM with the product's classpath only. */
class DemoTest {

  @Test
  void theDemoRunsEveryRunbookOnTheSandboxAndEndsWithTheSummary() {
    Jvm.Result demo = Jvm.run(Map.of(), "demo", "--yes");

    assertThat(demo.exitCode()).as(demo.out() + demo.err()).isZero();
    assertThat(demo.out())
        .contains("runbook demo on the simulated platform '254carbon'")
        .contains("▶ platform-check")
        .contains("✓ check-cluster")
        .containsPattern("platform-check\\s+SUCCEEDED")
        .containsPattern("backup-activation\\s+SUCCEEDED")
        .containsPattern("image-mirror\\s+SUCCEEDED")
        .contains("| Enhanced Monitoring | ✓ |")
        .contains("| Backup Strategy | ✓ |")
        .contains("| Image Mirroring | ✓ |")
        .contains("**Production readiness: 91%**")
        .contains("demo finished in");
  }
}
