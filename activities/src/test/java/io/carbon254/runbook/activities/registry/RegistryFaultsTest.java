package io.carbon254.runbook.activities.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbon254.runbook.activities.registry.FaultProxy.Kind;
import io.carbon254.runbook.activities.registry.SyntheticImages.Layer;
import io.carbon254.runbook.activities.registry.SyntheticImages.Pushed;
import java.io.IOException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Faults injected by a loopback proxy in front of real registries: retried and verified, or failed clearly. */
class RegistryFaultsTest {

  static LocalRegistry sourceRegistry;
  static LocalRegistry targetRegistry;
  static FaultProxy source;
  static FaultProxy target;
  static OkHttpClient http;
  static Pushed image;
  static Pushed index;

  @BeforeAll
  static void start() throws IOException {
    sourceRegistry = LocalRegistry.start();
    targetRegistry = LocalRegistry.start();
    source = new FaultProxy(sourceRegistry.host());
    target = new FaultProxy(targetRegistry.host());
    http = new OkHttpClient.Builder().readTimeout(30, TimeUnit.SECONDS).build();
    SyntheticImages images = new SyntheticImages(new RegistryClient(http, Credentials.none(), CopyOptions.defaults()));
    image = images.pushImage(ref(sourceRegistry, "app/web:1"), true, "linux", "amd64",
        List.of(Layer.of(100, 2_000_000), Layer.of(101, 500_000)));
    index = images.pushMultiArch(ref(sourceRegistry, "app/multi:1"), true, 110, 300_000);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {source, target, sourceRegistry, targetRegistry}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  @BeforeEach
  void reset() {
    source.clear();
    target.clear();
    source.relativeLocations = false;
    target.relativeLocations = false;
    target.bearerCheck = null;
  }

  static ImageReference ref(LocalRegistry r, String name) {
    return ImageReference.parse(r.host() + "/" + name);
  }

  static ImageReference ref(FaultProxy p, String name) {
    return ImageReference.parse(p.host() + "/" + name);
  }

  static RegistryCopier copier() {
    return copier(CopyOptions.defaults(), Credentials.none());
  }

  static RegistryCopier copier(CopyOptions options, Credentials credentials) {
    return new RegistryCopier(http, credentials, options.withRetries(4, Duration.ofMillis(20), Duration.ofMillis(100)));
  }

  @Test
  void tooManyRequestsWithRetryAfterIsWaitedOutThenTheCopyVerifies() {
    source.fail("GET /v2/app/web/manifests/", Kind.STATUS, 429, Map.of("Retry-After", "1"), 1);
    source.fail("GET /v2/app/web/blobs/", Kind.STATUS, 429, Map.of("Retry-After", "1"), 1);
    List<Progress> retries = new java.util.concurrent.CopyOnWriteArrayList<>();
    long started = System.nanoTime();
    try (RegistryCopier copier = copier()) {
      CopyResult r = copier.copy(ref(source, "app/web:1"), ref(target, "web/429:1"), Set.of(), p -> {
        if (p.kind() == Progress.Kind.RETRY) {
          retries.add(p);
        }
      });
      assertThat(r.digest()).isEqualTo(image.digest());
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    assertThat(source.injected).hasSize(2);
    assertThat(retries).isNotEmpty().allMatch(p -> p.message().contains("429"));
  }

  @Test
  void dockerHubRateLimitBeyondWhatWeWaitInProcessFailsRetryableWithTheHeaders() {
    source.fail("GET /v2/app/web/manifests/", Kind.STATUS, 429,
        Map.of("ratelimit-limit", "100;w=21600", "ratelimit-remaining", "0;w=21600"), 1);
    try (RegistryCopier copier = copier()) {
      assertThatThrownBy(() -> copier.copy(ref(source, "app/web:1"), ref(target, "web/hub:1")))
          .isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.retryable()).isTrue();
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(21600));
          })
          .hasMessageContaining("rate limiting").hasMessageContaining("ratelimit-remaining 0;w=21600")
          .hasMessageContaining("app/web:1");
    }
  }

  @Test
  void serverErrorsAndBrokenBodiesAreRetriedAndTheCopyStillVerifies() {
    source.fail("GET /v2/app/web/blobs/", Kind.STATUS, 500, Map.of(), 2);
    source.fail("GET /v2/app/multi/manifests/sha256", Kind.TRUNCATE, 0, Map.of(), 1);
    source.fail("GET /v2/app/web/blobs/", Kind.RESET, 0, Map.of(), 1);
    source.fail("GET /v2/app/web/blobs/", Kind.TRUNCATE, 0, Map.of(), 1);
    source.fail("GET /v2/app/multi/blobs/", Kind.RESET, 0, Map.of(), 2);
    target.fail("PUT /v2/web/faults/blobs/uploads/", Kind.STATUS, 500, Map.of(), 1);
    target.fail("PUT /v2/multi/faults/manifests/", Kind.STATUS, 503, Map.of(), 1);
    try (RegistryCopier copier = copier()) {
      assertThat(copier.copy(ref(source, "app/web:1"), ref(target, "web/faults:1")).digest()).isEqualTo(image.digest());
      assertThat(copier.copy(ref(source, "app/multi:1"), ref(target, "multi/faults:1")).digest())
          .isEqualTo(index.digest());
    }
    assertThat(source.injected).hasSize(7);
    assertThat(target.injected).hasSize(2);
    RegistryClient check = new RegistryClient(http, Credentials.none(), CopyOptions.defaults());
    assertThat(check.getManifest(ref(targetRegistry, "web/faults"), "1", "check").digest()).isEqualTo(image.digest());
  }

  @Test
  void relativeLocationsCarryingAQueryWorkForMonolithicAndChunkedUploads() {
    target.relativeLocations = true;
    try (RegistryCopier copier = copier()) {
      assertThat(copier.copy(ref(source, "app/web:1"), ref(target, "web/relative:1")).digest())
          .isEqualTo(image.digest());
    }
    try (RegistryCopier chunked = copier(CopyOptions.defaults().withChunkSize(700_000), Credentials.none())) {
      assertThat(chunked.copy(ref(source, "app/web:1"), ref(target, "web/relative-chunked:1")).digest())
          .isEqualTo(image.digest());
    }
    assertThat(target.log).anyMatch(l -> l.startsWith("PATCH /v2/web/relative-chunked/blobs/uploads/"));
  }

  @Test
  void deniedMissingAndUnauthorizedAreNotRetriedAndNameTheImageAndTheObject() {
    target.fail("PUT /v2/web/denied/manifests/", Kind.STATUS, 403, Map.of(), 5);
    try (RegistryCopier copier = copier()) {
      assertThatThrownBy(() -> copier.copy(ref(source, "app/web:1"), ref(target, "web/denied:1")))
          .isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.retryable()).isFalse();
            assertThat(e.errorCode()).isEqualTo("DENIED");
          })
          .hasMessageContaining("app/web:1").hasMessageContaining("web/denied").hasMessageContaining("403");
      assertThat(target.injected).hasSize(1);

    }
    // A fresh copier: it does not know that web/denied holds the blobs, so it must GET them from the source.
    try (RegistryCopier copier = copier()) {
      source.fail("GET /v2/app/web/blobs/", Kind.STATUS, 404, Map.of(), 5);
      assertThatThrownBy(() -> copier.copy(ref(source, "app/web:1"), ref(target, "web/missing-blob:1")))
          .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.retryable()).isFalse())
          .hasMessageContaining("blob sha256:").hasMessageContaining("404").hasMessageContaining(source.host());
      assertThat(targetRegistry.uploadSessions("web/missing-blob"))
          .as("no upload is started at the target for a blob the source cannot give").isEmpty();
      source.clear();

      source.fail("HEAD /v2/app/web/manifests/", Kind.STATUS, 401, Map.of(), 1);
      assertThatThrownBy(() -> copier.copy(ref(source, "app/web:1"), ref(target, "web/unauthorized:1")))
          .isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.retryable()).isFalse();
            assertThat(e.httpStatus()).isEqualTo(401);
          })
          .hasMessageContaining("UNAUTHORIZED").hasMessageContaining("app/web:1");
    }
  }

  @Test
  void aRestartedCopierGivenTheDoneSetDoesNotTouchFinishedBlobs() {
    Set<String> done = ConcurrentHashMap.newKeySet();
    try (RegistryCopier first = copier()) {
      first.copy(ref(source, "app/web:1"), ref(target, "web/resume:1"), Set.of(), p -> {
        if (p.blobDone()) {
          done.add(p.blobKey());
        }
      });
    }
    assertThat(done).hasSize(3);
    target.clear();
    source.clear();
    try (RegistryCopier restarted = copier()) {
      CopyResult r = restarted.copy(ref(source, "app/web:1"), ref(target, "web/resume:2"), done, p -> {});
      assertThat(r.blobsSkipped()).isEqualTo(3);
      assertThat(r.bytesCopied()).isZero();
    }
    assertThat(target.log).noneMatch(l -> l.contains("/blobs/"));
    assertThat(source.log).noneMatch(l -> l.contains("/blobs/"));
  }

  @Test
  void bearerTokensAreFetchedFromTheChallengeRealmPerScope() throws IOException {
    Map<String, Set<String>> issued = new ConcurrentHashMap<>();
    List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    String basic = "Basic " + Base64.getEncoder().encodeToString("robot$mirror:t0ken".getBytes());
    try (MockWebServer tokens = new MockWebServer()) {
      tokens.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          if (!basic.equals(request.getHeaders().get("Authorization"))) {
            return new MockResponse.Builder().code(401).body("{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}").build();
          }
          List<String> scopes = request.getUrl().queryParameterValues("scope");
          asked.add(request.getUrl().queryParameter("service") + " " + scopes);
          String token = "tok-" + issued.size();
          issued.put(token, Set.copyOf(scopes));
          return new MockResponse.Builder().code(200).body("{\"token\":\"" + token + "\",\"expires_in\":300}").build();
        }
      });
      tokens.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
      // The registry's own host, another port: as Harbor's /service/token.
      String realm = "http://127.0.0.1:" + tokens.getPort() + "/service/token";
      Pattern repoOf = Pattern.compile("^/v2/(.+?)/(manifests|blobs)/");
      target.bearerCheck = ex -> {
        Matcher m = repoOf.matcher(ex.getRequestURI().getPath());
        String repo = m.find() ? m.group(1) : "";
        boolean read = List.of("GET", "HEAD").contains(ex.getRequestMethod());
        String needed = "repository:" + repo + ":" + (read ? "pull" : "pull,push");
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        Set<String> scopes = auth == null || !auth.startsWith("Bearer ") ? null : issued.get(auth.substring(7));
        boolean ok = scopes != null && (scopes.contains(needed)
            || read && scopes.contains("repository:" + repo + ":pull,push"));
        return ok ? null : "Bearer realm=\"" + realm + "\",service=\"fake-registry\",scope=\"" + needed + "\"";
      };
      Credentials robot = r -> r.equals(target.host())
          ? java.util.Optional.of(new Credentials.Login("robot$mirror", "t0ken")) : java.util.Optional.empty();
      try (RegistryCopier copier = copier(CopyOptions.defaults(), robot)) {
        CopyResult r = copier.copy(ref(source, "app/multi:1"), ref(target, "secure/multi:1"));
        assertThat(r.digest()).isEqualTo(index.digest());
        assertThat(copier.copy(ref(source, "app/multi:1"), ref(target, "secure/multi:1")).unchanged()).isTrue();
      }
      assertThat(asked).contains("fake-registry [repository:secure/multi:pull,push]")
          .contains("fake-registry [repository:secure/multi:pull]");
      assertThat(asked.size()).as("tokens are cached per scope, not fetched per request").isLessThanOrEqualTo(4);

      Credentials wrong = r -> java.util.Optional.of(new Credentials.Login("robot$mirror", "nope"));
      try (RegistryCopier copier = copier(CopyOptions.defaults(), wrong)) {
        assertThatThrownBy(() -> copier.copy(ref(source, "app/multi:1"), ref(target, "secure/other:1")))
            .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.retryable()).isFalse())
            .hasMessageContaining("token server answered HTTP 401").hasMessageContaining("robot$mirror");
      }
    }
  }

  @Test
  void aTokenRealmOnAnotherHostNeverReceivesTheRegistrysCredentials() throws IOException {
    List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (MockWebServer elsewhere = new MockWebServer()) {
      elsewhere.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          authorizations.add(String.valueOf(request.getHeaders().get("Authorization")));
          return new MockResponse.Builder().code(200).body("{\"token\":\"stolen\",\"expires_in\":300}").build();
        }
      });
      elsewhere.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
      // "localhost" is another host than the registry's 127.0.0.1, though both are this machine.
      String realm = "http://localhost:" + elsewhere.getPort() + "/token";
      target.bearerCheck = ex -> "Bearer realm=\"" + realm + "\",service=\"fake-registry\"";
      Credentials robot = r -> java.util.Optional.of(new Credentials.Login("robot$mirror", "t0ken"));
      try (RegistryCopier copier = copier(CopyOptions.defaults(), robot)) {
        assertThatThrownBy(() -> copier.copy(ref(source, "app/multi:1"), ref(target, "secure/realm:1")))
            .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.retryable()).isFalse())
            .hasMessageContaining(target.host() + " sends its clients for a token to " + realm)
            .hasMessageContaining("the credentials for " + target.host() + " are not sent there")
            .hasMessageNotContaining("t0ken");
      }
    } finally {
      target.bearerCheck = null;
    }
    assertThat(authorizations).as("the other host got no request with the login").isEmpty();
  }
}
