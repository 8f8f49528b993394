package io.carbon254.runbook.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.net.ServerSocketFactory;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A stateful Cloudflare Access: the account-scoped part of API v4 that sso-access uses —
 * self-hosted applications ({@code /accounts/{account}/access/apps}), reusable policies
 * ({@code .../access/policies}) and identity providers ({@code .../access/identity_providers}) —
 * with Cloudflare's envelope ({@code success, errors[{code, message}], messages, result,
 * result_info}), pagination by {@code page} / {@code per_page}, the {@code domain} +
 * {@code exact=true} filter (without {@code exact} the filter matches parts of a domain, as a
 * search would), 409 code 11010 on a second application for a domain, and 403 code 10000 for any
 * token but the one it was built with.
 *
 * <p>{@code per_page} is honoured up to {@link #MAX_PER_PAGE} (5), so that the platform's ten
 * applications span several pages and a client that reads only the first page is caught. Error
 * codes 10000 (authentication), 7003 (no such route/account), 11010 (duplicate domain) and 971
 * (rate limited) are Cloudflare's; the others (400s, 404 of an object) are this fake's own.
 *
 * <p>Faults for tests: {@link #failNext} (5xx), {@link #rateLimitNext} (429 with
 * {@code Retry-After}), {@link #beforeNextApplicationCreate} (someone else creates the application
 * first, as a concurrent run would).
 */
public final class CloudflareAccessFake implements AutoCloseable {

  /** The API token the sandbox's configuration resolves to. */
  public static final String DEMO_TOKEN = "sandbox-cloudflare-token-Vb7Qm2xK9pL4";
  /** The sandbox's Cloudflare account (32 hex digits). */
  public static final String DEMO_ACCOUNT_ID = "c254ca4b0e1f4d2a9b3c5d7e8f901234";
  /** The largest page this fake returns, whatever {@code per_page} asks for. */
  public static final int MAX_PER_PAGE = 5;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API = "/client/v4/accounts/";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A self-hosted application as stored. */
  public record Application(String id, String aud, String type, String name, String domain, List<String> destinations,
      String sessionDuration, boolean appLauncherVisible, boolean httpOnlyCookie, boolean autoRedirectToIdentity,
      List<String> allowedIdps, List<String> policyIds) {}

  /** A reusable policy as stored; {@code include} as its JSON text. */
  public record Policy(String id, String name, String decision, String include) {}

  /** An identity provider as stored. */
  public record IdentityProvider(String id, String name, String type) {}

  private final String token;
  private final String accountId;
  private final Map<String, ObjectNode> apps = new LinkedHashMap<>();
  private final Map<String, ObjectNode> policies = new LinkedHashMap<>();
  private final Map<String, ObjectNode> idps = new LinkedHashMap<>();
  private int appCreates;
  private int policyCreates;
  private int idpCreates;
  private int writes;
  private int failuresLeft;
  private MockResponse refusedAppCreate;
  private int failureStatus;
  private int rateLimitedSeconds = -1;
  private Runnable beforeNextAppCreate;
  private MockWebServer server;

  /** With {@link #DEMO_TOKEN} and {@link #DEMO_ACCOUNT_ID}. */
  public CloudflareAccessFake() {
    this(DEMO_TOKEN, DEMO_ACCOUNT_ID);
  }

  public CloudflareAccessFake(String token, String accountId) {
    this.token = token;
    this.accountId = accountId;
  }

  // ---------------------------------------------------------------------------------- lifecycle

  /** Serves on a loopback port. */
  public synchronized CloudflareAccessFake start() {
    if (server == null) {
      MockWebServer web = new MockWebServer();
      web.setServerSocketFactory(new NoDelay());
      web.setDispatcher(dispatcher());
      try {
        web.start(InetAddress.getLoopbackAddress(), 0);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the Cloudflare Access fake on loopback", e);
      }
      server = web;
    }
    return this;
  }

  /** Where it serves, {@code http://127.0.0.1:<port>}: route {@code https://api.cloudflare.com} here. */
  public synchronized String url() {
    if (server == null) {
      throw new IllegalStateException("the Cloudflare Access fake is not started");
    }
    return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** This fake as a dispatcher, to serve it on a server of one's own. */
  public Dispatcher dispatcher() {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        try {
          return handle(request);
        } catch (RuntimeException e) {
          return reply(500, envelope(null, error(10001, "sandbox Cloudflare failed: " + e)));
        }
      }
    };
  }

  /**
   * Accepted sockets with {@code TCP_NODELAY}: the server writes headers and body separately, and
   * without it each answer waits for the client's delayed ACK (about 40 ms a request on Linux).
   */
  private static final class NoDelay extends ServerSocketFactory {
    @Override
    public ServerSocket createServerSocket() throws IOException {
      return new ServerSocket() {
        @Override
        public Socket accept() throws IOException {
          Socket socket = super.accept();
          socket.setTcpNoDelay(true);
          return socket;
        }
      };
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      throw new UnsupportedOperationException("bound by MockWebServer");
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      throw new UnsupportedOperationException("bound by MockWebServer");
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
      throw new UnsupportedOperationException("bound by MockWebServer");
    }
  }

  // ------------------------------------------------------------------------ reads for the sandbox

  /** Whether a self-hosted application protects {@code host}: its domain, or one of its public destinations. */
  public synchronized boolean hasApplicationFor(String host) {
    return applicationFor(host).isPresent();
  }

  /** The AUD tag of the self-hosted application protecting {@code host}. */
  public synchronized Optional<String> audFor(String host) {
    return applicationFor(host).map(Application::aud);
  }

  public synchronized List<Application> applications() {
    return apps.values().stream().map(CloudflareAccessFake::application).toList();
  }

  public synchronized List<Policy> policies() {
    return policies.values().stream().map(p -> new Policy(p.path("id").asText(), p.path("name").asText(),
        p.path("decision").asText(), p.path("include").toString())).toList();
  }

  public synchronized List<IdentityProvider> identityProviders() {
    return idps.values().stream().map(i -> new IdentityProvider(i.path("id").asText(), i.path("name").asText(),
        i.path("type").asText())).toList();
  }

  /** Applications created through the API (a second create of a domain is refused, not counted). */
  public synchronized int appCreates() {
    return appCreates;
  }

  public synchronized int policyCreates() {
    return policyCreates;
  }

  public synchronized int identityProviderCreates() {
    return idpCreates;
  }

  /** Every POST, PUT, PATCH and DELETE answered with success. */
  public synchronized int writes() {
    return writes;
  }

  // ------------------------------------------------------------------------- setup and faults

  /** An application someone made before (in the dashboard): self-hosted, no policy, every IdP. */
  public synchronized String seedApplication(String name, String domain, String sessionDuration) {
    ObjectNode app = JSON.createObjectNode().put("type", "self_hosted").put("name", name).put("domain", domain)
        .put("session_duration", sessionDuration).put("app_launcher_visible", true).put("http_only_cookie_attribute", true)
        .put("auto_redirect_to_identity", false);
    app.putArray("destinations").addObject().put("type", "public").put("uri", domain);
    app.putArray("allowed_idps");
    app.putArray("policies");
    stamp(app, true);
    apps.put(app.path("id").asText(), app);
    return app.path("id").asText();
  }

  /** Drift made by hand: the session duration of the application with this domain. */
  public synchronized void setSessionDuration(String domain, String sessionDuration) {
    apps.values().stream().filter(a -> domain.equals(a.path("domain").asText())).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no application for " + domain))
        .put("session_duration", sessionDuration);
  }

  /** A setting the runbook does not manage, set in the dashboard (e.g. {@code logo_url}), on the application with this domain. */
  public synchronized void setApplicationField(String domain, String field, String value) {
    application(domain).put(field, value);
  }

  /** A field of the application with this domain as stored, or null. */
  public synchronized String applicationField(String domain, String field) {
    JsonNode value = application(domain).get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private ObjectNode application(String domain) {
    return apps.values().stream().filter(a -> domain.equals(a.path("domain").asText())).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no application for " + domain));
  }

  /** The next {@code times} requests answer {@code status} (a 5xx: Cloudflare failing). */
  public synchronized void failNext(int times, int status) {
    failuresLeft = times;
    failureStatus = status;
  }

  /** The next request answers 429 with {@code Retry-After: retryAfterSeconds}. */
  public synchronized void rateLimitNext(int retryAfterSeconds) {
    rateLimitedSeconds = retryAfterSeconds;
  }

  /** The next application create answers {@code status} with Cloudflare's error {@code code} and {@code message}. */
  public synchronized void refuseNextApplicationCreate(int status, int code, String message) {
    refusedAppCreate = reply(status, envelope(null, error(code, message)));
  }

  /** Runs {@code write} just before the next application create is handled (another client got there first). */
  public synchronized void beforeNextApplicationCreate(Runnable write) {
    beforeNextAppCreate = write;
  }

  // ------------------------------------------------------------------------------------ the API

  synchronized MockResponse handle(RecordedRequest request) {
    String target = request.getTarget() == null ? "/" : request.getTarget();
    String path = HttpFake.path(target);
    Map<String, String> query = query(HttpFake.query(target));
    String method = request.getMethod();
    if (rateLimitedSeconds >= 0) {
      int seconds = rateLimitedSeconds;
      rateLimitedSeconds = -1;
      return new MockResponse.Builder().code(429).setHeader("Content-Type", "application/json")
          .setHeader("Retry-After", String.valueOf(seconds))
          .body(envelope(null, error(971, "Please wait and consider throttling your request speed")).toString()).build();
    }
    if (failuresLeft > 0) {
      failuresLeft--;
      return reply(failureStatus, envelope(null, error(10001, "sandbox fault: answering " + failureStatus)));
    }
    if (!("Bearer " + token).equals(request.getHeaders().get("Authorization"))) {
      return reply(403, envelope(null, error(10000, "Authentication error")));
    }
    if (!path.startsWith(API + accountId + "/access/")) {
      return reply(404, envelope(null, error(7003, "Could not route to " + path.replaceFirst("^/client/v4", "")
          + ", perhaps your object identifier is invalid?")));
    }
    String[] rest = path.substring((API + accountId + "/access/").length()).split("/");
    Map<String, ObjectNode> store = switch (rest[0]) {
      case "apps" -> apps;
      case "policies" -> policies;
      case "identity_providers" -> idps;
      default -> null;
    };
    if (store == null || rest.length > 2) {
      return reply(404, envelope(null, error(7000, "No route for that URI")));
    }
    boolean write = !method.equals("GET");
    if (rest[0].equals("apps") && rest.length == 1 && method.equals("POST") && refusedAppCreate != null) {
      MockResponse refused = refusedAppCreate;
      refusedAppCreate = null;
      return refused;
    }
    if (rest[0].equals("apps") && rest.length == 1 && method.equals("POST") && beforeNextAppCreate != null) {
      Runnable other = beforeNextAppCreate;
      beforeNextAppCreate = null;
      other.run();
    }
    MockResponse response;
    if (rest.length == 1) {
      response = switch (method) {
        case "GET" -> list(rest[0], store, query);
        case "POST" -> create(rest[0], body(request));
        default -> reply(405, envelope(null, error(10405, "Method not allowed")));
      };
    } else {
      ObjectNode object = store.get(rest[1]);
      if (object == null) {
        return reply(404, envelope(null, error(11021, "access.api.error.not_found: " + rest[0] + " " + rest[1] + " not found")));
      }
      response = switch (method) {
        case "GET" -> reply(200, envelope(render(rest[0], object), null));
        case "PUT" -> update(rest[0], object, body(request));
        case "DELETE" -> {
          store.remove(rest[1]);
          if (rest[0].equals("policies")) {
            apps.values().forEach(a -> removePolicy(a, rest[1]));
          }
          yield reply(200, envelope(JSON.createObjectNode().put("id", rest[1]), null));
        }
        default -> reply(405, envelope(null, error(10405, "Method not allowed")));
      };
    }
    if (write && response.getCode() < 300) {
      writes++;
    }
    return response;
  }

  private MockResponse list(String kind, Map<String, ObjectNode> store, Map<String, String> query) {
    List<ObjectNode> matching = new ArrayList<>(store.values());
    String domain = query.get("domain");
    if (kind.equals("apps") && domain != null) {
      boolean exact = "true".equals(query.get("exact"));
      matching.removeIf(a -> exact ? !domain.equals(a.path("domain").asText()) : !a.path("domain").asText().contains(domain));
    }
    String name = query.get("name");
    if (name != null) {
      matching.removeIf(o -> !o.path("name").asText().contains(name)); // a search, not an exact match
    }
    int page = Math.max(1, intParam(query, "page", 1));
    int perPage = Math.min(MAX_PER_PAGE, Math.max(1, intParam(query, "per_page", MAX_PER_PAGE)));
    int from = Math.min(matching.size(), (page - 1) * perPage);
    int to = Math.min(matching.size(), from + perPage);
    ArrayNode result = JSON.createArrayNode();
    matching.subList(from, to).forEach(o -> result.add(render(kind, o)));
    ObjectNode envelope = envelope(result, null);
    envelope.putObject("result_info").put("page", page).put("per_page", perPage).put("count", to - from)
        .put("total_count", matching.size()).put("total_pages", (matching.size() + perPage - 1) / perPage);
    return reply(200, envelope);
  }

  private MockResponse create(String kind, JsonNode body) {
    if (!(body instanceof ObjectNode object)) {
      return reply(400, envelope(null, error(12000, "the request body must be a JSON object")));
    }
    String invalid = invalid(kind, object, null);
    if (invalid != null) {
      return invalid.startsWith("11010") ? reply(409, envelope(null, error(11010, invalid.substring(6))))
          : reply(400, envelope(null, error(12000, invalid)));
    }
    ObjectNode stored = normalize(kind, object);
    stamp(stored, kind.equals("apps"));
    switch (kind) {
      case "apps" -> {
        apps.put(stored.path("id").asText(), stored);
        appCreates++;
      }
      case "policies" -> {
        policies.put(stored.path("id").asText(), stored);
        policyCreates++;
      }
      default -> {
        idps.put(stored.path("id").asText(), stored);
        idpCreates++;
      }
    }
    return reply(201, envelope(render(kind, stored), null));
  }

  private MockResponse update(String kind, ObjectNode existing, JsonNode body) {
    if (!(body instanceof ObjectNode object)) {
      return reply(400, envelope(null, error(12000, "the request body must be a JSON object")));
    }
    String id = existing.path("id").asText();
    String invalid = invalid(kind, object, id);
    if (invalid != null) {
      return invalid.startsWith("11010") ? reply(409, envelope(null, error(11010, invalid.substring(6))))
          : reply(400, envelope(null, error(12000, invalid)));
    }
    ObjectNode stored = normalize(kind, object);
    // PUT replaces the object; what Cloudflare assigned stays.
    for (String kept : List.of("id", "aud", "created_at")) {
      if (existing.has(kept)) {
        stored.set(kept, existing.get(kept));
      }
    }
    stored.put("updated_at", Instant.now().toString());
    Map<String, ObjectNode> store = kind.equals("apps") ? apps : kind.equals("policies") ? policies : idps;
    store.put(id, stored);
    return reply(200, envelope(render(kind, stored), null));
  }

  /** Why Cloudflare would refuse this body, or null; a duplicate domain starts with {@code 11010:}. */
  private String invalid(String kind, ObjectNode body, String ownId) {
    switch (kind) {
      case "apps" -> {
        String domain = body.path("domain").asText("");
        if (!"self_hosted".equals(body.path("type").asText()) || domain.isEmpty() || body.path("name").asText("").isEmpty()) {
          return "a self_hosted application needs type, name and domain";
        }
        String session = body.path("session_duration").asText("24h");
        if (!session.matches("(\\d+(\\.\\d+)?(ns|us|µs|ms|s|m|h))+")) {
          return "session_duration '" + session + "' is not a duration such as 24h or 30m";
        }
        for (JsonNode idp : body.path("allowed_idps")) {
          if (!idps.containsKey(idp.asText())) {
            return "allowed_idps: identity provider " + idp.asText() + " does not exist";
          }
        }
        for (JsonNode policy : body.path("policies")) {
          String policyId = policy.isTextual() ? policy.asText() : policy.path("id").asText();
          if (!policies.containsKey(policyId)) {
            return "policies: reusable policy " + policyId + " does not exist";
          }
        }
        boolean taken = apps.values().stream().anyMatch(a -> !a.path("id").asText().equals(ownId)
            && domain.equals(a.path("domain").asText()));
        if (taken) {
          return "11010:access.api.error.conflict: an application with domain " + domain + " already exists";
        }
      }
      case "policies" -> {
        if (body.path("name").asText("").isEmpty()) {
          return "a policy needs a name";
        }
        if (!List.of("allow", "deny", "non_identity", "bypass").contains(body.path("decision").asText())) {
          return "decision must be one of allow, deny, non_identity, bypass";
        }
        if (!body.path("include").isArray() || body.path("include").isEmpty()) {
          return "include needs at least one rule";
        }
      }
      default -> {
        if (body.path("name").asText("").isEmpty() || body.path("type").asText("").isEmpty()) {
          return "an identity provider needs a name and a type";
        }
      }
    }
    return null;
  }

  /** The stored form: policies of an app as {@code {id, precedence}}. */
  private static ObjectNode normalize(String kind, ObjectNode body) {
    ObjectNode stored = body.deepCopy();
    if (kind.equals("apps")) {
      ArrayNode refs = JSON.createArrayNode();
      int precedence = 1;
      for (JsonNode policy : body.path("policies")) {
        String id = policy.isTextual() ? policy.asText() : policy.path("id").asText();
        refs.addObject().put("id", id).put("precedence", policy.path("precedence").asInt(precedence));
        precedence++;
      }
      stored.set("policies", refs);
      if (!stored.has("session_duration")) {
        stored.put("session_duration", "24h");
      }
    }
    if (kind.equals("policies")) {
      stored.put("reusable", true);
      for (String rules : List.of("exclude", "require")) {
        if (!stored.path(rules).isArray()) {
          stored.putArray(rules);
        }
      }
    }
    return stored;
  }

  /** As Cloudflare answers: an app's policies expanded to the policy objects. */
  private ObjectNode render(String kind, ObjectNode stored) {
    ObjectNode copy = stored.deepCopy();
    if (kind.equals("apps")) {
      ArrayNode expanded = JSON.createArrayNode();
      for (JsonNode ref : stored.path("policies")) {
        ObjectNode policy = policies.get(ref.path("id").asText());
        if (policy != null) {
          expanded.add(policy.deepCopy().put("precedence", ref.path("precedence").asInt()));
        }
      }
      copy.set("policies", expanded);
    }
    return copy;
  }

  private static void removePolicy(ObjectNode app, String policyId) {
    ArrayNode kept = JSON.createArrayNode();
    app.path("policies").forEach(p -> {
      if (!policyId.equals(p.path("id").asText())) {
        kept.add(p);
      }
    });
    app.set("policies", kept);
  }

  private static void stamp(ObjectNode object, boolean withAud) {
    object.put("id", UUID.randomUUID().toString());
    if (withAud) {
      byte[] aud = new byte[32];
      RANDOM.nextBytes(aud);
      object.put("aud", HexFormat.of().formatHex(aud));
    }
    String now = Instant.now().toString();
    object.put("created_at", now).put("updated_at", now);
  }

  private Optional<Application> applicationFor(String host) {
    return apps.values().stream()
        .filter(a -> "self_hosted".equals(a.path("type").asText()))
        .filter(a -> host.equals(a.path("domain").asText())
            || a.path("destinations").findValuesAsText("uri").contains(host))
        .findFirst().map(CloudflareAccessFake::application);
  }

  private static Application application(ObjectNode a) {
    List<String> destinations = new ArrayList<>();
    a.path("destinations").forEach(d -> destinations.add(d.path("uri").asText()));
    List<String> idpIds = new ArrayList<>();
    a.path("allowed_idps").forEach(i -> idpIds.add(i.asText()));
    List<String> policyIds = new ArrayList<>();
    a.path("policies").forEach(p -> policyIds.add(p.path("id").asText()));
    return new Application(a.path("id").asText(), a.path("aud").asText(), a.path("type").asText(), a.path("name").asText(),
        a.path("domain").asText(), List.copyOf(destinations), a.path("session_duration").asText(),
        a.path("app_launcher_visible").asBoolean(), a.path("http_only_cookie_attribute").asBoolean(),
        a.path("auto_redirect_to_identity").asBoolean(), List.copyOf(idpIds), List.copyOf(policyIds));
  }

  // --------------------------------------------------------------------------------- envelope

  private static ObjectNode envelope(JsonNode result, ObjectNode error) {
    ObjectNode envelope = JSON.createObjectNode().put("success", error == null);
    ArrayNode errors = envelope.putArray("errors");
    if (error != null) {
      errors.add(error);
    }
    envelope.putArray("messages");
    envelope.set("result", result == null ? JSON.nullNode() : result);
    return envelope;
  }

  private static ObjectNode error(int code, String message) {
    return JSON.createObjectNode().put("code", code).put("message", message);
  }

  private static MockResponse reply(int code, JsonNode body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body.toString()).build();
  }

  private static JsonNode body(RecordedRequest request) {
    try {
      return request.getBody() == null || request.getBody().size() == 0 ? JSON.createObjectNode()
          : JSON.readTree(request.getBody().utf8());
    } catch (IOException e) {
      return JSON.nullNode();
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : raw.split("&")) {
      if (!pair.isEmpty()) {
        int eq = pair.indexOf('=');
        String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        params.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return params;
  }

  private static int intParam(Map<String, String> query, String name, int fallback) {
    try {
      return query.containsKey(name) ? Integer.parseInt(query.get(name)) : fallback;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
