package io.carbon254.runbook.sso;

import io.carbon254.runbook.engine.Verification;
import java.util.List;

/**
 * What phase 4 found on one host, as evidence for the per-host table.
 *
 * @param host the host probed
 * @param status the status of the unauthenticated HTTPS request (redirects not followed); 0 when it failed
 * @param location its {@code Location} header (null when none)
 * @param httpRedirect the answer to plain HTTP, e.g. {@code 308 → https://grafana.254carbon.com/}
 * @param certificateExpiry the certificate's notAfter (ISO-8601 date) and days left, e.g. {@code 2027-02-27 (90 d)}
 * @param hsts the {@code Strict-Transport-Security} header (null when absent)
 * @param health the authenticated health request, e.g. {@code 200 /api/health}; {@code not run: no service token configured}
 * @param latencyMillis the health request's latency (-1 when not run)
 * @param problems what failed, one line each, saying what to fix; empty: the host passed
 */
public record HostValidation(String host, int status, String location, String httpRedirect, String certificateExpiry,
    String hsts, String health, long latencyMillis, List<String> problems) {

  public HostValidation {
    problems = problems == null ? List.of() : List.copyOf(problems);
  }

  public boolean ok() {
    return problems.isEmpty();
  }

  /** The step's verification: passed with the evidence, or failed with the problems and the evidence. */
  public Verification verification() {
    String evidence = "status " + status + (location == null ? "" : " → " + location) + "; http " + httpRedirect
        + "; certificate until " + certificateExpiry + "; HSTS " + (hsts == null ? "absent" : hsts) + "; health " + health
        + (latencyMillis < 0 ? "" : " in " + latencyMillis + " ms");
    return ok() ? Verification.passed(host + ": " + evidence)
        : Verification.failed(host + ": " + String.join("; ", problems) + " (" + evidence + ")");
  }
}
