package io.carbon254.runbook.activities;

import io.carbon254.runbook.activities.registry.ImageReference;
import io.carbon254.runbook.config.Harbor;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.Verification;
import io.carbon254.runbook.mirror.Found;
import io.carbon254.runbook.mirror.MirroredImage;
import io.carbon254.runbook.mirror.WorkloadActivities;
import io.carbon254.runbook.mirror.WorkloadSwitch;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.concurrent.locks.LockSupport;

/**
 * The platform's workloads through fabric8: which images they run, switching containers to
 * other images, and waiting for their rollouts.
 */
public final class KubernetesWorkloads implements WorkloadActivities {

  private final KubernetesApi kube;
  private final KubernetesClient kubernetes;
  private final Duration pollEvery;
  private final Duration rolloutTimeout;

  public KubernetesWorkloads(KubernetesClient kubernetes) {
    this(kubernetes, Duration.ofSeconds(2), Duration.ofMinutes(5));
  }

  public KubernetesWorkloads(KubernetesClient kubernetes, Duration pollEvery, Duration rolloutTimeout) {
    this(new KubernetesApi(kubernetes), pollEvery, rolloutTimeout);
  }

  public KubernetesWorkloads(KubernetesApi kube, Duration pollEvery, Duration rolloutTimeout) {
    this.kube = kube;
    this.kubernetes = kube.client();
    this.pollEvery = pollEvery;
    this.rolloutTimeout = rolloutTimeout;
  }

  /** {@code grafana/grafana:10.2.0} → {@code docker.io/grafana/grafana:10.2.0}; no tag means latest. */
  public static String normalise(String image) {
    ImageReference ref = ImageReference.parse(image);
    return ref.tag() == null && ref.digest() == null ? ref.withTag("latest").toString() : ref.toString();
  }

  @Override
  public Found<String> discoverImages(List<String> configured, List<String> namespaces) {
    Set<String> images = new LinkedHashSet<>();
    configured.forEach(image -> images.add(normalise(image)));
    int fromConfig = images.size();
    for (String namespace : namespaces) {
      for (PodSpec spec : podSpecs(namespace)) {
        containers(spec).forEach(c -> images.add(normalise(c.getImage())));
      }
    }
    return new Found<>(List.copyOf(images), images.size() + " images: " + fromConfig + " configured, "
        + (images.size() - fromConfig) + " more from the workloads of " + namespaces.size() + " namespaces");
  }

  @Override
  public Found<WorkloadSwitch> planSwitch(Harbor harbor, List<MirroredImage> mirrored) {
    Map<String, String> targets = new LinkedHashMap<>();
    mirrored.forEach(m -> targets.put(m.source(), m.target()));
    List<WorkloadSwitch> switches = new ArrayList<>();
    for (String namespace : harbor.switchNamespaces()) {
      for (HasMetadata workload : workloads(namespace)) {
        List<WorkloadSwitch.ContainerImage> changes = new ArrayList<>();
        PodSpec spec = podSpec(workload);
        addChanges(changes, spec.getInitContainers(), true, targets);
        addChanges(changes, spec.getContainers(), false, targets);
        if (!changes.isEmpty()) {
          switches.add(new WorkloadSwitch(namespace, workload.getKind(), workload.getMetadata().getName(), changes,
              harbor.pullSecret()));
        }
      }
    }
    return new Found<>(switches, switches.size() + " workloads in " + String.join(", ", harbor.switchNamespaces())
        + " use mirrored images");
  }

  private static void addChanges(List<WorkloadSwitch.ContainerImage> changes, List<Container> containers, boolean init,
      Map<String, String> targets) {
    for (Container container : containers == null ? List.<Container>of() : containers) {
      String target = targets.get(normalise(container.getImage()));
      if (target != null && !target.equals(container.getImage())) {
        changes.add(new WorkloadSwitch.ContainerImage(container.getName(), init, container.getImage(), target));
      }
    }
  }

  @Override
  public Changed.Result switchWorkload(WorkloadSwitch workload) {
    boolean changed = edit(workload, spec -> {
      setImages(spec, workload, true);
      List<LocalObjectReference> secrets = spec.getImagePullSecrets() == null ? new ArrayList<>()
          : new ArrayList<>(spec.getImagePullSecrets());
      if (secrets.stream().noneMatch(s -> workload.pullSecret().equals(s.getName()))) {
        secrets.add(new LocalObjectReference(workload.pullSecret()));
        spec.setImagePullSecrets(secrets);
      }
      return spec;
    });
    return new Changed.Result(changed ? Change.UPDATED : Change.UNCHANGED,
        workload.id() + ": " + workload.containers().size() + " container(s) on Harbor, pull secret " + workload.pullSecret());
  }

  @Override
  public Changed.Result rollBack(WorkloadSwitch workload) {
    boolean changed = edit(workload, spec -> {
      setImages(spec, workload, false);
      return spec;
    });
    return new Changed.Result(changed ? Change.UPDATED : Change.UNCHANGED, workload.id() + " back on its previous images");
  }

  @Override
  public Verification waitForRollout(WorkloadSwitch workload) {
    long deadline = System.nanoTime() + rolloutTimeout.toNanos();
    String state = "not read yet";
    // Most rollouts finish in seconds: look again soon, then every pollEvery.
    long wait = Math.min(Duration.ofMillis(250).toNanos(), pollEvery.toNanos());
    while (System.nanoTime() < deadline) {
      HasMetadata current = get(workload);
      if (current == null) {
        return Verification.failed(workload.id() + " no longer exists");
      }
      state = rolloutState(current);
      if (state == null) {
        return Verification.passed(workload.id() + " rolled out");
      }
      KubernetesApi.heartbeat(state);
      LockSupport.parkNanos(wait);
      wait = Math.min(wait * 2, pollEvery.toNanos());
    }
    return Verification.failed(workload.id() + " did not roll out within " + rolloutTimeout.toMinutes() + "m: " + state
        + "; see kubectl -n " + workload.namespace() + " rollout status " + workload.kind().toLowerCase() + "/" + workload.name());
  }

  /** null when the rollout is complete, otherwise what it waits for. */
  static String rolloutState(HasMetadata workload) {
    long generation = workload.getMetadata().getGeneration() == null ? 0 : workload.getMetadata().getGeneration();
    if (workload instanceof Deployment d) {
      int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
      var s = d.getStatus();
      if (s == null || s.getObservedGeneration() == null || s.getObservedGeneration() < generation) {
        return "the new spec is not observed yet";
      }
      int updated = s.getUpdatedReplicas() == null ? 0 : s.getUpdatedReplicas();
      int ready = s.getReadyReplicas() == null ? 0 : s.getReadyReplicas();
      return updated >= want && ready >= want ? null : ready + " of " + want + " replicas ready, " + updated + " updated";
    }
    if (workload instanceof StatefulSet st) {
      int want = st.getSpec().getReplicas() == null ? 1 : st.getSpec().getReplicas();
      var s = st.getStatus();
      if (s == null || s.getObservedGeneration() == null || s.getObservedGeneration() < generation) {
        return "the new spec is not observed yet";
      }
      int ready = s.getReadyReplicas() == null ? 0 : s.getReadyReplicas();
      return ready >= want ? null : ready + " of " + want + " replicas ready";
    }
    if (workload instanceof DaemonSet ds) {
      var s = ds.getStatus();
      if (s == null || s.getObservedGeneration() == null || s.getObservedGeneration() < generation) {
        return "the new spec is not observed yet";
      }
      int want = s.getDesiredNumberScheduled() == null ? 0 : s.getDesiredNumberScheduled();
      int ready = s.getNumberReady() == null ? 0 : s.getNumberReady();
      return ready >= want ? null : ready + " of " + want + " pods ready";
    }
    return null;
  }

  /**
   * Changes the pod template of a workload read just before, written back with its resourceVersion:
   * the plan approved a change from the images it showed, so a workload changed meanwhile is a 409,
   * read again on the retry. Not an apply: the image fields belong to whoever deployed the workload
   * (Helm...), and switching them to Harbor is what the operator approved.
   */
  private boolean edit(WorkloadSwitch workload, UnaryOperator<PodSpec> change) {
    HasMetadata current = get(workload);
    if (current == null) {
      throw ApplicationFailure.newNonRetryableFailure(workload.id() + " does not exist any more; plan the switch again",
          "WorkloadMissing");
    }
    String before = podSpec(current).toString();
    PodSpec after = change.apply(podSpec(current));
    boolean changed = !before.equals(after.toString());
    if (changed) {
      kube.update(current);
    }
    return changed;
  }

  private HasMetadata get(WorkloadSwitch w) {
    return kube.call(KubernetesApi.Call.of("get", type(w), w.namespace(), w.name()), () -> resource(w).get());
  }

  private static Class<? extends HasMetadata> type(WorkloadSwitch w) {
    return switch (w.kind()) {
      case "StatefulSet" -> StatefulSet.class;
      case "DaemonSet" -> DaemonSet.class;
      default -> Deployment.class;
    };
  }

  private static void setImages(PodSpec spec, WorkloadSwitch workload, boolean toHarbor) {
    for (WorkloadSwitch.ContainerImage change : workload.containers()) {
      List<Container> containers = change.init() ? spec.getInitContainers() : spec.getContainers();
      for (Container container : containers == null ? List.<Container>of() : containers) {
        if (container.getName().equals(change.container())) {
          container.setImage(toHarbor ? change.to() : change.from());
        }
      }
    }
  }

  private Resource<? extends HasMetadata> resource(WorkloadSwitch w) {
    return switch (w.kind()) {
      case "Deployment" -> kubernetes.apps().deployments().inNamespace(w.namespace()).withName(w.name());
      case "StatefulSet" -> kubernetes.apps().statefulSets().inNamespace(w.namespace()).withName(w.name());
      case "DaemonSet" -> kubernetes.apps().daemonSets().inNamespace(w.namespace()).withName(w.name());
      default -> throw ApplicationFailure.newNonRetryableFailure("cannot switch a " + w.kind() + " (" + w.id() + ")",
          "UnsupportedWorkload");
    };
  }

  private List<HasMetadata> workloads(String namespace) {
    List<HasMetadata> all = new ArrayList<>();
    all.addAll(kube.call(KubernetesApi.Call.list(Deployment.class, namespace),
        () -> kubernetes.apps().deployments().inNamespace(namespace).list().getItems()));
    all.addAll(kube.call(KubernetesApi.Call.list(StatefulSet.class, namespace),
        () -> kubernetes.apps().statefulSets().inNamespace(namespace).list().getItems()));
    all.addAll(kube.call(KubernetesApi.Call.list(DaemonSet.class, namespace),
        () -> kubernetes.apps().daemonSets().inNamespace(namespace).list().getItems()));
    return all;
  }

  private List<PodSpec> podSpecs(String namespace) {
    List<PodSpec> specs = new ArrayList<>(workloads(namespace).stream().map(KubernetesWorkloads::podSpec).toList());
    kube.call(KubernetesApi.Call.list(CronJob.class, namespace), () -> kubernetes.batch().v1().cronjobs().inNamespace(namespace).list().getItems())
        .forEach(c -> specs.add(c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec()));
    return specs;
  }

  private static PodSpec podSpec(HasMetadata workload) {
    if (workload instanceof Deployment d) {
      return d.getSpec().getTemplate().getSpec();
    }
    if (workload instanceof StatefulSet s) {
      return s.getSpec().getTemplate().getSpec();
    }
    if (workload instanceof DaemonSet d) {
      return d.getSpec().getTemplate().getSpec();
    }
    throw new IllegalArgumentException("not a workload: " + workload.getKind());
  }

  private static List<Container> containers(PodSpec spec) {
    List<Container> all = new ArrayList<>();
    if (spec.getInitContainers() != null) {
      all.addAll(spec.getInitContainers());
    }
    if (spec.getContainers() != null) {
      all.addAll(spec.getContainers());
    }
    return all;
  }

}
