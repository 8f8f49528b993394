package io.carbon254.runbook.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A stateful Harbor: the v2.0 API as image-mirror uses it, with Harbor's documented behaviour —
 * exact project lookup by name ({@code X-Is-Resource-Name}) next to a fuzzy {@code ?name=} list,
 * 409 on a duplicate, {@code metadata.public} as a string, project robots stored as
 * {@code <project>+<name>} and returned as {@code robot$<project>+<name>}, the robot's secret
 * only on create and on rotation ({@code PATCH} with an empty secret) — and the registry behind
 * it ({@code /v2/}), where the admin and project robots may push.
 */
public final class HarborApiFake {

  private static final ObjectMapper JSON = new ObjectMapper();

  private record Project(int id, String name, boolean isPublic) {}

  private record Robot(int id, String name, int projectId, String secret) {}

  private final String adminPassword;
  private final Map<String, Project> projects = new ConcurrentHashMap<>();
  private final Map<Integer, Robot> robots = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger(1);
  private final OciRegistry registry;

  public HarborApiFake(String adminPassword) {
    this.adminPassword = adminPassword;
    this.registry = new OciRegistry(this::mayUseRegistry, "harbor");
  }

  /** The registry behind this Harbor, to look at what was pushed. */
  public OciRegistry registry() {
    return registry;
  }

  public boolean hasProject(String name) {
    return projects.containsKey(name);
  }

  /** Robot names as Harbor shows them ({@code robot$<project>+<name>}). */
  public java.util.List<String> robotNames() {
    return robots.values().stream().map(Robot::name).sorted().toList();
  }

  public Dispatcher dispatcher() {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        try {
          return handle(request);
        } catch (RuntimeException e) {
          return OciRegistry.json(500, OciRegistry.error("UNKNOWN", "sandbox Harbor failed: " + e));
        }
      }
    };
  }

  MockResponse handle(RecordedRequest request) {
    String target = request.getTarget();
    if (target.startsWith("/v2")) {
      return registry.handle(request);
    }
    String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
    String query = target.contains("?") ? target.substring(target.indexOf('?') + 1) : "";
    String method = request.getMethod();
    if (path.equals("/api/v2.0/health")) {
      return OciRegistry.json(200, HarborFake.HEALTH);
    }
    if (path.equals("/api/v2.0/ping")) {
      return new MockResponse.Builder().code(200).body("Pong").build();
    }
    if (!isAdmin(request.getHeaders().get("Authorization"))) {
      return OciRegistry.json(401, OciRegistry.error("UNAUTHORIZED", "unauthorized"));
    }
    if (path.equals("/api/v2.0/users/current")) {
      return OciRegistry.json(200, "{\"user_id\":1,\"username\":\"admin\",\"sysadmin_flag\":true}");
    }
    if (path.equals("/api/v2.0/projects")) {
      return switch (method) {
        case "HEAD" -> new MockResponse.Builder().code(projects.containsKey(param(query, "project_name")) ? 200 : 404).build();
        case "GET" -> fuzzyProjects(param(query, "name"));
        case "POST" -> createProject(body(request));
        default -> OciRegistry.json(405, OciRegistry.error("METHOD_NOT_ALLOWED", method));
      };
    }
    if (path.startsWith("/api/v2.0/projects/") && method.equals("GET")) {
      String name = path.substring("/api/v2.0/projects/".length());
      boolean byName = "true".equals(request.getHeaders().get("X-Is-Resource-Name"));
      Project project = byName ? projects.get(name)
          : projects.values().stream().filter(p -> String.valueOf(p.id()).equals(name)).findFirst().orElse(null);
      return project == null ? OciRegistry.json(404, OciRegistry.error("NOT_FOUND", "project " + name + " not found"))
          : OciRegistry.json(200, project(project).toString());
    }
    if (path.equals("/api/v2.0/robots")) {
      return method.equals("POST") ? createRobot(body(request)) : listRobots(param(query, "q"));
    }
    if (path.startsWith("/api/v2.0/robots/") && method.equals("PATCH")) {
      return rotate(Integer.parseInt(path.substring("/api/v2.0/robots/".length())), body(request));
    }
    return OciRegistry.json(404, OciRegistry.error("NOT_FOUND", "the sandbox Harbor does not implement " + method + " " + path));
  }

  private MockResponse fuzzyProjects(String name) {
    ArrayNode list = JSON.createArrayNode();
    projects.values().stream().filter(p -> name == null || p.name().contains(name)).forEach(p -> list.add(project(p)));
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
        .setHeader("X-Total-Count", list.size()).body(list.toString()).build();
  }

  private MockResponse createProject(JsonNode body) {
    String name = body.path("project_name").asText(null);
    JsonNode isPublic = body.path("metadata").path("public");
    if (name == null || !isPublic.isMissingNode() && !isPublic.isTextual()) {
      return OciRegistry.json(400, OciRegistry.error("BAD_REQUEST", "project_name is required and metadata.public must be a string"));
    }
    if (projects.containsKey(name)) {
      return OciRegistry.json(409, OciRegistry.error("CONFLICT", "The project named " + name + " already exists"));
    }
    Project project = new Project(ids.getAndIncrement(), name, "true".equals(isPublic.asText()));
    projects.put(name, project);
    return new MockResponse.Builder().code(201).setHeader("Location", "/api/v2.0/projects/" + project.id()).build();
  }

  private MockResponse listRobots(String q) {
    ArrayNode list = JSON.createArrayNode();
    String projectId = q == null ? null : q.replaceAll(".*ProjectID=(\\d+).*", "$1");
    robots.values().stream()
        .filter(r -> projectId == null || String.valueOf(r.projectId()).equals(projectId))
        .forEach(r -> list.add(JSON.createObjectNode().put("id", r.id()).put("name", r.name()).put("level", "project")
            .put("disable", false).put("duration", -1)));
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
        .setHeader("X-Total-Count", list.size()).body(list.toString()).build();
  }

  private MockResponse createRobot(JsonNode body) {
    String name = body.path("name").asText("");
    JsonNode permission = body.path("permissions").path(0);
    Project project = projects.get(permission.path("namespace").asText(""));
    if (!name.matches("^[a-z0-9]+(?:[._-][a-z0-9]+)*$") || project == null || !"project".equals(body.path("level").asText())) {
      return OciRegistry.json(400, OciRegistry.error("BAD_REQUEST", "invalid robot: name pattern, level project and an existing project namespace are required"));
    }
    String fullName = "robot$" + project.name() + "+" + name;
    if (robots.values().stream().anyMatch(r -> r.name().equals(fullName))) {
      return OciRegistry.json(409, OciRegistry.error("CONFLICT", "robot " + fullName + " already exists"));
    }
    Robot robot = new Robot(ids.getAndIncrement(), fullName, project.id(), newSecret());
    robots.put(robot.id(), robot);
    return new MockResponse.Builder().code(201).setHeader("Content-Type", "application/json")
        .setHeader("Location", "/api/v2.0/robots/" + robot.id())
        .body(JSON.createObjectNode().put("id", robot.id()).put("name", robot.name()).put("secret", robot.secret())
            .put("expires_at", -1).toString()).build();
  }

  private MockResponse rotate(int id, JsonNode body) {
    Robot robot = robots.get(id);
    if (robot == null) {
      return OciRegistry.json(404, OciRegistry.error("NOT_FOUND", "robot " + id + " not found"));
    }
    String secret = body.path("secret").asText("");
    Robot rotated = new Robot(robot.id(), robot.name(), robot.projectId(), secret.isEmpty() ? newSecret() : secret);
    robots.put(id, rotated);
    return OciRegistry.json(200, JSON.createObjectNode().put("secret", rotated.secret()).toString());
  }

  private boolean isAdmin(String authorization) {
    return ("admin:" + adminPassword).equals(basic(authorization));
  }

  private boolean mayUseRegistry(String authorization) {
    String credentials = basic(authorization);
    if (credentials == null) {
      return false;
    }
    return isAdmin(authorization) || robots.values().stream().anyMatch(r -> (r.name() + ":" + r.secret()).equals(credentials));
  }

  private static String basic(String authorization) {
    if (authorization == null || !authorization.startsWith("Basic ")) {
      return null;
    }
    return new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
  }

  private static ObjectNode project(Project p) {
    ObjectNode node = JSON.createObjectNode().put("project_id", p.id()).put("name", p.name());
    node.putObject("metadata").put("public", String.valueOf(p.isPublic()));
    return node;
  }

  private static JsonNode body(RecordedRequest request) {
    try {
      return request.getBody() == null || request.getBody().size() == 0 ? JSON.createObjectNode()
          : JSON.readTree(request.getBody().utf8());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
  }

  private static String param(String query, String name) {
    for (String pair : query.split("&")) {
      if (pair.startsWith(name + "=")) {
        return java.net.URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static String newSecret() {
    return "Rb" + UUID.randomUUID().toString().replace("-", "").substring(0, 22) + "9x";
  }
}
