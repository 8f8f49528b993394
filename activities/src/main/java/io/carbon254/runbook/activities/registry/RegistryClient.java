package io.carbon254.runbook.activities.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCI distribution API over OkHttp: authentication (Basic, or Bearer tokens fetched from the
 * {@code WWW-Authenticate} challenge, cached per scope), retries with backoff ({@code Retry-After} and Docker Hub's
 * {@code ratelimit-*} headers honoured), and errors that say which registry answered what.
 */
public final class RegistryClient {

  private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");
  private static final long MAX_MANIFEST_BYTES = 4L << 20;
  private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final Pattern WINDOW = Pattern.compile("w=(\\d+)");
  /** Token services on another host than their registry's that get its credentials (over https). */
  private static final Map<String, String> TOKEN_SERVICES = Map.of(ImageReference.DOCKER_HUB_HOST, "auth.docker.io");

  /** How a host asked us to authenticate. */
  record Challenge(String scheme, String realm, String service) {}

  private record Token(String value, Instant expires) {}

  /** What {@link #headManifest} learned without downloading (on Docker Hub a HEAD is not counted as a pull). */
  public record ManifestHead(String digest, String mediaType, long size) {}

  /** Something to do with one request; {@code IOException} means the connection or the body failed. */
  @FunctionalInterface
  public interface IoCall<T> {
    T call() throws IOException;
  }

  private final OkHttpClient http;
  private final Credentials credentials;
  private final CopyOptions options;
  private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();
  private final Map<String, Object> tokenLocks = new ConcurrentHashMap<>();
  private final Map<String, String> rateLimits = new ConcurrentHashMap<>();
  private volatile BiConsumer<String, String> retryListener = (what, why) -> {};

  public RegistryClient(OkHttpClient http, Credentials credentials, CopyOptions options) {
    this.http = http;
    this.credentials = credentials;
    this.options = options;
  }

  /** Told (what, why) before every wait for a retry; the copier turns it into progress events. */
  void onRetry(BiConsumer<String, String> listener) {
    this.retryListener = listener;
  }

  CopyOptions options() {
    return options;
  }

  // ---------------------------------------------------------------- the API, one method per endpoint

  /** {@code HEAD /v2/<name>/manifests/<ref>}: the digest, or empty when the registry does not have it. */
  public Optional<ManifestHead> headManifest(ImageReference repo, String reference, String what) {
    Request request = new Request.Builder().url(url(repo, "/manifests/" + reference)).head()
        .header("Accept", MediaTypes.ACCEPT).build();
    try (Response r = send(request, repo, pull(repo), what, 404)) {
      if (r.code() == 404) {
        return Optional.empty();
      }
      String digest = r.header("Docker-Content-Digest");
      if (digest == null) {
        return Optional.empty(); // cannot compare without it: the caller GETs instead
      }
      String length = r.header("Content-Length");
      return Optional.of(new ManifestHead(digest, mediaTypeOf(r.header("Content-Type")),
          length == null ? -1 : Long.parseLong(length)));
    }
  }

  /**
   * {@code GET /v2/<name>/manifests/<ref>}: the raw bytes, verified against the digest asked for or the
   * {@code Docker-Content-Digest} the registry announced; a truncated or corrupt answer is fetched again.
   */
  public Manifest getManifest(ImageReference repo, String reference, String what) {
    Request request = new Request.Builder().url(url(repo, "/manifests/" + reference)).get()
        .header("Accept", MediaTypes.ACCEPT).build();
    return retrying(what, () -> {
      try (Response r = send(request, repo, pull(repo), what, 404)) {
        if (r.code() == 404) {
          ErrorInfo e = ErrorInfo.read(r);
          throw RegistryException.fatal(what + ": " + repo.host() + " has no manifest '" + reference + "' in "
              + repo.repository() + " (HTTP 404 " + e + ")", 404, e.code());
        }
        ResponseBody body = r.body();
        if (body.contentLength() > MAX_MANIFEST_BYTES) {
          throw RegistryException.fatal(what + ": manifest of " + body.contentLength() + " bytes is larger than the"
              + " 4 MiB a registry accepts", r.code(), "MANIFEST_INVALID");
        }
        byte[] bytes = body.source().readByteArray();
        String digest = Digests.of(bytes);
        if (reference.startsWith("sha256:") && !reference.equals(digest)) {
          throw new IOException("manifest received has digest " + digest + ", not the " + reference + " asked for");
        }
        String announced = r.header("Docker-Content-Digest");
        if (announced != null && announced.startsWith("sha256:") && !announced.equals(digest)) {
          throw new IOException("manifest received has digest " + digest + ", the registry announced " + announced);
        }
        return Manifest.parse(bytes, r.header("Content-Type"), digest, what);
      }
    });
  }

  /** {@code PUT /v2/<name>/manifests/<ref>} with the manifest's own media type and its bytes, verbatim. */
  public void putManifest(ImageReference repo, String reference, byte[] bytes, String mediaType, String what) {
    Request request = new Request.Builder().url(url(repo, "/manifests/" + reference))
        .put(RequestBody.create(bytes, MediaType.get(mediaType))).build();
    try (Response r = send(request, repo, push(repo), what)) {
      String digest = r.header("Docker-Content-Digest");
      String expected = Digests.of(bytes);
      if (digest != null && !digest.equals(expected)) {
        throw RegistryException.fatal(what + ": " + repo.host() + " stored the manifest as " + digest + " instead of "
            + expected + " (it rewrote the manifest)", r.code(), "DIGEST_INVALID");
      }
    }
  }

  /** {@code HEAD /v2/<name>/blobs/<digest>}. */
  public boolean blobExists(ImageReference repo, String digest, String what) {
    Request request = new Request.Builder().url(url(repo, "/blobs/" + digest)).head().build();
    try (Response r = send(request, repo, push(repo), what, 404)) {
      return r.code() != 404;
    }
  }

  /** {@code GET /v2/<name>/blobs/<digest>}, redirects followed; the caller streams the body and closes it. */
  public Response openBlob(ImageReference repo, String digest, String what) throws IOException {
    Request request = new Request.Builder().url(url(repo, "/blobs/" + digest)).get().build();
    Response r = send(request, repo, pull(repo), what, 404);
    if (r.code() == 404) {
      ErrorInfo e = ErrorInfo.read(r);
      throw RegistryException.fatal(what + ": " + repo.host() + " has no blob " + digest + " in " + repo.repository()
          + " (HTTP 404 " + e + ")", 404, e.code());
    }
    return r;
  }

  /**
   * {@code POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repo>}: null when mounted (201), else the upload
   * session the registry opened instead (202).
   */
  public HttpUrl mount(ImageReference repo, String digest, String fromRepository, String what) {
    HttpUrl url = url(repo, "/blobs/uploads/").newBuilder().addQueryParameter("mount", digest)
        .addQueryParameter("from", fromRepository).build();
    Request request = new Request.Builder().url(url).post(RequestBody.create(new byte[0], null)).build();
    List<String> scopes = List.of(scope(repo.repository(), "pull,push"), scope(fromRepository, "pull"));
    try (Response r = send(request, repo, scopes, what)) {
      return r.code() == 201 ? null : location(r, what);
    }
  }

  /** {@code POST /v2/<name>/blobs/uploads/}: the session's {@code Location}. */
  public HttpUrl startUpload(ImageReference repo, String what) {
    Request request = new Request.Builder().url(url(repo, "/blobs/uploads/"))
        .post(RequestBody.create(new byte[0], null)).build();
    try (Response r = send(request, repo, push(repo), what)) {
      return location(r, what);
    }
  }

  /** {@code PATCH <location>} with {@code Content-Range}: the next location. */
  public HttpUrl patchBlob(ImageReference repo, HttpUrl location, RequestBody chunk, long start, String what)
      throws IOException {
    long end = start + chunk.contentLength() - 1;
    Request request = new Request.Builder().url(location).patch(chunk)
        .header("Content-Range", start + "-" + end).build();
    try (Response r = send(request, repo, push(repo), what)) {
      return location(r, what);
    }
  }

  /** {@code PUT <location>&digest=<d>}: with the whole blob (monolithic) or empty (closing a chunked upload). */
  public void putBlob(ImageReference repo, HttpUrl location, String digest, RequestBody body, String what) {
    HttpUrl url = location.newBuilder().addQueryParameter("digest", digest).build();
    Request request = new Request.Builder().url(url).put(body == null ? RequestBody.create(new byte[0], OCTET_STREAM)
        : body).build();
    try (Response r = send(request, repo, push(repo), what)) {
      String stored = r.header("Docker-Content-Digest");
      if (stored != null && !stored.equals(digest)) {
        throw RegistryException.fatal(what + ": " + repo.host() + " stored the blob as " + stored, r.code(),
            "DIGEST_INVALID");
      }
    }
  }

  // ---------------------------------------------------------------- retries

  /**
   * Runs {@code call} until it succeeds, retrying broken connections, truncated or corrupt bodies and retryable
   * statuses that could not be retried inside {@link #send} (requests with a streamed body).
   */
  public <T> T retrying(String what, IoCall<T> call) {
    int attempt = 0;
    while (true) {
      attempt++;
      try {
        return call.call();
      } catch (IOException e) {
        if (attempt >= options.maxAttempts()) {
          throw new RegistryException(what + ": failed after " + attempt + " tries: " + describe(e), 0, null, true, true,
              null, e);
        }
        pause(what, describe(e), backoff(attempt));
      } catch (RegistryException e) {
        if (!e.retryable() || e.exhausted() || attempt >= options.maxAttempts()) {
          throw e;
        }
        pause(what, e.getMessage(), e.retryAfter() != null ? e.retryAfter() : backoff(attempt));
      }
    }
  }

  /**
   * Sends one request, authenticating on a 401 challenge and retrying what is worth retrying (when the body can be
   * sent again). Returns the response, open, when its status is below 400 or one of {@code accepted}; throws
   * {@link RegistryException} otherwise.
   */
  Response send(Request base, ImageReference repo, List<String> scopes, String what, int... accepted) {
    boolean replayable = base.body() == null || !base.body().isOneShot();
    boolean authenticated = false;
    int attempt = 0;
    while (true) {
      attempt++;
      Request request = authorize(base, repo, scopes, what);
      Response r;
      try {
        r = http.newCall(request).execute();
      } catch (IOException e) {
        String why = describe(e);
        if (!replayable || attempt >= options.maxAttempts()) {
          throw new RegistryException(what + ": " + repo.host() + " could not be reached or broke the connection ("
              + why + ")" + (replayable ? " after " + attempt + " tries" : ""), 0, null, true, replayable, null, e);
        }
        pause(what, why, backoff(attempt));
        continue;
      }
      int code = r.code();
      noteRateLimit(repo.host(), r);
      if (code == 401 && !authenticated && r.header("WWW-Authenticate") != null) {
        String challenge = r.header("WWW-Authenticate");
        r.close();
        authenticate(repo, scopes, challenge, request.header("Authorization"), what);
        authenticated = true;
        attempt--;
        if (!replayable) {
          throw new RegistryException(what + ": " + repo.host() + " asked to authenticate; sending again", 401,
              "UNAUTHORIZED", true, false, Duration.ZERO, null);
        }
        continue;
      }
      if (code < 400 || contains(accepted, code)) {
        return r;
      }
      ErrorInfo error = ErrorInfo.read(r).orDefault(code);
      if (code == 429 || code == 408 || code >= 500) {
        Duration wait = retryAfter(r, repo.host());
        String why = "HTTP " + code + " " + error + (wait != null ? ", Retry-After " + wait.toSeconds() + " s" : "");
        if (wait != null && wait.compareTo(options.maxRetryAfter()) > 0) {
          throw new RegistryException(what + ": " + repo.host() + " is rate limiting (" + why + "; "
              + rateLimits.getOrDefault(repo.host(), "no ratelimit headers") + "): try again after "
              + wait.toSeconds() + " s, or log in to raise the limit", code, error.code(), true, true, wait, null);
        }
        if (!replayable || attempt >= options.maxAttempts()) {
          throw new RegistryException(what + ": " + repo.host() + " answered " + why
              + (replayable ? " after " + attempt + " tries" : ""), code, error.code(), true, replayable, wait, null);
        }
        pause(what, why, wait != null ? wait : backoff(attempt));
        continue;
      }
      throw RegistryException.fatal(what + ": " + repo.host() + " answered HTTP " + code + " " + error + hint(code, repo),
          code, error.code());
    }
  }

  private String hint(int code, ImageReference repo) {
    String user = credentials.forRegistry(repo.registry()).map(l -> "user '" + l.username() + "'").orElse("no credentials");
    return switch (code) {
      case 401 -> " — not authenticated at " + repo.registry() + " (" + user + "): check the credentials, or whether "
          + repo.repository() + " exists";
      case 403 -> " — " + user + " may not access " + repo.repository() + " at " + repo.registry()
          + ": grant pull (source) or pull+push (target) on the project";
      case 404 -> " — " + repo.repository() + " or the object does not exist at " + repo.registry();
      default -> "";
    };
  }

  private void pause(String what, String why, Duration wait) {
    log.info("{}: {}; retrying in {} ms", what, why, wait.toMillis());
    retryListener.accept(what, why + "; retrying in " + wait.toMillis() + " ms");
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(what + ": interrupted while waiting to retry", 0, null, true, true, null, e);
    }
  }

  private Duration backoff(int attempt) {
    long base = options.initialBackoff().toMillis() << Math.min(attempt - 1, 20);
    long capped = Math.min(base, options.maxBackoff().toMillis());
    long jitter = capped / 5 == 0 ? 0 : ThreadLocalRandom.current().nextLong(capped / 5);
    return Duration.ofMillis(capped - capped / 10 + jitter);
  }

  /** {@code Retry-After} (seconds or an HTTP date); on Docker Hub a 429 without it waits for the rate window. */
  private Duration retryAfter(Response r, String host) {
    String header = r.header("Retry-After");
    if (header != null) {
      try {
        return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
      } catch (NumberFormatException e) {
        try {
          ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
          return Duration.ofMillis(Math.max(0, at.toInstant().toEpochMilli() - System.currentTimeMillis()));
        } catch (RuntimeException ignored) {
          return null;
        }
      }
    }
    String remaining = r.header("ratelimit-remaining");
    if (r.code() == 429 && remaining != null && remaining.trim().startsWith("0")) {
      Matcher m = WINDOW.matcher(remaining);
      if (m.find()) {
        return Duration.ofSeconds(Long.parseLong(m.group(1)));
      }
    }
    return null;
  }

  private void noteRateLimit(String host, Response r) {
    String limit = r.header("ratelimit-limit");
    String remaining = r.header("ratelimit-remaining");
    if (limit != null || remaining != null) {
      rateLimits.put(host, "ratelimit-limit " + limit + ", ratelimit-remaining " + remaining);
    }
  }

  /** The last Docker Hub style rate-limit headers seen from this host, for reports. */
  public Optional<String> rateLimit(String host) {
    return Optional.ofNullable(rateLimits.get(host));
  }

  // ---------------------------------------------------------------- authentication

  private Request authorize(Request base, ImageReference repo, List<String> scopes, String what) {
    Challenge c = challenges.get(repo.host());
    if (c == null) {
      return base;
    }
    if (c.scheme().equalsIgnoreCase("basic")) {
      return credentials.forRegistry(repo.registry())
          .map(l -> base.newBuilder().header("Authorization", okhttp3.Credentials.basic(l.username(), l.password())).build())
          .orElse(base);
    }
    return base.newBuilder().header("Authorization", "Bearer " + token(repo, c, scopes, what)).build();
  }

  private void authenticate(ImageReference repo, List<String> scopes, String header, String sent, String what) {
    String scheme = header.trim().split("\\s+", 2)[0];
    Map<String, String> params = new java.util.HashMap<>();
    Matcher m = CHALLENGE_PARAM.matcher(header);
    while (m.find()) {
      params.put(m.group(1).toLowerCase(), m.group(2));
    }
    if (scheme.equalsIgnoreCase("bearer")) {
      String realm = params.get("realm");
      if (realm == null || HttpUrl.parse(realm) == null) {
        throw RegistryException.fatal(what + ": " + repo.host() + " sent a Bearer challenge without a usable realm: "
            + header, 401, "UNAUTHORIZED");
      }
      Challenge c = new Challenge("Bearer", realm, params.get("service"));
      challenges.put(repo.host(), c);
      List<String> wanted = scopes.isEmpty() && params.containsKey("scope") ? List.of(params.get("scope")) : scopes;
      String key = tokenKey(repo.host(), wanted);
      Token stale = tokens.get(key);
      if (stale != null && sent != null && sent.equals("Bearer " + stale.value())) {
        tokens.remove(key, stale); // refused: expired or revoked; parallel requests that got a fresh one keep it
      }
      token(repo, c, wanted, what);
    } else if (scheme.equalsIgnoreCase("basic")) {
      if (credentials.forRegistry(repo.registry()).isEmpty()) {
        throw RegistryException.fatal(what + ": " + repo.host() + " requires a login and no credentials are configured"
            + " for " + repo.registry(), 401, "UNAUTHORIZED");
      }
      challenges.put(repo.host(), new Challenge("Basic", null, null));
    } else {
      throw RegistryException.fatal(what + ": " + repo.host() + " asks for unsupported authentication: " + header, 401,
          "UNAUTHORIZED");
    }
  }

  /**
   * Whether a Bearer challenge's token realm may receive the registry's credentials: the registry's
   * own host (any port) over https — or plain http where the registry itself is reached over plain
   * http — or Docker Hub's token service. Any other realm would learn the login of a registry it is
   * not (a 401 from a compromised or spoofed mirror naming a host of its choosing).
   */
  private boolean mayReceiveCredentials(ImageReference repo, HttpUrl realm) {
    String registryHost = HttpUrl.get("https://" + repo.host() + "/").host();
    if (realm.host().equalsIgnoreCase(registryHost)) {
      return realm.isHttps() || options.plainHttp(repo.host());
    }
    return realm.isHttps() && realm.host().equalsIgnoreCase(TOKEN_SERVICES.get(repo.host()));
  }

  private String token(ImageReference repo, Challenge c, List<String> scopes, String what) {
    String key = tokenKey(repo.host(), scopes);
    Token cached = tokens.get(key);
    if (cached != null && cached.expires().isAfter(Instant.now())) {
      return cached.value();
    }
    // One fetch per scope at a time: parallel blob uploads that all meet the challenge share one token.
    synchronized (tokenLocks.computeIfAbsent(key, k -> new Object())) {
      cached = tokens.get(key);
      if (cached != null && cached.expires().isAfter(Instant.now())) {
        return cached.value();
      }
      return fetchToken(repo, c, scopes, key, what);
    }
  }

  private String fetchToken(ImageReference repo, Challenge c, List<String> scopes, String key, String what) {
    HttpUrl.Builder url = HttpUrl.get(c.realm()).newBuilder();
    if (c.service() != null) {
      url.addQueryParameter("service", c.service());
    }
    scopes.forEach(s -> url.addQueryParameter("scope", s));
    Request.Builder request = new Request.Builder().url(url.build()).get();
    Optional<Credentials.Login> login = credentials.forRegistry(repo.registry());
    if (login.isPresent() && !mayReceiveCredentials(repo, HttpUrl.get(c.realm()))) {
      throw RegistryException.fatal(what + ": " + repo.host() + " sends its clients for a token to " + c.realm()
          + ", which is not " + repo.registry() + "'s own host over https: the credentials for " + repo.registry()
          + " are not sent there. Check that " + repo.host() + " is the registry you mean (a registry's token service"
          + " is on its own host, or auth.docker.io for Docker Hub)", 401, "UNAUTHORIZED");
    }
    login.ifPresent(l -> request.header("Authorization", okhttp3.Credentials.basic(l.username(), l.password())));
    String tokenWhat = what + ": token for " + String.join(" ", scopes) + " from " + c.realm();
    Token token = retrying(tokenWhat, () -> {
      try (Response r = http.newCall(request.build()).execute()) {
        if (r.code() == 429 || r.code() >= 500) {
          throw new RegistryException(tokenWhat + ": HTTP " + r.code(), r.code(), null, true, false, null, null);
        }
        if (!r.isSuccessful()) {
          ErrorInfo e = ErrorInfo.read(r);
          throw RegistryException.fatal(tokenWhat + ": the token server answered HTTP " + r.code() + " " + e + " ("
              + login.map(l -> "user '" + l.username() + "'").orElse("anonymous") + "): check the credentials for "
              + repo.registry(), r.code(), e.code());
        }
        JsonNode json = JSON.readTree(r.body().byteStream());
        String value = json.path("token").asText(json.path("access_token").asText(""));
        if (value.isEmpty()) {
          throw RegistryException.fatal(tokenWhat + ": the token server answered without a token", r.code(), null);
        }
        long expiresIn = json.path("expires_in").asLong(60);
        return new Token(value, Instant.now().plusSeconds(Math.max(expiresIn - 10, 5)));
      }
    });
    tokens.put(key, token);
    return token.value();
  }

  private static String tokenKey(String host, List<String> scopes) {
    return host + "|" + String.join(" ", scopes.stream().sorted().toList());
  }

  static String scope(String repository, String actions) {
    return "repository:" + repository + ":" + actions;
  }

  private static List<String> pull(ImageReference repo) {
    return List.of(scope(repo.repository(), "pull"));
  }

  private static List<String> push(ImageReference repo) {
    return List.of(scope(repo.repository(), "pull,push"));
  }

  // ---------------------------------------------------------------- plumbing

  HttpUrl url(ImageReference repo, String path) {
    String scheme = options.plainHttp(repo.host()) ? "http" : "https";
    return HttpUrl.get(scheme + "://" + repo.host() + "/v2/" + repo.repository() + path);
  }

  /** The {@code Location} of an upload session, resolved against the request (it may be relative). */
  private static HttpUrl location(Response r, String what) {
    String location = r.header("Location");
    HttpUrl resolved = location == null ? null : r.request().url().resolve(location);
    if (resolved == null) {
      throw RegistryException.fatal(what + ": HTTP " + r.code() + " without a usable Location header (" + location + ")",
          r.code(), null);
    }
    return resolved;
  }

  private static String mediaTypeOf(String contentType) {
    return contentType == null ? null : contentType.split(";")[0].trim();
  }

  private static boolean contains(int[] codes, int code) {
    for (int c : codes) {
      if (c == code) {
        return true;
      }
    }
    return false;
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** The registry's {@code {"errors":[{code, message, detail}]}}, or the start of whatever it sent. */
  record ErrorInfo(String code, String message) {

    static ErrorInfo read(Response r) {
      try (r) {
        ResponseBody body = r.body();
        String text = body.source().request(8192) ? body.source().getBuffer().snapshot(8192).utf8()
            : body.source().readUtf8();
        if (text.isBlank()) {
          return new ErrorInfo(null, null);
        }
        try {
          JsonNode errors = JSON.readTree(text).path("errors");
          if (errors.isArray() && errors.size() > 0) {
            List<String> codes = new ArrayList<>();
            List<String> messages = new ArrayList<>();
            for (JsonNode e : errors) {
              codes.add(e.path("code").asText());
              String detail = e.path("detail").isMissingNode() || e.path("detail").isNull() ? ""
                  : " (" + e.path("detail") + ")";
              messages.add(e.path("message").asText() + detail);
            }
            return new ErrorInfo(String.join(",", codes), String.join("; ", messages));
          }
        } catch (IOException notJson) {
          // fall through: show the text
        }
        return new ErrorInfo(null, text.length() > 200 ? text.substring(0, 200) + "…" : text.trim());
      } catch (IOException | RuntimeException e) {
        return new ErrorInfo(null, null);
      }
    }

    /** HEAD answers have no body: name the usual code for the status. */
    ErrorInfo orDefault(int status) {
      if (code != null) {
        return this;
      }
      String guess = switch (status) {
        case 401 -> "UNAUTHORIZED";
        case 403 -> "DENIED";
        case 404 -> "NOT_FOUND";
        case 429 -> "TOOMANYREQUESTS";
        default -> null;
      };
      return new ErrorInfo(guess, message);
    }

    @Override
    public String toString() {
      if (code == null && message == null) {
        return "(no error body)";
      }
      if (message == null) {
        return code;
      }
      return (code == null ? "" : code + ": ") + message;
    }
  }
}
