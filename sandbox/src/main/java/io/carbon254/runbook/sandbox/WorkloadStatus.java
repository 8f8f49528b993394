package io.carbon254.runbook.sandbox;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import java.time.Instant;
import java.util.Objects;

/** Fully rolled-out statuses, as the controllers of a healthy cluster would write them. */
final class WorkloadStatus {

  private WorkloadStatus() {}

  static long generation(io.fabric8.kubernetes.api.model.HasMetadata o) {
    Long g = o.getMetadata().getGeneration();
    return g == null ? 1L : g;
  }

  static int replicas(Integer specReplicas) {
    return specReplicas == null ? 1 : specReplicas;
  }

  static DeploymentStatus ready(Deployment d) {
    int n = replicas(d.getSpec().getReplicas());
    String now = Instant.now().toString();
    return new DeploymentStatusBuilder()
        .withObservedGeneration(generation(d))
        .withReplicas(n)
        .withUpdatedReplicas(n)
        .withReadyReplicas(n)
        .withAvailableReplicas(n)
        .addToConditions(
            new DeploymentConditionBuilder()
                .withType("Available")
                .withStatus("True")
                .withReason("MinimumReplicasAvailable")
                .withMessage("Deployment has minimum availability.")
                .withLastUpdateTime(now)
                .withLastTransitionTime(now)
                .build(),
            new DeploymentConditionBuilder()
                .withType("Progressing")
                .withStatus("True")
                .withReason("NewReplicaSetAvailable")
                .withMessage("ReplicaSet \"" + d.getMetadata().getName() + "\" has successfully progressed.")
                .withLastUpdateTime(now)
                .withLastTransitionTime(now)
                .build())
        .build();
  }

  static boolean isReady(Deployment d) {
    DeploymentStatus s = d.getStatus();
    int n = replicas(d.getSpec().getReplicas());
    return s != null
        && Objects.equals(s.getObservedGeneration(), generation(d))
        && Objects.equals(s.getReplicas(), n)
        && Objects.equals(s.getUpdatedReplicas(), n)
        && Objects.equals(s.getReadyReplicas(), n)
        && Objects.equals(s.getAvailableReplicas(), n);
  }

  static StatefulSetStatus ready(StatefulSet s) {
    int n = replicas(s.getSpec().getReplicas());
    String revision = s.getMetadata().getName() + "-" + Integer.toHexString(Objects.hashCode(s.getSpec().getTemplate()));
    return new StatefulSetStatusBuilder()
        .withObservedGeneration(generation(s))
        .withReplicas(n)
        .withReadyReplicas(n)
        .withCurrentReplicas(n)
        .withUpdatedReplicas(n)
        .withAvailableReplicas(n)
        .withCurrentRevision(revision)
        .withUpdateRevision(revision)
        .build();
  }

  static boolean isReady(StatefulSet s) {
    StatefulSetStatus st = s.getStatus();
    int n = replicas(s.getSpec().getReplicas());
    return st != null
        && Objects.equals(st.getObservedGeneration(), generation(s))
        && Objects.equals(st.getReplicas(), n)
        && Objects.equals(st.getReadyReplicas(), n)
        && Objects.equals(st.getUpdatedReplicas(), n)
        && Objects.equals(st.getAvailableReplicas(), n)
        && st.getUpdateRevision() != null
        && st.getUpdateRevision().equals(st.getCurrentRevision());
  }

  static DaemonSetStatus ready(DaemonSet d, int nodes) {
    return new DaemonSetStatusBuilder()
        .withObservedGeneration(generation(d))
        .withDesiredNumberScheduled(nodes)
        .withCurrentNumberScheduled(nodes)
        .withUpdatedNumberScheduled(nodes)
        .withNumberReady(nodes)
        .withNumberAvailable(nodes)
        .withNumberMisscheduled(0)
        .build();
  }

  static boolean isReady(DaemonSet d) {
    var s = d.getStatus();
    return s != null
        && s.getObservedGeneration() != null
        && s.getObservedGeneration() == generation(d)
        && s.getDesiredNumberScheduled() != null
        && s.getDesiredNumberScheduled().equals(s.getNumberReady())
        && s.getDesiredNumberScheduled().equals(s.getUpdatedNumberScheduled());
  }
}
