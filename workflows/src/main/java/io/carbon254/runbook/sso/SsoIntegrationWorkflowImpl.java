package io.carbon254.runbook.sso;

import io.carbon254.runbook.config.PlatformService;
import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.AbstractRunbookWorkflow;
import io.carbon254.runbook.engine.ActivityDefaults;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.Step;
import io.carbon254.runbook.engine.StepOutcome;
import io.carbon254.runbook.engine.Verification;
import io.temporal.activity.ActivityOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class SsoIntegrationWorkflowImpl extends AbstractRunbookWorkflow implements SsoIntegrationWorkflow {

  /** A rollout waits for new pods to pull, start and pass their probes. */
  static final ActivityOptions ROLLOUTS = ActivityDefaults.waits(Duration.ofMinutes(20));

  private final IntegrationActivities integration = runbook.activities(IntegrationActivities.class,
      ActivityDefaults.IDEMPOTENT_CALLS, Map.of("restartAndWait", ROLLOUTS));

  public SsoIntegrationWorkflowImpl() {
    super(RUNBOOK);
  }

  @Override
  public RunbookResult run(RunbookRequest request) {
    return runbook.run(request, rb -> {
      Sso sso = rb.platform().sso();
      List<PlatformService> services = rb.platform().services();
      List<PlatformService> behindSso = services.stream().filter(s -> !Boolean.FALSE.equals(s.ssoIngress())).toList();
      List<PlatformService> withAuth = services.stream().filter(s -> s.serviceAuth() != null).toList();

      Step snapshot = rb.declare("snapshot", "Record every object this run will touch (put back exactly on abort)");
      Step controller = rb.declare("ingress-controller", "ingress-nginx keeps the identity headers the services trust");
      Map<PlatformService, Step> ingresses = new LinkedHashMap<>();
      for (PlatformService service : behindSso) {
        ingresses.put(service, rb.declare("ingress/" + service.id(), service.displayName() + ": ingress for "
            + service.host() + " behind Access, passing " + String.join(", ", service.identityHeaders().headers())));
      }
      Map<PlatformService, Step> auths = new LinkedHashMap<>();
      Map<PlatformService, Step> rollouts = new LinkedHashMap<>();
      for (PlatformService service : withAuth) {
        auths.put(service, rb.declare("service-auth/" + service.id(), service.displayName() + " trusts "
            + service.serviceAuth().userHeader() + " (" + service.serviceAuth().kind().yaml() + ")"));
        rollouts.put(service, rb.declare("rollout/" + service.id(), service.displayName() + ": restart "
            + String.join(", ", service.serviceAuth().restart()) + " and wait until ready"));
      }

      rb.approvePlan(() -> integration.planIntegration(sso, services));

      // One snapshot of everything, put back as a whole: objects touched by several steps (an
      // ingress and the ConfigMap mounted for it) return to exactly what they were.
      List<List<ObjectSnapshot>> recorded = new ArrayList<>();
      snapshot.compensateWith(() -> recorded.forEach(integration::restoreSnapshots));
      List<ObjectSnapshot> before = snapshot.require(() -> integration.snapshotIntegration(sso, services));
      recorded.add(before);
      rb.output("snapshot", before.size() + " object(s) recorded: " + String.join(", ",
          before.stream().map(ObjectSnapshot::describe).toList()));

      controller.run(() -> integration.ensureIngressController(services));
      ingresses.forEach((service, step) -> step.run(() -> integration.applyIngress(sso, rb.platform().cluster(), service)));
      for (PlatformService service : withAuth) {
        auths.get(service).run(() -> integration.configureServiceAuth(service));
        StepOutcome<Verification> rollout = rollouts.get(service).run(() -> integration.restartAndWait(service));
        rollout.ifDone(v -> rb.output("rollout " + service.id(), v.evidence()));
      }
    });
  }
}
