package io.carbon254.runbook.activities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.runbook.activities.registry.CopyOptions;
import io.carbon254.runbook.activities.registry.CopyOutcome;
import io.carbon254.runbook.activities.registry.CopyResult;
import io.carbon254.runbook.activities.registry.Credentials;
import io.carbon254.runbook.activities.registry.ImagePair;
import io.carbon254.runbook.activities.registry.ImageReference;
import io.carbon254.runbook.activities.registry.Manifest;
import io.carbon254.runbook.activities.registry.Progress;
import io.carbon254.runbook.activities.registry.RegistryClient;
import io.carbon254.runbook.activities.registry.RegistryCopier;
import io.carbon254.runbook.activities.registry.RegistryException;
import io.carbon254.runbook.config.Harbor;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.mirror.Found;
import io.carbon254.runbook.mirror.ImageActivities;
import io.carbon254.runbook.mirror.MirrorReport;
import io.carbon254.runbook.mirror.MirroredImage;
import io.carbon254.runbook.mirror.SourceImage;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;

/**
 * The platform's images and Harbor's registry through the daemon-free copier: source digests,
 * what Harbor already has, and the mirror itself — digest-preserving, many images at a time,
 * heartbeating the finished blobs so that a retried attempt resumes instead of starting over.
 */
public final class RegistryMirror implements ImageActivities {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Heartbeat details: the blobs finished so far, by their copier keys. */
  public record MirrorProgress(List<String> doneBlobs, int imagesDone, int images) {}

  private final OkHttpClient http;
  private final KubernetesClient kubernetes;
  private final SecretResolver secrets;
  private final CopyOptions options;

  public RegistryMirror(OkHttpClient http, KubernetesClient kubernetes, SecretResolver secrets) {
    this(http, kubernetes, secrets, CopyOptions.defaults());
  }

  public RegistryMirror(OkHttpClient http, KubernetesClient kubernetes, SecretResolver secrets, CopyOptions options) {
    this.http = http;
    this.kubernetes = kubernetes;
    this.secrets = secrets;
    this.options = options;
  }

  @Override
  public Found<SourceImage> resolveImages(Harbor harbor, List<String> images) {
    RegistryClient sources = new RegistryClient(http, Credentials.none(), options);
    List<SourceImage> resolved = new ArrayList<>();
    int inHarbor = 0;
    for (String image : images) {
      ImageReference source = ImageReference.parse(image);
      if (isHarbor(harbor, source.registry())) {
        inHarbor++; // already pulled from Harbor: nothing to mirror
        continue;
      }
      String what = "resolve " + source;
      try {
        Manifest manifest = sources.getManifest(source, source.reference(), what);
        List<String> platforms = manifest.isIndex()
            ? manifest.children().stream().map(c -> c.platform() == null ? "unknown" : c.platform()).toList()
            : List.of();
        resolved.add(new SourceImage(source.toString(), manifest.digest(), manifest.mediaType(), platforms,
            target(harbor, source).name()));
      } catch (RegistryException e) {
        throw failure(e, "cannot resolve image " + source);
      }
    }
    return new Found<>(resolved, resolved.size() + " images resolved at their sources, "
        + resolved.stream().filter(i -> i.platforms().size() > 1).count() + " of them multi-platform"
        + (inHarbor == 0 ? "" : "; " + inHarbor + " already pulled from Harbor"));
  }

  @Override
  public List<PlanItem> planMirror(Harbor harbor, List<SourceImage> images) {
    RegistryClient target = new RegistryClient(http, harborLogin(harbor, true), options);
    List<PlanItem> plan = new ArrayList<>();
    for (SourceImage image : images) {
      ImageReference repo = ImageReference.parse(image.target());
      boolean present;
      try {
        present = target.headManifest(repo, image.digest(), "look for " + image.pinnedTarget() + " in Harbor").isPresent();
      } catch (RegistryException e) {
        if (e.httpStatus() != 404) {
          throw failure(e, "cannot look up " + image.pinnedTarget() + " in Harbor");
        }
        present = false;
      }
      String detail = "from " + image.source() + (image.platforms().size() > 1 ? ", " + image.platforms().size() + " platforms" : "");
      plan.add(present ? PlanItem.keep("Image", image.pinnedTarget(), detail) : PlanItem.create("Image", image.pinnedTarget(), detail));
    }
    return plan;
  }

  @Override
  public MirrorReport mirrorImages(Harbor harbor, List<SourceImage> images) {
    if (ChangeGuard.readOnly()) {
      // The copier pushes from its own threads: what it would push is decided here, before it starts.
      planMirror(harbor, images).stream().filter(item -> item.action() != PlanItem.Action.KEEP).findFirst()
          .ifPresent(item -> ChangeGuard.allow("copying " + item.target()));
    }
    ActivityExecutionContext context = Activity.getExecutionContext();
    Set<String> done = ConcurrentHashMap.newKeySet();
    context.getHeartbeatDetails(MirrorProgress.class).ifPresent(p -> done.addAll(p.doneBlobs()));
    int[] imagesDone = {0};
    List<ImagePair> pairs = images.stream()
        .map(i -> new ImagePair(ImageReference.parse(i.source()), targetWithTag(harbor, i)))
        .toList();
    int parallelism = harbor.parallelism() == null ? 4 : harbor.parallelism();
    List<CopyOutcome> outcomes;
    try (RegistryCopier copier = new RegistryCopier(http, harborLogin(harbor, false), options)) {
      outcomes = copier.copyAll(pairs, parallelism, Set.copyOf(done), (Progress progress) -> {
        if (progress.blobDone() && progress.blobKey() != null) {
          done.add(progress.blobKey());
        }
        if (progress.kind() == Progress.Kind.IMAGE_DONE) {
          imagesDone[0]++;
        }
        // The SDK throttles heartbeats; the details are what a retried attempt resumes from.
        context.heartbeat(new MirrorProgress(List.copyOf(done), imagesDone[0], images.size()));
      });
    }
    List<MirroredImage> mirrored = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    boolean retryable = false;
    for (CopyOutcome outcome : outcomes) {
      if (!outcome.ok()) {
        failures.add(outcome.failure().getMessage());
        retryable |= outcome.failure().retryable();
        continue;
      }
      CopyResult r = outcome.result();
      SourceImage image = images.stream().filter(i -> i.source().equals(outcome.pair().source().toString())).findFirst()
          .orElseThrow();
      mirrored.add(new MirroredImage(image.source(), r.digest(), image.target() + "@" + r.digest(),
          r.platforms().isEmpty() ? image.platforms() : r.platforms(), r.bytesCopied(), r.blobsCopied(),
          r.blobsSkipped() + r.blobsMounted(), r.unchanged() ? Change.UNCHANGED : Change.CREATED));
    }
    if (!failures.isEmpty()) {
      String message = failures.size() + " of " + images.size() + " images could not be mirrored: "
          + String.join("; ", failures);
      throw retryable ? ApplicationFailure.newFailure(message, "MirrorIncomplete")
          : ApplicationFailure.newNonRetryableFailure(message, "MirrorFailed");
    }
    return new MirrorReport(mirrored);
  }

  private static boolean isHarbor(Harbor harbor, String registry) {
    return registry.equals(harbor.registryHost()) || harbor.alternateHosts().contains(registry);
  }

  /** {@code docker.io/grafana/grafana:10.2.0} → {@code <harbor>/<project>/grafana/grafana}. */
  static ImageReference target(Harbor harbor, ImageReference source) {
    return new ImageReference(harbor.registryHost(), harbor.project() + "/" + source.repository(), null, null);
  }

  private static ImageReference targetWithTag(Harbor harbor, SourceImage image) {
    ImageReference source = ImageReference.parse(image.source());
    return target(harbor, source).withTag(source.tag() == null ? "latest" : source.tag());
  }

  /**
   * Harbor's login: the robot's, read from the pull secret the robot step wrote (its secret lives
   * nowhere else), or — before the robot exists, to plan — the admin's.
   */
  private Credentials harborLogin(Harbor harbor, boolean adminWhenNoRobot) {
    Optional<Credentials.Login> robot = robotLogin(harbor);
    if (robot.isEmpty() && !adminWhenNoRobot) {
      throw ApplicationFailure.newNonRetryableFailure("no pull secret " + harbor.pullSecret() + " in "
          + harbor.switchNamespaces() + " to read the robot's login from: the ensure-robot step must run first",
          "RobotMissing");
    }
    Credentials.Login login = robot.orElseGet(() -> new Credentials.Login(secrets.resolve(harbor.admin().username()),
        secrets.resolve(harbor.admin().password())));
    return Credentials.of(Map.of(harbor.registryHost(), login));
  }

  private Optional<Credentials.Login> robotLogin(Harbor harbor) {
    for (String namespace : harbor.switchNamespaces()) {
      Secret secret = new KubernetesApi(kubernetes).call(KubernetesApi.Call.of("get", Secret.class, namespace, harbor.pullSecret()),
          () -> kubernetes.secrets().inNamespace(namespace).withName(harbor.pullSecret()).get());
      if (secret == null || secret.getData() == null || !secret.getData().containsKey(".dockerconfigjson")) {
        continue;
      }
      try {
        JsonNode auth = JSON.readTree(new String(Base64.getDecoder().decode(secret.getData().get(".dockerconfigjson")),
            StandardCharsets.UTF_8)).path("auths").path(harbor.registryHost());
        if (!auth.path("username").asText("").isEmpty()) {
          return Optional.of(new Credentials.Login(auth.path("username").asText(), auth.path("password").asText()));
        }
      } catch (IOException e) {
        throw ApplicationFailure.newNonRetryableFailure("pull secret " + namespace + "/" + harbor.pullSecret()
            + " is not a valid dockerconfigjson; delete it and run again (the robot's secret is then rotated)",
            "BadPullSecret");
      }
    }
    return Optional.empty();
  }

  private static ApplicationFailure failure(RegistryException e, String what) {
    String message = what + ": " + e.getMessage();
    return e.retryable() ? ApplicationFailure.newFailure(message, "RegistryUnavailable")
        : ApplicationFailure.newNonRetryableFailure(message, "RegistryRefused");
  }
}
