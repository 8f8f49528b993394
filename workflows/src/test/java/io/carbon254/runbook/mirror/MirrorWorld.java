package io.carbon254.runbook.mirror;

import io.carbon254.runbook.config.Harbor;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.Verification;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Harbor, the registries and the workloads in memory, as the image-mirror workflow sees them. */
public class MirrorWorld implements HarborActivities, ImageActivities, WorkloadActivities {

  volatile boolean credentialsReady = true;
  volatile boolean project;
  volatile boolean robot;
  final Set<String> harborImages = Collections.synchronizedSet(new LinkedHashSet<>()); // repo@digest
  /** workload id → container → image */
  final Map<String, Map<String, String>> workloads = Collections.synchronizedMap(new LinkedHashMap<>());
  final Set<String> brokenRollouts = Collections.synchronizedSet(new LinkedHashSet<>());
  final List<String> rollbacks = Collections.synchronizedList(new ArrayList<>());

  MirrorWorld() {
    workloads.put("data-platform/deployment/superset", new LinkedHashMap<>(Map.of("superset", "docker.io/apache/superset:4.0.1")));
    workloads.put("data-platform/deployment/trino-worker", new LinkedHashMap<>(Map.of("trino", "docker.io/trinodb/trino:424")));
  }

  /** docker.io/library/... as the real adapter normalises (enough of it for this world). */
  static String normalise(String image) {
    String first = image.split("/")[0];
    boolean hasRegistry = image.contains("/") && (first.contains(".") || first.contains(":") || first.equals("localhost"));
    if (hasRegistry) {
      return image;
    }
    return "docker.io/" + (image.contains("/") ? image : "library/" + image);
  }

  static String digestOf(String source) {
    return "sha256:" + String.format("%064x", Math.abs((long) source.hashCode()));
  }

  static String targetOf(Harbor h, String source) {
    String path = source.substring(source.indexOf('/') + 1).replaceAll("[:@].*$", "");
    return h.registryHost() + "/" + h.project() + "/" + path;
  }

  @Override
  public HarborPreflight preflight(Harbor harbor) {
    return new HarborPreflight(true, credentialsReady, credentialsReady ? "Harbor healthy, admin credentials accepted"
        : "Harbor healthy; admin credentials missing: Secret registry/harbor-admin-credentials does not exist");
  }

  @Override
  public Verification verifyCredentials(Harbor harbor) {
    return credentialsReady ? Verification.passed("logged in as admin") : Verification.failed("401 Unauthorized as admin");
  }

  @Override
  public List<PlanItem> planHarbor(Harbor h) {
    return List.of(
        project ? PlanItem.keep("Project", h.project(), "private") : PlanItem.create("Project", h.project(), "private"),
        robot ? PlanItem.keep("Robot", "robot$" + h.project() + "+" + h.robot(), "pull, push")
            : PlanItem.create("Robot", "robot$" + h.project() + "+" + h.robot(), "pull, push; secret into " + h.pullSecret()));
  }

  @Override
  public Changed.Result ensureProject(Harbor h) {
    Change change = project ? Change.UNCHANGED : Change.CREATED;
    project = true;
    return new Changed.Result(change, "project " + h.project());
  }

  @Override
  public Changed.Result ensureRobot(Harbor h) {
    Change change = robot ? Change.UNCHANGED : Change.CREATED;
    robot = true;
    return new Changed.Result(change, "robot$" + h.project() + "+" + h.robot());
  }

  @Override
  public Found<SourceImage> resolveImages(Harbor h, List<String> images) {
    List<SourceImage> resolved = images.stream()
        .map(i -> new SourceImage(i, digestOf(i), "application/vnd.oci.image.index.v1+json", List.of("linux/amd64", "linux/arm64"),
            targetOf(h, i)))
        .toList();
    return new Found<>(resolved, resolved.size() + " images resolved");
  }

  @Override
  public List<PlanItem> planMirror(Harbor h, List<SourceImage> images) {
    return images.stream()
        .map(i -> harborImages.contains(i.pinnedTarget())
            ? PlanItem.keep("Image", i.pinnedTarget(), "from " + i.source())
            : PlanItem.create("Image", i.pinnedTarget(), "from " + i.source()))
        .toList();
  }

  @Override
  public MirrorReport mirrorImages(Harbor h, List<SourceImage> images) {
    List<MirroredImage> done = new ArrayList<>();
    for (SourceImage i : images) {
      boolean copied = harborImages.add(i.pinnedTarget());
      done.add(new MirroredImage(i.source(), i.digest(), i.pinnedTarget(), i.platforms(), copied ? 1024 * 1024 : 0,
          copied ? 3 : 0, copied ? 0 : 3, copied ? Change.CREATED : Change.UNCHANGED));
    }
    return new MirrorReport(done);
  }

  @Override
  public Found<String> discoverImages(List<String> configured, List<String> namespaces) {
    Set<String> all = new LinkedHashSet<>();
    configured.forEach(image -> all.add(normalise(image)));
    workloads.values().forEach(containers -> containers.values().stream().filter(i -> !i.contains("@")).forEach(all::add));
    return new Found<>(List.copyOf(all), all.size() + " images");
  }

  @Override
  public Found<WorkloadSwitch> planSwitch(Harbor h, List<MirroredImage> mirrored) {
    List<WorkloadSwitch> switches = new ArrayList<>();
    workloads.forEach((id, containers) -> {
      List<WorkloadSwitch.ContainerImage> changes = new ArrayList<>();
      containers.forEach((container, image) -> mirrored.stream().filter(m -> m.source().equals(image)).findFirst()
          .ifPresent(m -> changes.add(new WorkloadSwitch.ContainerImage(container, false, image, m.target()))));
      if (!changes.isEmpty()) {
        String[] parts = id.split("/");
        switches.add(new WorkloadSwitch(parts[0], parts[1].substring(0, 1).toUpperCase() + parts[1].substring(1), parts[2],
            changes, h.pullSecret()));
      }
    });
    return new Found<>(switches, switches.size() + " workloads to switch");
  }

  @Override
  public Changed.Result switchWorkload(WorkloadSwitch w) {
    Map<String, String> containers = workloads.get(key(w));
    w.containers().forEach(c -> containers.put(c.container(), c.to()));
    return new Changed.Result(Change.UPDATED, w.id() + " → Harbor");
  }

  @Override
  public Verification waitForRollout(WorkloadSwitch w) {
    return brokenRollouts.contains(key(w))
        ? Verification.failed(w.id() + ": 0 of 1 replicas ready after 5m (ImagePullBackOff)")
        : Verification.passed(w.id() + " rolled out");
  }

  @Override
  public Changed.Result rollBack(WorkloadSwitch w) {
    rollbacks.add(w.id());
    Map<String, String> containers = workloads.get(key(w));
    w.containers().forEach(c -> containers.put(c.container(), c.from()));
    return new Changed.Result(Change.UPDATED, w.id() + " back on its old images");
  }

  private static String key(WorkloadSwitch w) {
    return w.namespace() + "/" + w.kind().toLowerCase() + "/" + w.name();
  }
}
