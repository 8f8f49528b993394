package io.carbon254.runbook.sso;

import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.AbstractRunbookWorkflow;
import io.carbon254.runbook.engine.ActivityDefaults;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.StepOutcome;
import io.carbon254.runbook.engine.Verification;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class SsoValidationWorkflowImpl extends AbstractRunbookWorkflow implements SsoValidationWorkflow {

  private final AccessProbeActivities probes = runbook.activities(AccessProbeActivities.class,
      ActivityDefaults.IDEMPOTENT_CALLS);

  public SsoValidationWorkflowImpl() {
    super(RUNBOOK);
  }

  @Override
  public RunbookResult run(RunbookRequest request) {
    return runbook.run(request, rb -> {
      Sso sso = rb.platform().sso();
      List<ProtectedHost> hosts = ProtectedHost.of(rb.platform());
      int parallelism = sso.validation() != null && sso.validation().parallelism() != null
          ? sso.validation().parallelism() : 4;
      // The latest answer of each host: a host retried after a failure shows what it answers now.
      Map<String, HostValidation> found = new LinkedHashMap<>();
      List<StepOutcome<Verification>> outcomes = rb.parallel("validate", hosts)
          .named(ProtectedHost::host)
          .titled(host -> host.host() + ": Access login redirect, http → https, certificate, HSTS"
              + (host.healthPath() == null ? "" : ", " + host.healthPath() + " within " + host.latencyBudget()))
          .atMost(parallelism)
          .run(host -> {
            HostValidation validation = probes.validateHost(sso, host);
            found.put(host.host(), validation);
            rb.output("validation", table(hosts, found));
            return validation.verification();
          });
      long accepted = outcomes.stream().filter(o -> o instanceof StepOutcome.Skipped<Verification>).count();
      rb.output("validation", table(hosts, found));
      rb.output("hosts", (hosts.size() - accepted) + " of " + hosts.size() + " host(s) passed"
          + (accepted == 0 ? "" : ", " + accepted + " failed and accepted by an operator"));
    });
  }

  /** The per-host table with the evidence: what each host answered. */
  static String table(List<ProtectedHost> hosts, Map<String, HostValidation> found) {
    StringBuilder md = new StringBuilder(
        "| host | unauthenticated | http | certificate | HSTS | health | result |\n|---|---|---|---|---|---|---|\n");
    for (ProtectedHost host : hosts) {
      HostValidation v = found.get(host.host());
      if (v == null) {
        md.append("| ").append(host.host()).append(" | | | | | | not checked yet |\n");
        continue;
      }
      md.append("| ").append(v.host())
          .append(" | ").append(v.status()).append(v.location() == null ? "" : " → " + v.location())
          .append(" | ").append(v.httpRedirect())
          .append(" | ").append(v.certificateExpiry())
          .append(" | ").append(v.hsts() == null ? "absent" : v.hsts())
          .append(" | ").append(v.health()).append(v.latencyMillis() < 0 ? "" : " in " + v.latencyMillis() + " ms")
          .append(" | ").append(v.ok() ? "✓" : "✗ " + String.join("; ", v.problems()))
          .append(" |\n");
    }
    return md.toString();
  }
}
