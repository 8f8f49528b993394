package io.carbon254.runbook;

import io.carbon254.runbook.backup.BackupActivationWorkflow;
import io.carbon254.runbook.backup.BackupActivationWorkflowImpl;
import io.carbon254.runbook.engine.RunbookDefinition;
import io.carbon254.runbook.hpa.HpaActivationWorkflow;
import io.carbon254.runbook.hpa.HpaActivationWorkflowImpl;
import io.carbon254.runbook.mirror.ImageMirrorWorkflow;
import io.carbon254.runbook.mirror.ImageMirrorWorkflowImpl;
import io.carbon254.runbook.platform.PlatformWorkflow;
import io.carbon254.runbook.platform.PlatformWorkflowImpl;
import io.carbon254.runbook.platformcheck.PlatformCheckWorkflow;
import io.carbon254.runbook.platformcheck.PlatformCheckWorkflowImpl;
import io.carbon254.runbook.sso.SsoAccessWorkflow;
import io.carbon254.runbook.sso.SsoAccessWorkflowImpl;
import io.carbon254.runbook.sso.SsoIntegrationWorkflow;
import io.carbon254.runbook.sso.SsoIntegrationWorkflowImpl;
import io.carbon254.runbook.sso.SsoValidationWorkflow;
import io.carbon254.runbook.sso.SsoValidationWorkflowImpl;
import io.carbon254.runbook.sso.SsoWorkflow;
import io.carbon254.runbook.sso.SsoWorkflowImpl;
import java.util.List;
import java.util.Optional;

/**
 * The built-in runbooks, each registered once. The worker's registrations, the CLI's catalogue,
 * the replay test's list and the configuration's known runbooks and gates all come from here (and
 * from the runbooks of plugins).
 */
public final class Runbooks {

  public static final RunbookDefinition PLATFORM_CHECK = new RunbookDefinition(PlatformCheckWorkflow.RUNBOOK,
      "PlatformCheckWorkflow", PlatformCheckWorkflowImpl.class,
      "read-only readiness report: one line per status-report component with evidence, and the score", List.of());

  public static final RunbookDefinition BACKUP_ACTIVATION = new RunbookDefinition(BackupActivationWorkflow.RUNBOOK,
      "BackupActivationWorkflow", BackupActivationWorkflowImpl.class,
      "MinIO bucket, Velero storage location, backup + restore rehearsal, then (gate) the schedules",
      List.of("approve-plan", "activate-schedules"));

  public static final RunbookDefinition IMAGE_MIRROR = new RunbookDefinition(ImageMirrorWorkflow.RUNBOOK,
      "ImageMirrorWorkflow", ImageMirrorWorkflowImpl.class,
      "Harbor project + robot, digest-preserving mirror of every image, then (gate) workloads switched to Harbor",
      List.of("approve-plan", "switch-workloads"));

  public static final RunbookDefinition HPA_ACTIVATION = new RunbookDefinition(HpaActivationWorkflow.RUNBOOK,
      "HpaActivationWorkflow", HpaActivationWorkflowImpl.class,
      "metrics API made Available (metrics-server's missing args, per config), then the HPAs, verified to report metrics",
      List.of("approve-plan"));

  public static final RunbookDefinition SSO_ACCESS = new RunbookDefinition(SsoAccessWorkflow.RUNBOOK,
      "SsoAccessWorkflow", SsoAccessWorkflowImpl.class,
      "Cloudflare Access: one-time PIN, the self-hosted apps and their allow policies (API, or a dashboard checklist)",
      List.of("approve-plan"));

  public static final RunbookDefinition SSO_INTEGRATION = new RunbookDefinition(SsoIntegrationWorkflow.RUNBOOK,
      "SsoIntegrationWorkflow", SsoIntegrationWorkflowImpl.class,
      "ingresses behind Access, services trusting the header their ingress passes, rolled out; abort restores all",
      List.of("approve-plan"));

  public static final RunbookDefinition SSO_VALIDATION = new RunbookDefinition(SsoValidationWorkflow.RUNBOOK,
      "SsoValidationWorkflow", SsoValidationWorkflowImpl.class,
      "every protected host probed: Access login redirect, http → https, certificate, HSTS, health via service token",
      List.of());

  public static final RunbookDefinition SSO = new RunbookDefinition(SsoWorkflow.RUNBOOK,
      "SsoWorkflow", SsoWorkflowImpl.class,
      "SSO phases 2 → 3 → 4 as child runbooks: sso-access, sso-integration, sso-validation",
      List.of());

  public static final RunbookDefinition PLATFORM = new RunbookDefinition(PlatformWorkflow.RUNBOOK,
      "PlatformWorkflow", PlatformWorkflowImpl.class,
      "every remaining task as a child runbook in dependency order between two platform-checks, the readiness score live",
      List.of());

  public static final List<RunbookDefinition> ALL =
      List.of(PLATFORM_CHECK, BACKUP_ACTIVATION, IMAGE_MIRROR, HPA_ACTIVATION, SSO_ACCESS, SSO_INTEGRATION,
          SSO_VALIDATION, SSO, PLATFORM);

  private Runbooks() {}

  public static Optional<RunbookDefinition> find(String id) {
    return ALL.stream().filter(d -> d.id().equals(id)).findFirst();
  }
}
