package io.carbon254.runbook.backup;

import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.engine.AbstractRunbookWorkflow;
import io.carbon254.runbook.engine.ActivityDefaults;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.Step;
import io.carbon254.runbook.engine.StepOutcome;
import io.carbon254.runbook.engine.Verification;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public class BackupActivationWorkflowImpl extends AbstractRunbookWorkflow implements BackupActivationWorkflow {

  /** Polls Velero until a terminal phase; a dead worker is noticed by the missing heartbeat. */
  static final ActivityOptions WAITS = ActivityDefaults.waits(Duration.ofHours(1));

  private final ObjectStoreActivities objectStore =
      runbook.activities(ObjectStoreActivities.class, ActivityDefaults.IDEMPOTENT_CALLS);
  private final VeleroActivities velero = runbook.activities(VeleroActivities.class, ActivityDefaults.IDEMPOTENT_CALLS,
      Map.of("waitForStorageLocation", WAITS, "waitForBackup", WAITS, "waitForRestore", WAITS, "waitForSchedules", WAITS));

  public BackupActivationWorkflowImpl() {
    super(RUNBOOK);
  }

  @Override
  public RunbookResult run(RunbookRequest request) {
    // Drawn first, as always: the run's random draws name its activities too, so their order stays.
    String canaryValue = Workflow.randomUUID().toString();
    boolean forceRehearsal = Boolean.parseBoolean(request.option("rehearse", "false"));
    Rehearsal[] earlier = new Rehearsal[1];

    return runbook.run(request, rb -> {
      Backup backup = rb.platform().backup();
      Backup.Rehearsal rehearsal = backup.rehearsal();
      // Named after the run's first run id, which a reset and a continue-as-new keep (the run id
      // changes: the rest of the run and its compensation would aim at objects never created). For a
      // run never reset the two are the same, so runs started before this change keep their names.
      String testBackup = rehearsal.canaryNamespace() + "-" + Workflow.getInfo().getFirstExecutionRunId().substring(0, 8);
      String testRestore = testBackup + "-restore";
      Step ensureBucket = rb.declare("ensure-bucket", "Bucket " + backup.bucket() + " on MinIO, versioning on");
      Step ensureCredentials = rb.declare("ensure-credentials", "Velero's object store credentials Secret");
      Step ensureLocation = rb.declare("ensure-storage-location", "BackupStorageLocation " + backup.storageLocation().name());
      Step waitForLocation = rb.declare("wait-storage-location", "Storage location Available");
      Step createCanary = rb.declare("create-canary", "Canary namespace " + rehearsal.canaryNamespace() + " with a random value");
      Step backUpCanary = rb.declare("back-up-canary", "Back up the canary");
      Step restoreCanary = rb.declare("restore-canary", "Restore it into " + rehearsal.scratchNamespace());
      Step verifyRestore = rb.declare("verify-restore", "The restored canary equals the original");
      Step recordRehearsal = rb.declare("record-rehearsal", "Record the rehearsal");
      Step planSchedules = rb.declare("plan-schedules", "Plan the schedules (read-only)");
      Step activateSchedules = rb.declare("activate-schedules", "Gate: activate the schedules");
      Step ensureSchedules = rb.declare("ensure-schedules", "Schedules created and Enabled");
      Step cleanUp = rb.declare("clean-up", "Delete the canary, the scratch namespace, the test backup and restore");

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

      ensureBucket.run(() -> objectStore.ensureBucket(backup.objectStore(), backup.bucket(), backup.versioning()));
      ensureCredentials.run(() -> velero.ensureCredentials(backup));
      ensureLocation.run(() -> velero.ensureStorageLocation(backup));
      waitForLocation.run(() -> velero.waitForStorageLocation(backup));

      String rehearsed;
      if (earlier[0] == null) {
        createCanary.compensateWith(() -> velero.cleanUpRehearsal(backup, testBackup, testRestore))
            .run(() -> velero.ensureCanary(backup, canaryValue));
        rehearsed = describe(backUpCanary.run(() -> {
          velero.ensureBackup(backup, testBackup);
          return velero.waitForBackup(backup, testBackup);
        }), backUpCanary);
        if (rehearsed == null) {
          rehearsed = describe(restoreCanary.run(() -> {
            velero.ensureRestore(backup, testRestore, testBackup);
            return velero.waitForRestore(backup, testRestore);
          }), restoreCanary);
        }
        if (rehearsed == null) {
          StepOutcome<Verification> verified = verifyRestore.run(() -> velero.verifyRestoredCanary(backup, canaryValue));
          rehearsed = describe(verified, verifyRestore);
        }
        if (rehearsed == null) {
          rehearsed = "The restore rehearsal passed: a backup of the canary was restored and equals the original.";
          recordRehearsal.run(() ->
              velero.recordRehearsal(backup, new Rehearsal(testBackup, Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString())));
        }
      } else {
        String evidence = "a rehearsal passed on " + earlier[0].at() + " (backup " + earlier[0].backup() + ")";
        for (Step step : List.of(createCanary, backUpCanary, restoreCanary, verifyRestore, recordRehearsal)) {
          step.alreadyDone(evidence);
        }
        rehearsed = "A restore rehearsal passed on " + earlier[0].at() + " (backup " + earlier[0].backup() + ").";
      }
      rb.output("rehearsal", rehearsed);

      List<PlanItem> schedules = planSchedules.require(() -> velero.planSchedules(backup));
      if (schedules.stream().allMatch(item -> item.action() == PlanItem.Action.KEEP)) {
        activateSchedules.alreadyDone("every schedule is already as configured");
        ensureSchedules.alreadyDone("every schedule is already Enabled");
      } else if (rb.gate(activateSchedules, schedulesPrompt(schedules, rehearsed)).approved()) {
        ensureSchedules.run(() -> {
          velero.ensureSchedules(backup);
          return velero.waitForSchedules(backup);
        });
      }

      if (earlier[0] == null) {
        cleanUp.run(() -> velero.cleanUpRehearsal(backup, testBackup, testRestore));
      } else {
        cleanUp.alreadyDone("nothing to clean up: no rehearsal ran");
      }
      rb.output("schedules", String.join(", ", backup.schedules().stream()
          .map(s -> s.name() + " (" + s.cron() + ", ttl " + s.ttl() + ")").toList()));
    });
  }

  /** Null when a rehearsal step ran; else the sentence that says the rehearsal did not pass, and why. */
  private static String describe(StepOutcome<?> outcome, Step step) {
    return outcome.isDone() ? null
        : "The restore rehearsal did NOT pass: step " + step.id() + " was " + outcome.describe("") + ".";
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

  private static String schedulesPrompt(List<PlanItem> schedules, String rehearsed) {
    StringBuilder md = new StringBuilder("Activate the backup schedules? ").append(rehearsed).append("\n\n");
    schedules.forEach(item -> md.append("- ").append(item.line()).append('\n'));
    return md.toString();
  }
}
