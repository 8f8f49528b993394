package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code runbook demo --yes} as a new user runs it: a separate JVM with the product's classpath only. */
class DemoTest {

  @Test
  void theDemoRunsThePlatformRunbookWithEveryOtherAsItsChildAndEndsWithTheReadinessBeforeAndAfter() {
    Jvm.Result demo = Jvm.run(Map.of(), false, "demo", "--yes");

    assertThat(demo.exitCode()).as(demo.out() + demo.err()).isZero();
    assertThat(demo.out())
        .contains("runbook demo on the simulated platform '254carbon'")
        .contains("▶ platform — ")
        .contains("✓ check-cluster")
        .containsPattern("platform-check\\s+SUCCEEDED")
        .containsPattern("sso\\s+SUCCEEDED")
        .containsPattern("ha-join\\s+SKIPPED .* this build has no runbook ha-join: Multi-Node HA stays ✗")
        .contains("SSO validation (sso-validation, every protected host by its real name):")
        .containsPattern("\\| grafana\\.254carbon\\.com \\| 302 → https://qagi\\.cloudflareaccess\\.com/cdn-cgi/access/login/"
            + "grafana\\.254carbon\\.com\\?kid=[0-9a-f]{64}.* \\| 200 /api/health in \\d+ ms \\| ✓ \\|")
        .contains("| SSO Infrastructure | ✓ |")
        .containsPattern("platform\\s+SUCCEEDED")
        .containsPattern("backup-activation\\s+SUCCEEDED")
        .containsPattern("image-mirror\\s+SUCCEEDED")
        .containsPattern("hpa-activation\\s+SUCCEEDED")
        .contains("| Enhanced Monitoring | ✓ |")
        .contains("| Backup Strategy | ✓ |")
        .contains("| Image Mirroring | ✓ |")
        .contains("| HPA Configuration | ✓ |")
        .contains("Readiness before:", "**Production readiness: 85%**", "Readiness after:")
        .contains("**Production readiness: 97%**")
        .contains("demo finished in");
    String everything = demo.out() + demo.err();
    assertThat(everything.lines().filter(line -> line.strip().startsWith("at ") && line.contains("(")).count())
        .as("stack-trace lines in the demo's output:%n%s", everything).isZero();
    assertThat(everything).doesNotContain("Exception:", "never accessed");
    assertThat(everything.lines().filter(line -> line.contains(" WARN ")).toList())
        .as("the demo's warnings: one, at start-up, for the webhook it has no URL for")
        .singleElement().asString().contains("notifications to webhook 'platform-ops' are off on this worker");
  }
}
