package io.carbon254.runbook.activities.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbon254.runbook.activities.registry.SyntheticImages.Layer;
import io.carbon254.runbook.activities.registry.SyntheticImages.Pushed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The copier between two real docker-registry processes; the target requires basic auth. */
class RegistryCopierTest {

  static LocalRegistry source;
  static LocalRegistry target;
  static OkHttpClient http;
  static SyntheticImages images;

  @BeforeAll
  static void start() {
    source = LocalRegistry.start();
    target = LocalRegistry.start("mirror", "s3cret-mirror");
    http = new OkHttpClient.Builder().readTimeout(60, TimeUnit.SECONDS).build();
    images = new SyntheticImages(new RegistryClient(http, Credentials.none(), CopyOptions.defaults()));
  }

  @AfterAll
  static void stop() {
    if (source != null) {
      source.close();
    }
    if (target != null) {
      target.close();
    }
  }

  static RegistryCopier copier(CopyOptions options) {
    return new RegistryCopier(http, target.credentials(), options.withRetries(3, Duration.ofMillis(20),
        Duration.ofMillis(200)));
  }

  static RegistryClient targetClient() {
    return new RegistryClient(http, target.credentials(), CopyOptions.defaults());
  }

  @Test
  void singlePlatformDockerManifestIsCopiedByteForByteAndTheRerunUploadsNothing() {
    Pushed pushed = images.pushImage(source.ref("single/app:1.0"), false, "linux", "amd64",
        List.of(Layer.of(1, 300_000), Layer.of(2, 1_500_000)));
    try (RegistryCopier copier = copier(CopyOptions.defaults())) {
      Set<String> done = ConcurrentHashMap.newKeySet();
      CopyResult first = copier.copy(source.ref("single/app:1.0"), target.ref("mirror/app:1.0"), Set.of(),
          p -> {
            if (p.blobDone()) {
              done.add(p.blobKey());
            }
          });
      assertThat(first.digest()).isEqualTo(pushed.digest());
      assertThat(first.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
      assertThat(first.blobsCopied()).isEqualTo(3);
      assertThat(first.bytesCopied()).isGreaterThan(1_800_000);
      assertThat(first.target().toString()).isEqualTo(target.host() + "/mirror/app:1.0@" + pushed.digest());
      assertThat(done).hasSize(3).allMatch(k -> k.startsWith(target.host() + "/mirror/app@sha256:"));

      Manifest atTarget = targetClient().getManifest(target.ref("mirror/app:1.0"), "1.0", "check");
      assertThat(atTarget.digest()).isEqualTo(pushed.digest());
      assertThat(atTarget.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);

      CopyResult again = copier.copy(source.ref("single/app:1.0"), target.ref("mirror/app:1.0"));
      assertThat(again.unchanged()).isTrue();
      assertThat(again.bytesCopied()).isZero();
      assertThat(again.digest()).isEqualTo(pushed.digest());
    }
    // A fresh copier (a restarted worker) given the done set: every blob skipped without an upload.
    try (RegistryCopier restarted = copier(CopyOptions.defaults())) {
      CopyResult resumed = restarted.copy(source.ref("single/app:1.0"), target.ref("mirror/app:1.0-resumed"),
          Set.copyOf(restartedDoneSet(pushed)), p -> {});
      assertThat(resumed.blobsCopied()).isZero();
      assertThat(resumed.bytesCopied()).isZero();
      assertThat(resumed.blobsSkipped()).isEqualTo(3);
      assertThat(resumed.digest()).isEqualTo(pushed.digest());
    }
  }

  private static Set<String> restartedDoneSet(Pushed pushed) {
    Manifest m = new RegistryClient(http, Credentials.none(), CopyOptions.defaults())
        .getManifest(source.ref("single/app:1.0"), pushed.digest(), "check");
    return Set.copyOf(m.blobs().stream().map(b -> RegistryCopier.blobKey(target.ref("mirror/app"), b.digest())).toList());
  }

  @Test
  void ociIndexWithTwoPlatformsKeepsItsDigestAndEveryChild() {
    Pushed index = images.pushMultiArch(source.ref("multi/oci:2.0"), true, 10, 400_000);
    try (RegistryCopier copier = copier(CopyOptions.defaults())) {
      CopyResult result = copier.copy(source.ref("multi/oci:2.0"), target.ref("mirror/oci:2.0"));
      assertThat(result.digest()).isEqualTo(index.digest());
      assertThat(result.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
      assertThat(result.platforms()).containsExactly("linux/amd64", "linux/arm64/v8");
      assertThat(result.blobsCopied() + result.blobsSkipped()).isEqualTo(5); // shared base, 2 own layers, 2 configs
      RegistryClient check = targetClient();
      Manifest top = check.getManifest(target.ref("mirror/oci"), "2.0", "check");
      assertThat(top.digest()).isEqualTo(index.digest());
      for (Manifest.Descriptor child : top.children()) {
        Manifest m = check.getManifest(target.ref("mirror/oci"), child.digest(), "check");
        assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        m.blobs().forEach(b -> assertThat(check.blobExists(target.ref("mirror/oci"), b.digest(), "check")).isTrue());
      }
      assertThat(copier.copy(source.ref("multi/oci:2.0"), target.ref("mirror/oci:2.0")).unchanged()).isTrue();
    }
  }

  @Test
  void dockerManifestListAndSinglePlatformSelection() {
    Pushed list = images.pushMultiArch(source.ref("multi/docker:3.0"), false, 20, 200_000);
    Set<String> done = ConcurrentHashMap.newKeySet();
    try (RegistryCopier copier = copier(CopyOptions.defaults())) {
      CopyResult all = copier.copy(source.ref("multi/docker:3.0"), target.ref("mirror/docker:3.0"), Set.of(), p -> {
        if (p.blobDone()) {
          done.add(p.blobKey());
        }
      });
      assertThat(all.digest()).isEqualTo(list.digest());
      assertThat(all.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    }
    try (RegistryCopier arm = copier(CopyOptions.defaults().withPlatform("linux/arm64"))) {
      // The done set of the first copy tells a new copier where the blobs are: it mounts them from there.
      CopyResult one = arm.copy(source.ref("multi/docker:3.0"), target.ref("mirror/docker-arm64:3.0"), done, p -> {});
      assertThat(one.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
      assertThat(one.platforms()).containsExactly("linux/arm64/v8");
      Manifest srcIndex = new RegistryClient(http, Credentials.none(), CopyOptions.defaults())
          .getManifest(source.ref("multi/docker"), "3.0", "check");
      assertThat(one.digest()).isEqualTo(srcIndex.children().get(1).digest());
      assertThat(one.blobsMounted()).as("layers already in mirror/docker are mounted").isEqualTo(3);
    }
  }

  @Test
  void ociSingleManifestAndChunkedUploadOfALayerLargerThanTheChunk() {
    Pushed pushed = images.pushImage(source.ref("single/chunky:1"), true, "linux", "amd64",
        List.of(Layer.of(30, 3 * 1024 * 1024 + 12345)));
    try (RegistryCopier copier = copier(CopyOptions.defaults().withChunkSize(1024 * 1024))) {
      CopyResult result = copier.copy(source.ref("single/chunky:1"), target.ref("mirror/chunky:1"));
      assertThat(result.digest()).isEqualTo(pushed.digest());
      assertThat(result.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
      assertThat(result.bytesCopied()).isGreaterThan(3 * 1024 * 1024);
    }
  }

  @Test
  void aLayerSharedByTwoRepositoriesIsMountedNotUploadedAgain() {
    Layer base = Layer.of(40, 700_000);
    images.pushImage(source.ref("shared/one:1"), true, "linux", "amd64", List.of(base, Layer.of(41, 1000)));
    images.pushImage(source.ref("shared/two:1"), true, "linux", "amd64", List.of(base, Layer.of(42, 1000)));
    try (RegistryCopier copier = copier(CopyOptions.defaults())) {
      List<CopyOutcome> outcomes = copier.copyAll(List.of(
          new ImagePair(source.ref("shared/one:1"), target.ref("mirror/shared-one:1"))), 1);
      assertThat(outcomes.get(0).ok()).isTrue();
      CopyResult two = copier.copy(source.ref("shared/two:1"), target.ref("mirror/shared-two:1"));
      assertThat(two.blobsMounted()).isEqualTo(1);
      assertThat(two.blobsCopied()).isEqualTo(2); // its own layer and config
      assertThat(two.bytesCopied()).isLessThan(10_000);
    }
  }

  @Test
  void copyAllCopiesManyImagesInParallelAndReportsEachFailureByImage() {
    images.pushImage(source.ref("many/a:1"), true, "linux", "amd64", List.of(Layer.of(50, 100_000)));
    images.pushImage(source.ref("many/b:1"), false, "linux", "amd64", List.of(Layer.of(51, 100_000)));
    List<ImagePair> pairs = List.of(
        new ImagePair(source.ref("many/a:1"), target.ref("mirror/many-a:1")),
        new ImagePair(source.ref("many/missing:1"), target.ref("mirror/many-missing:1")),
        new ImagePair(source.ref("many/b:1"), target.ref("mirror/many-b:1")));
    try (RegistryCopier copier = copier(CopyOptions.defaults())) {
      List<String> imagesDone = new CopyOnWriteArrayList<>();
      Consumer<Progress> progress = p -> {
        if (p.kind() == Progress.Kind.IMAGE_DONE) {
          imagesDone.add(p.image());
        }
      };
      List<CopyOutcome> outcomes = copier.copyAll(pairs, 3, Set.of(), progress);
      assertThat(outcomes).extracting(CopyOutcome::ok).containsExactly(true, false, true);
      RegistryException failure = outcomes.get(1).failure();
      assertThat(failure.retryable()).isFalse();
      assertThat(failure.httpStatus()).isEqualTo(404);
      assertThat(failure.getMessage()).contains("many/missing:1").contains("MANIFEST_UNKNOWN").contains(source.host());
      assertThat(imagesDone).containsExactlyInAnyOrder(source.host() + "/many/a:1", source.host() + "/many/b:1");

      imagesDone.clear();
      List<CopyOutcome> again = copier.copyAll(pairs, 3, Set.of(), progress);
      assertThat(again.get(0).result().unchanged()).isTrue();
      assertThat(again.get(2).result().unchanged()).isTrue();
      assertThat(imagesDone).as("an image already at the target is done too").hasSize(2);
    }
  }

  @Test
  void waitingBlobsGoLargestFirstSoABigLayerNeverRunsAloneAtTheEnd() {
    PriorityBlockingQueue<RegistryCopier.QueuedBlob> queue = new PriorityBlockingQueue<>();
    Runnable nothing = () -> {};
    queue.add(new RegistryCopier.QueuedBlob(1_000, 1, nothing));
    queue.add(new RegistryCopier.QueuedBlob(512L << 20, 2, nothing));
    queue.add(new RegistryCopier.QueuedBlob(30L << 20, 3, nothing));
    queue.add(new RegistryCopier.QueuedBlob(512L << 20, 4, nothing));
    List<Long> order = new ArrayList<>();
    while (!queue.isEmpty()) {
      order.add(queue.poll().order());
    }
    assertThat(order).as("largest first, the older of two equal sizes first").containsExactly(2L, 4L, 3L, 1L);
  }

  @Test
  void wrongPasswordAtTheTargetIsNotRetriedAndSaysSo() {
    images.pushImage(source.ref("auth/app:1"), true, "linux", "amd64", List.of(Layer.of(60, 1000)));
    Credentials wrong = r -> java.util.Optional.of(new Credentials.Login("mirror", "wrong"));
    try (RegistryCopier copier = new RegistryCopier(http, wrong, CopyOptions.defaults())) {
      long started = System.nanoTime();
      assertThatThrownBy(() -> copier.copy(source.ref("auth/app:1"), target.ref("mirror/auth:1")))
          .isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.retryable()).isFalse();
            assertThat(e.httpStatus()).isEqualTo(401);
          })
          .hasMessageContaining("auth/app:1").hasMessageContaining(target.host()).hasMessageContaining("UNAUTHORIZED")
          .hasMessageContaining("user 'mirror'");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }
    try (RegistryCopier anonymous = new RegistryCopier(http, Credentials.none(), CopyOptions.defaults())) {
      assertThatThrownBy(() -> anonymous.copy(source.ref("auth/app:1"), target.ref("mirror/auth:1")))
          .hasMessageContaining("no credentials are configured for " + target.host());
    }
  }
}
