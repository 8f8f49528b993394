package io.carbon254.runbook;

import io.carbon254.runbook.backup.BackupActivationWorkflow;
import io.carbon254.runbook.backup.BackupActivationWorkflowImpl;
import io.carbon254.runbook.mirror.ImageMirrorWorkflow;
import io.carbon254.runbook.mirror.ImageMirrorWorkflowImpl;
import io.carbon254.runbook.platformcheck.PlatformCheckWorkflow;
import io.carbon254.runbook.platformcheck.PlatformCheckWorkflowImpl;
import java.util.List;
import java.util.Optional;

/** The runbook catalogue: what the worker registers and what {@code runbook start} can start. */
public final class Runbooks {

  /** A runbook: its id (the CLI's word and the workflow id's suffix), workflow type and implementation. */
  public record Definition(String id, String workflowType, Class<?> implementation, String description) {}

  public static final List<Definition> ALL = List.of(
      new Definition(PlatformCheckWorkflow.RUNBOOK, "PlatformCheckWorkflow", PlatformCheckWorkflowImpl.class,
          "read-only readiness report: one line per status-report component with evidence, and the score"),
      new Definition(BackupActivationWorkflow.RUNBOOK, "BackupActivationWorkflow", BackupActivationWorkflowImpl.class,
          "MinIO bucket, Velero storage location, backup + restore rehearsal, then (gate) the schedules"),
      new Definition(ImageMirrorWorkflow.RUNBOOK, "ImageMirrorWorkflow", ImageMirrorWorkflowImpl.class,
          "Harbor project + robot, digest-preserving mirror of every image, then (gate) workloads switched to Harbor"));

  private Runbooks() {}

  public static Optional<Definition> find(String id) {
    return ALL.stream().filter(d -> d.id().equals(id)).findFirst();
  }
}
