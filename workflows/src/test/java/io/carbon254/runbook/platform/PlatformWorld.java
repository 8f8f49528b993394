package io.carbon254.runbook.platform;

import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.config.Ha;
import io.carbon254.runbook.config.Harbor;
import io.carbon254.runbook.config.Hpa;
import io.carbon254.runbook.config.Monitoring;
import io.carbon254.runbook.config.PlatformService;
import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.platformcheck.CheckResult;
import io.carbon254.runbook.platformcheck.PlatformCheckActivities;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The platform as the status report left it (monitoring complete, the five tasks open), read by
 * the real platform-check; the stand-in children complete a task through {@link #complete}.
 */
public class PlatformWorld implements PlatformCheckActivities, StandInTasks {

  final Set<String> done = ConcurrentHashMap.newKeySet();

  @Override
  public Changed.Result complete(String check) {
    return new Changed.Result(done.add(check) ? Change.UPDATED : Change.UNCHANGED, check + " done");
  }

  private CheckResult task(String id) {
    return done.contains(id) ? CheckResult.ok(id, id + " done", List.of()) : CheckResult.failed(id, id + " not done", List.of());
  }

  @Override
  public CheckResult checkCluster() {
    return CheckResult.ok("cluster", "1 of 1 nodes Ready", List.of());
  }

  @Override
  public CheckResult checkNamespaces(List<String> namespaces) {
    return CheckResult.ok("namespaces", "every namespace exists", List.of());
  }

  @Override
  public CheckResult checkWorkloads(List<PlatformService> services) {
    return CheckResult.ok("workloads", "every service ready", List.of());
  }

  @Override
  public CheckResult checkMonitoring(Monitoring monitoring) {
    return CheckResult.ok("monitoring", "18 active targets", List.of());
  }

  @Override
  public CheckResult checkSso(Sso sso, List<PlatformService> services) {
    return task("sso");
  }

  @Override
  public CheckResult checkBackups(Backup backup) {
    return task("backups");
  }

  @Override
  public CheckResult checkAutoscaling(Hpa hpa) {
    return task("autoscaling");
  }

  @Override
  public CheckResult checkImageMirroring(Harbor harbor, List<String> namespaces) {
    return task("image-mirroring");
  }

  @Override
  public CheckResult checkHighAvailability(Ha ha) {
    return task("high-availability");
  }
}
