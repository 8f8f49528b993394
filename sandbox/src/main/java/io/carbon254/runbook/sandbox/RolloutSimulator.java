package io.carbon254.runbook.sandbox;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Deployment, StatefulSet and DaemonSet controllers, reduced to their outcome: whenever a
 * workload's status does not describe its current spec (a restart annotation, a new image, a new
 * replica count — the API server bumps {@code metadata.generation}), the rollout "happens" and,
 * after {@code delay}, the status says every replica is updated, ready and available with
 * {@code observedGeneration = metadata.generation}. Until then, waiters see the rollout in
 * progress, as on a real cluster.
 *
 * <p>Driven by informers; their periodic resync re-examines every workload, so a status write that
 * failed is tried again.
 */
public final class RolloutSimulator implements Simulator {

  private static final Logger log = LoggerFactory.getLogger(RolloutSimulator.class);

  private final Duration delay;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private ScheduledExecutorService executor;
  private KubernetesClient client;

  public RolloutSimulator() {
    this(Duration.ofMillis(300));
  }

  /** @param delay how long a rollout takes */
  public RolloutSimulator(Duration delay) {
    this.delay = delay;
  }

  @Override
  public synchronized void start(KubernetesClient client) {
    this.client = client;
    this.executor = Informers.executor("sandbox-rollout-simulator");
    long resync = Duration.ofSeconds(5).toMillis();
    informers.add(
        client.apps().deployments().inAnyNamespace().inform(
            handler(WorkloadStatus::isReady, this::settleDeployment), resync));
    informers.add(
        client.apps().statefulSets().inAnyNamespace().inform(
            handler(WorkloadStatus::isReady, this::settleStatefulSet), resync));
    informers.add(
        client.apps().daemonSets().inAnyNamespace().inform(
            handler(WorkloadStatus::isReady, this::settleDaemonSet), resync));
    log.debug("rollout simulator watching deployments, statefulsets and daemonsets (rollouts take {})", delay);
  }

  private <T extends HasMetadata> ResourceEventHandler<T> handler(Predicate<T> ready, Consumer<T> settle) {
    return Informers.onAddOrUpdate(obj -> {
      try {
        if (ready.test(obj)) {
          return;
        }
      } catch (RuntimeException e) {
        return; // no spec yet: nothing to roll out
      }
      String key = obj.getKind() + "/" + obj.getMetadata().getNamespace() + "/" + obj.getMetadata().getName();
      ScheduledExecutorService ex = executor;
      if (ex != null && !ex.isShutdown() && pending.add(key)) {
        ex.schedule(
            () -> {
              pending.remove(key);
              try {
                settle.accept(obj);
              } catch (RuntimeException e) {
                log.warn("rollout simulator could not complete the rollout of {} (tried again on resync): {}", key, e.toString());
              }
            },
            delay.toMillis(),
            TimeUnit.MILLISECONDS);
      }
    });
  }

  private void settleDeployment(Deployment d) {
    var resource = client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName());
    Deployment current = resource.get();
    if (current != null && !WorkloadStatus.isReady(current)) {
      resource.editStatus(x -> {
        x.setStatus(WorkloadStatus.ready(x));
        return x;
      });
      log.info("rollout of deployment {}/{} complete (generation {})",
          current.getMetadata().getNamespace(), current.getMetadata().getName(), WorkloadStatus.generation(current));
    }
  }

  private void settleStatefulSet(StatefulSet s) {
    var resource = client.apps().statefulSets().inNamespace(s.getMetadata().getNamespace()).withName(s.getMetadata().getName());
    StatefulSet current = resource.get();
    if (current != null && !WorkloadStatus.isReady(current)) {
      resource.editStatus(x -> {
        x.setStatus(WorkloadStatus.ready(x));
        return x;
      });
      log.info("rollout of statefulset {}/{} complete (generation {})",
          current.getMetadata().getNamespace(), current.getMetadata().getName(), WorkloadStatus.generation(current));
    }
  }

  private void settleDaemonSet(DaemonSet d) {
    var resource = client.apps().daemonSets().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName());
    DaemonSet current = resource.get();
    if (current != null && !WorkloadStatus.isReady(current)) {
      int nodes = Math.max(1, client.nodes().list().getItems().size());
      resource.editStatus(x -> {
        x.setStatus(WorkloadStatus.ready(x, nodes));
        return x;
      });
      log.info("rollout of daemonset {}/{} complete", current.getMetadata().getNamespace(), current.getMetadata().getName());
    }
  }

  @Override
  public synchronized void close() {
    Informers.stop(informers, executor);
    executor = null;
  }
}
