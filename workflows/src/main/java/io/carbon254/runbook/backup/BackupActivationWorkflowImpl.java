package io.carbon254.runbook.backup;

import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.engine.AbstractRunbookWorkflow;
import io.carbon254.runbook.engine.ActivityDefaults;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

public class BackupActivationWorkflowImpl extends AbstractRunbookWorkflow implements BackupActivationWorkflow {

  /** Polls Velero until a terminal phase; a dead worker is noticed by the missing heartbeat. */
  static final ActivityOptions WAITS = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofHours(1))
      .setHeartbeatTimeout(Duration.ofSeconds(30))
      .setRetryOptions(RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(2))
          .setMaximumAttempts(3)
          .build())
      .build();

  private final ObjectStoreActivities objectStore = runbook.activities(ObjectStoreActivities.class, ActivityDefaults.IDEMPOTENT_CALLS);
  private final VeleroActivities velero = runbook.activities(VeleroActivities.class, ActivityDefaults.IDEMPOTENT_CALLS);
  private final VeleroActivities veleroWaits = runbook.activities(VeleroActivities.class, WAITS);

  public BackupActivationWorkflowImpl() {
    super(RUNBOOK);
  }

  @Override
  public RunbookResult run(RunbookRequest request) {
    Backup backup = request.platform().backup();
    Backup.Rehearsal rehearsal = backup.rehearsal();
    String testBackup = rehearsal.canaryNamespace() + "-" + Workflow.getInfo().getRunId().substring(0, 8);
    String testRestore = testBackup + "-restore";
    String canaryValue = Workflow.randomUUID().toString();
    boolean forceRehearsal = Boolean.parseBoolean(request.option("rehearse", "false"));
    Rehearsal[] earlier = new Rehearsal[1];

    return runbook.run(request, rb -> {
      rb.declare("ensure-bucket", "Bucket " + backup.bucket() + " on MinIO, versioning on");
      rb.declare("ensure-credentials", "Velero's object store credentials Secret");
      rb.declare("ensure-storage-location", "BackupStorageLocation " + backup.storageLocation().name());
      rb.declare("wait-storage-location", "Storage location Available");
      rb.declare("create-canary", "Canary namespace " + rehearsal.canaryNamespace() + " with a random value");
      rb.declare("back-up-canary", "Back up the canary");
      rb.declare("restore-canary", "Restore it into " + rehearsal.scratchNamespace());
      rb.declare("verify-restore", "The restored canary equals the original");
      rb.declare("record-rehearsal", "Record the rehearsal");
      rb.declare("plan-schedules", "Plan the schedules (read-only)");
      rb.declare("activate-schedules", "Gate: activate the schedules");
      rb.declare("ensure-schedules", "Schedules created and Enabled");
      rb.declare("clean-up", "Delete the canary, the scratch namespace, the test backup and restore");

      rb.approvePlan(() -> {
        earlier[0] = forceRehearsal ? null : velero.lastRehearsal(backup);
        List<PlanItem> plan = new ArrayList<>();
        plan.add(objectStore.planBucket(backup.objectStore(), backup.bucket(), backup.versioning()));
        plan.addAll(velero.planStorageLocation(backup));
        if (earlier[0] == null) {
          plan.addAll(rehearsalPlan(backup, testBackup, testRestore));
        }
        plan.addAll(velero.planSchedules(backup));
        return plan;
      });

      rb.step("ensure-bucket", () -> objectStore.ensureBucket(backup.objectStore(), backup.bucket(), backup.versioning()));
      rb.step("ensure-credentials", () -> velero.ensureCredentials(backup));
      rb.step("ensure-storage-location", () -> velero.ensureStorageLocation(backup));
      rb.step("wait-storage-location", () -> veleroWaits.waitForStorageLocation(backup));

      if (earlier[0] == null) {
        rb.step("create-canary", "Canary namespace " + rehearsal.canaryNamespace() + " with a random value")
            .compensateWith(() -> velero.cleanUpRehearsal(backup, testBackup, testRestore))
            .run(() -> velero.ensureCanary(backup, canaryValue));
        BackupRun backedUp = rb.step("back-up-canary", () -> {
          velero.ensureBackup(backup, testBackup);
          return veleroWaits.waitForBackup(backup, testBackup);
        });
        if (backedUp != null) {
          BackupRun restored = rb.step("restore-canary", () -> {
            velero.ensureRestore(backup, testRestore, testBackup);
            return veleroWaits.waitForRestore(backup, testRestore);
          });
          if (restored != null && rb.step("verify-restore", () -> velero.verifyRestoredCanary(backup, canaryValue)) != null) {
            rb.step("record-rehearsal", () ->
                velero.recordRehearsal(backup, new Rehearsal(testBackup, Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString())));
          }
        }
      } else {
        String evidence = "a rehearsal passed on " + earlier[0].at() + " (backup " + earlier[0].backup() + ")";
        for (String step : List.of("create-canary", "back-up-canary", "restore-canary", "verify-restore", "record-rehearsal")) {
          rb.alreadyDone(step, evidence);
        }
      }

      List<PlanItem> schedules = rb.step("plan-schedules", () -> velero.planSchedules(backup));
      if (schedules.stream().allMatch(item -> item.action() == PlanItem.Action.KEEP)) {
        rb.alreadyDone("activate-schedules", "every schedule is already as configured");
        rb.alreadyDone("ensure-schedules", "every schedule is already Enabled");
      } else if (rb.gate("activate-schedules", schedulesPrompt(schedules)).approved()) {
        rb.step("ensure-schedules", () -> {
          velero.ensureSchedules(backup);
          return veleroWaits.waitForSchedules(backup);
        });
      }

      if (earlier[0] == null) {
        rb.step("clean-up", () -> velero.cleanUpRehearsal(backup, testBackup, testRestore));
      } else {
        rb.alreadyDone("clean-up", "nothing to clean up: no rehearsal ran");
      }
      rb.output("schedules", String.join(", ", backup.schedules().stream()
          .map(s -> s.name() + " (" + s.cron() + ", ttl " + s.ttl() + ")").toList()));
    });
  }

  private static List<PlanItem> rehearsalPlan(Backup backup, String testBackup, String testRestore) {
    Backup.Rehearsal r = backup.rehearsal();
    String ns = backup.veleroNamespace();
    return List.of(
        PlanItem.create("Namespace", r.canaryNamespace(), "canary ConfigMap " + r.canaryConfigMap() + " with a random value"),
        PlanItem.create("Backup", ns + "/" + testBackup, "of namespace " + r.canaryNamespace() + ", ttl " + r.backupTtl()),
        PlanItem.create("Restore", ns + "/" + testRestore, r.canaryNamespace() + " → " + r.scratchNamespace()),
        PlanItem.delete("Rehearsal", r.canaryNamespace() + ", " + r.scratchNamespace() + ", " + testBackup,
            "removed once the restore is verified"));
  }

  private static String schedulesPrompt(List<PlanItem> schedules) {
    StringBuilder md = new StringBuilder("Activate the backup schedules? The restore rehearsal passed.\n\n");
    schedules.forEach(item -> md.append("- ").append(item.line()).append('\n'));
    return md.toString();
  }
}
