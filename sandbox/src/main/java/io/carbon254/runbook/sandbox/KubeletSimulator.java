package io.carbon254.runbook.sandbox;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler and the kubelets of a real API server's nodes, reduced to what the controllers
 * and the runbooks observe (there are no containers): a pod without a node is bound to a Ready,
 * schedulable node that its node selector and required node affinity accept; after
 * {@code startDelay} a bound pod is Running and Ready with a pod IP from 10.244.0.0/16 (a Job's
 * pod Succeeded); a pod being deleted is removed at once, as a kubelet confirms it; and every
 * node's Lease in {@code kube-node-lease} is renewed, so the node lifecycle controller keeps them
 * Ready. The real controllers do the rest: ReplicaSets, rollouts, workload status, Endpoints
 * (whose pod addresses {@link ClusterNetwork} routes to the fakes).
 */
public final class KubeletSimulator implements Simulator {

  private static final Logger log = LoggerFactory.getLogger(KubeletSimulator.class);

  static final Duration LEASE_RENEWAL = Duration.ofSeconds(10);
  static final int LEASE_SECONDS = 40;

  private final Duration startDelay;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final AtomicInteger nextIp = new AtomicInteger();
  private final AtomicInteger nextNode = new AtomicInteger();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private ScheduledExecutorService executor;
  private SharedIndexInformer<Node> nodes;
  private KubernetesClient client;

  /** @param startDelay how long a bound pod takes to be Running and Ready */
  public KubeletSimulator(Duration startDelay) {
    this.startDelay = startDelay;
  }

  @Override
  public synchronized void start(KubernetesClient client) {
    this.client = client;
    this.executor = Informers.executor("sandbox-kubelet-simulator");
    long resync = Duration.ofSeconds(5).toMillis();
    nodes = client.nodes().inform(Informers.onAddOrUpdate(node -> executor.execute(() -> renewLease(node.getMetadata().getName()))),
        resync);
    informers.add(nodes);
    informers.add(client.pods().inAnyNamespace().inform(Informers.onAddOrUpdate(this::examine), resync));
    executor.scheduleWithFixedDelay(this::renewLeases, LEASE_RENEWAL.toMillis(), LEASE_RENEWAL.toMillis(), TimeUnit.MILLISECONDS);
    log.debug("kubelet simulator binding pods and starting them after {}", startDelay);
  }

  private void examine(Pod pod) {
    String key = pod.getMetadata().getUid();
    ScheduledExecutorService ex = executor;
    if (ex == null || ex.isShutdown()) {
      return;
    }
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      if (pending.add(key + "/delete")) {
        ex.execute(() -> act(key + "/delete", pod, this::remove));
      }
    } else if (pod.getSpec().getNodeName() == null || pod.getSpec().getNodeName().isEmpty()) {
      if (pending.add(key + "/bind")) {
        ex.execute(() -> act(key + "/bind", pod, this::bind));
      }
    } else if (!started(pod) && pending.add(key + "/run")) {
      ex.schedule(() -> act(key + "/run", pod, this::run), startDelay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void act(String key, Pod pod, java.util.function.Consumer<Pod> action) {
    try {
      action.accept(pod);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        log.debug("kubelet simulator: {} {}/{} failed (tried again on resync): {}", key.substring(key.lastIndexOf('/') + 1),
            pod.getMetadata().getNamespace(), pod.getMetadata().getName(), e.toString());
      }
    } catch (RuntimeException e) {
      log.warn("kubelet simulator: pod {}/{}: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), e.toString());
    } finally {
      pending.remove(key);
    }
  }

  private static boolean started(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Running".equals(phase) || "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  // ------------------------------------------------------------------ scheduler

  private void bind(Pod pod) {
    List<Node> candidates = nodes.getStore().list().stream().filter(n -> fits(pod, n))
        .sorted(java.util.Comparator.comparing(n -> n.getMetadata().getName())).toList();
    if (candidates.isEmpty()) {
      log.debug("kubelet simulator: no node fits pod {}/{} yet", pod.getMetadata().getNamespace(), pod.getMetadata().getName());
      return;
    }
    Node node = candidates.get(Math.floorMod(nextNode.getAndIncrement(), candidates.size()));
    client.bindings().inNamespace(pod.getMetadata().getNamespace()).resource(new BindingBuilder()
        .withNewMetadata().withName(pod.getMetadata().getName()).withNamespace(pod.getMetadata().getNamespace()).endMetadata()
        .withNewTarget().withApiVersion("v1").withKind("Node").withName(node.getMetadata().getName()).endTarget()
        .build()).create();
  }

  /** Ready, schedulable, the pod's node selector and required node affinity (labels and fields) satisfied. */
  static boolean fits(Pod pod, Node node) {
    if (!ready(node) || Boolean.TRUE.equals(node.getSpec() == null ? null : node.getSpec().getUnschedulable())) {
      return false;
    }
    Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    Map<String, String> selector = pod.getSpec().getNodeSelector() == null ? Map.of() : pod.getSpec().getNodeSelector();
    if (!labels.entrySet().containsAll(selector.entrySet())) {
      return false;
    }
    var affinity = pod.getSpec().getAffinity() == null ? null : pod.getSpec().getAffinity().getNodeAffinity();
    var required = affinity == null ? null : affinity.getRequiredDuringSchedulingIgnoredDuringExecution();
    if (required == null || required.getNodeSelectorTerms() == null || required.getNodeSelectorTerms().isEmpty()) {
      return true;
    }
    for (NodeSelectorTerm term : required.getNodeSelectorTerms()) {
      boolean all = true;
      for (NodeSelectorRequirement r : nullSafe(term.getMatchExpressions())) {
        all &= matches(r, labels.get(r.getKey()));
      }
      for (NodeSelectorRequirement r : nullSafe(term.getMatchFields())) {
        all &= matches(r, "metadata.name".equals(r.getKey()) ? node.getMetadata().getName() : null);
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(NodeSelectorRequirement r, String value) {
    List<String> values = nullSafe(r.getValues());
    return switch (r.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      default -> false;
    };
  }

  static boolean ready(Node node) {
    return node.getStatus() != null && nullSafe(node.getStatus().getConditions()).stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  // ------------------------------------------------------------------ kubelet

  /** The containers "start": Running and Ready (a Job's pod: Succeeded), with an IP. */
  private void run(Pod pod) {
    var resource = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName());
    Pod current = resource.get();
    if (current == null || current.getMetadata().getDeletionTimestamp() != null || started(current)
        || current.getSpec().getNodeName() == null) {
      return;
    }
    Node node = nodes.getStore().getByKey(current.getSpec().getNodeName());
    String hostIp = node == null || node.getStatus() == null ? null : nullSafe(node.getStatus().getAddresses()).stream()
        .filter(a -> "InternalIP".equals(a.getType())).map(NodeAddress::getAddress).findFirst().orElse(null);
    boolean job = nullSafe(current.getMetadata().getOwnerReferences()).stream().map(OwnerReference::getKind).anyMatch("Job"::equals);
    int n = nextIp.getAndIncrement();
    String ip = "10.244." + (n / 250) % 256 + "." + (n % 250 + 2);
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    resource.editStatus(p -> {
      var status = p.getStatus();
      status.setPhase(job ? "Succeeded" : "Running");
      status.setHostIP(hostIp);
      status.setPodIP(ip);
      status.setPodIPs(List.of(new PodIP(ip)));
      status.setStartTime(now);
      List<PodCondition> conditions = new ArrayList<>();
      for (String type : List.of("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")) {
        boolean ok = !job || !("Ready".equals(type) || "ContainersReady".equals(type));
        conditions.add(new PodConditionBuilder().withType(type).withStatus(ok ? "True" : "False")
            .withLastTransitionTime(now).withReason(ok ? null : "PodCompleted").build());
      }
      status.setConditions(conditions);
      List<ContainerStatus> containers = new ArrayList<>();
      for (Container c : p.getSpec().getContainers()) {
        ContainerStatusBuilder cs = new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
            .withImageID(c.getImage()).withContainerID("containerd://" + Integer.toHexString(Objects.hash(ip, c.getName())))
            .withReady(!job).withStarted(!job).withRestartCount(0);
        if (job) {
          cs.withNewState().withNewTerminated().withExitCode(0).withReason("Completed").withStartedAt(now).withFinishedAt(now)
              .endTerminated().endState();
        } else {
          cs.withNewState().withNewRunning().withStartedAt(now).endRunning().endState();
        }
        containers.add(cs.build());
      }
      status.setContainerStatuses(containers);
      return p;
    });
  }

  /** The containers stopped: the kubelet's final delete. */
  private void remove(Pod pod) {
    client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).withGracePeriod(0).delete();
  }

  private void renewLeases() {
    try {
      nodes.getStore().list().forEach(n -> renewLease(n.getMetadata().getName()));
    } catch (RuntimeException e) {
      log.debug("kubelet simulator: renewing leases failed: {}", e.toString());
    }
  }

  /** The node heartbeat the node lifecycle controller reads. */
  private void renewLease(String node) {
    try {
      var leases = client.leases().inNamespace("kube-node-lease");
      ZonedDateTime renewTime = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
      Lease current = leases.withName(node).get();
      if (current == null) {
        leases.resource(new LeaseBuilder().withNewMetadata().withName(node).withNamespace("kube-node-lease").endMetadata()
            .withNewSpec().withHolderIdentity(node).withLeaseDurationSeconds(LEASE_SECONDS).withRenewTime(renewTime).endSpec()
            .build()).create();
      } else {
        current.getSpec().setRenewTime(renewTime);
        leases.resource(current).update();
      }
    } catch (RuntimeException e) {
      log.debug("kubelet simulator: lease of node {} not renewed: {}", node, e.toString());
    }
  }

  private static <T> List<T> nullSafe(List<T> list) {
    return list == null ? List.of() : list;
  }

  @Override
  public synchronized void close() {
    Informers.stop(informers, executor);
    executor = null;
  }
}
