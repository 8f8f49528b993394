package io.carbon254.runbook.sso;

import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.Verification;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * Real HTTP(S) requests to the platform's public hosts, as a user's browser would make them
 * (redirects never followed). The Access service token is resolved from its secret reference inside
 * the activity and never leaves it.
 */
@ActivityInterface
public interface AccessProbeActivities {

  /**
   * Manual mode's verification: every host answers an unauthenticated request with a redirect to
   * {@code https://<teamDomain>/cdn-cgi/access/login...}. Failed, listing per host what it answered
   * instead (e.g. {@code grafana.254carbon.com: 200, no Access application protects it yet}).
   */
  Verification verifyAccessRedirects(Sso sso, List<String> hosts);

  /**
   * Phase 4 on one host: the unauthenticated redirect to the Access login, http → https, the
   * certificate (valid for the host, not expiring within {@code sso.validation.certificateMinDays}),
   * HSTS (when {@code requireHsts}), and with {@code sso.serviceToken} the health path answering 2xx
   * within the host's latency budget. Never throws for what the host answered: a failed check is a
   * problem in the result.
   */
  HostValidation validateHost(Sso sso, ProtectedHost host);
}
