package io.carbon254.runbook.activities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carbon254.runbook.config.Harbor;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.Verification;
import io.carbon254.runbook.mirror.HarborActivities;
import io.carbon254.runbook.mirror.HarborPreflight;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Harbor's v2.0 API with the admin credentials of the configuration's secret references. The
 * robot account's secret goes from Harbor's answer straight into the pull Secrets and nowhere
 * else: not into a result, an error or a log.
 */
public final class HarborApi implements HarborActivities {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType JSON_TYPE = MediaType.get("application/json");

  private final OkHttpClient http;
  private final SecretResolver secrets;
  private final KubernetesClient kubernetes;
  private final KubernetesApi kube;

  public HarborApi(OkHttpClient http, SecretResolver secrets, KubernetesClient kubernetes) {
    this(http, secrets, new KubernetesApi(kubernetes));
  }

  /** @param kube the Kubernetes helper (e.g. one that forces apply conflicts) */
  public HarborApi(OkHttpClient http, SecretResolver secrets, KubernetesApi kube) {
    this.http = http;
    this.secrets = secrets;
    this.kubernetes = kube.client();
    this.kube = kube;
  }

  @Override
  public HarborPreflight preflight(Harbor harbor) {
    Answer health = call(harbor, "GET", "/api/v2.0/health", null, null);
    if (health.code() != 200 || !"healthy".equals(health.json().path("status").asText())) {
      List<String> unhealthy = new ArrayList<>();
      health.json().path("components").forEach(c -> {
        if (!"healthy".equals(c.path("status").asText())) {
          unhealthy.add(c.path("name").asText());
        }
      });
      throw ApplicationFailure.newFailure("Harbor at " + harbor.url() + " is not healthy (HTTP " + health.code()
          + (unhealthy.isEmpty() ? "" : ", unhealthy: " + String.join(", ", unhealthy))
          + "): check the pods in namespace " + harbor.namespace(), "HarborUnhealthy");
    }
    String admin;
    try {
      admin = adminCredentials(harbor);
    } catch (SecretUnavailableException e) {
      return new HarborPreflight(true, false, "Harbor healthy; admin credentials missing: " + e.getMessage());
    }
    Answer me = call(harbor, "GET", "/api/v2.0/users/current", null, admin);
    if (me.code() == 401 || me.code() == 403) {
      return new HarborPreflight(true, false, "Harbor healthy; it refused the admin credentials of "
          + harbor.admin().username().describe() + " / " + harbor.admin().password().describe() + " (" + me.code() + ")");
    }
    expect(me, 200, "read the current user", harbor);
    return new HarborPreflight(true, true, "Harbor healthy, admin credentials accepted (" + me.json().path("username").asText() + ")");
  }

  @Override
  public Verification verifyCredentials(Harbor harbor) {
    HarborPreflight preflight = preflight(harbor);
    return preflight.credentialsReady() ? Verification.passed(preflight.evidence()) : Verification.failed(preflight.evidence());
  }

  @Override
  public List<PlanItem> planHarbor(Harbor harbor) {
    String admin = adminCredentials(harbor);
    List<PlanItem> plan = new ArrayList<>();
    Integer projectId = projectId(harbor, admin);
    String robotName = robotName(harbor);
    plan.add(projectId == null ? PlanItem.create("Project", harbor.project(), "private")
        : PlanItem.keep("Project", harbor.project(), "exists"));
    JsonNode robot = projectId == null ? null : findRobot(harbor, admin, projectId);
    List<String> missing = missingPullSecrets(harbor);
    if (robot == null) {
      plan.add(PlanItem.create("Robot", robotName, "pull and push on " + harbor.project()));
    } else if (!missing.isEmpty()) {
      plan.add(PlanItem.update("Robot", robotName, "rotate its secret: pull secret missing in " + String.join(", ", missing)));
    } else {
      plan.add(PlanItem.keep("Robot", robotName, "exists"));
    }
    for (String namespace : harbor.switchNamespaces()) {
      plan.add(missing.contains(namespace) || robot == null
          ? PlanItem.create("Secret", namespace + "/" + harbor.pullSecret(), "dockerconfigjson for " + harbor.registryHost())
          : PlanItem.keep("Secret", namespace + "/" + harbor.pullSecret(), "exists"));
    }
    return plan;
  }

  @Override
  public Changed.Result ensureProject(Harbor harbor) {
    String admin = adminCredentials(harbor);
    Answer head = call(harbor, "HEAD", "/api/v2.0/projects?project_name=" + encode(harbor.project()), null, admin);
    if (head.code() == 200) {
      return new Changed.Result(Change.UNCHANGED, "project " + harbor.project() + " exists");
    }
    ObjectNode body = JSON.createObjectNode().put("project_name", harbor.project());
    body.putObject("metadata").put("public", "false"); // Harbor wants a string here
    Answer created = call(harbor, "POST", "/api/v2.0/projects", body, admin);
    if (created.code() == 409) {
      return new Changed.Result(Change.UNCHANGED, "project " + harbor.project() + " exists");
    }
    expect(created, 201, "create project " + harbor.project(), harbor);
    return new Changed.Result(Change.CREATED, "project " + harbor.project() + " (private)");
  }

  @Override
  public Changed.Result ensureRobot(Harbor harbor) {
    String admin = adminCredentials(harbor);
    Integer projectId = projectId(harbor, admin);
    if (projectId == null) {
      throw ApplicationFailure.newNonRetryableFailure("project " + harbor.project() + " does not exist in Harbor "
          + harbor.url() + ": the ensure-project step must run first", "HarborProjectMissing");
    }
    JsonNode robot = findRobot(harbor, admin, projectId);
    List<String> missing = missingPullSecrets(harbor);
    if (robot == null) {
      ObjectNode body = JSON.createObjectNode().put("name", harbor.robot()).put("description", "image-mirror runbook")
          .put("level", "project").put("duration", -1);
      ObjectNode permission = body.putArray("permissions").addObject().put("kind", "project").put("namespace", harbor.project());
      permission.putArray("access").add(access("pull")).add(access("push"));
      Answer created = call(harbor, "POST", "/api/v2.0/robots", body, admin);
      expect(created, 201, "create robot " + robotName(harbor), harbor);
      writePullSecrets(harbor, created.json().path("name").asText(), created.json().path("secret").asText(),
          harbor.switchNamespaces());
      return new Changed.Result(Change.CREATED, robotName(harbor) + " with pull and push; pull secret "
          + harbor.pullSecret() + " in " + String.join(", ", harbor.switchNamespaces()));
    }
    if (missing.isEmpty()) {
      return new Changed.Result(Change.UNCHANGED, robotName(harbor) + " and its pull secrets exist");
    }
    // Harbor shows a robot's secret only once: a lost pull secret means a new secret.
    Answer rotated = call(harbor, "PATCH", "/api/v2.0/robots/" + robot.path("id").asInt(),
        JSON.createObjectNode().put("secret", ""), admin);
    expect(rotated, 200, "rotate the secret of " + robotName(harbor), harbor);
    writePullSecrets(harbor, robot.path("name").asText(), rotated.json().path("secret").asText(), harbor.switchNamespaces());
    return new Changed.Result(Change.UPDATED, robotName(harbor) + ": secret rotated because the pull secret was missing in "
        + String.join(", ", missing) + "; every pull secret rewritten");
  }

  private static ObjectNode access(String action) {
    return JSON.createObjectNode().put("resource", "repository").put("action", action);
  }

  private void writePullSecrets(Harbor harbor, String user, String secret, List<String> namespaces) {
    String auth = Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    ObjectNode config = JSON.createObjectNode();
    config.putObject("auths").putObject(harbor.registryHost()).put("username", user).put("password", secret).put("auth", auth);
    String encoded = Base64.getEncoder().encodeToString(config.toString().getBytes(StandardCharsets.UTF_8));
    for (String namespace : namespaces) {
      Secret pullSecret = new SecretBuilder()
          .withNewMetadata().withName(harbor.pullSecret()).withNamespace(namespace).endMetadata()
          .withType("kubernetes.io/dockerconfigjson")
          .withData(Map.of(".dockerconfigjson", encoded))
          .build();
      kube.apply(pullSecret);
    }
  }

  private List<String> missingPullSecrets(Harbor harbor) {
    return harbor.switchNamespaces().stream()
        .filter(ns -> kube.call(KubernetesApi.Call.of("get", Secret.class, ns, harbor.pullSecret()),
            () -> kubernetes.secrets().inNamespace(ns).withName(harbor.pullSecret()).get()) == null)
        .toList();
  }

  /** The exact lookup; {@code GET /projects?name=} would also match names that only contain it. */
  private Integer projectId(Harbor harbor, String admin) {
    Answer project = call(harbor, "GET", "/api/v2.0/projects/" + encode(harbor.project()), null, admin,
        Map.of("X-Is-Resource-Name", "true"));
    if (project.code() == 404) {
      return null;
    }
    expect(project, 200, "look up project " + harbor.project(), harbor);
    return project.json().path("project_id").asInt();
  }

  private JsonNode findRobot(Harbor harbor, String admin, int projectId) {
    Answer list = call(harbor, "GET", "/api/v2.0/robots?q=" + encode("Level=project,ProjectID=" + projectId)
        + "&page_size=100", null, admin);
    expect(list, 200, "list the robots of " + harbor.project(), harbor);
    for (JsonNode robot : list.json()) {
      if (robotName(harbor).equals(robot.path("name").asText())) {
        return robot;
      }
    }
    return null;
  }

  private static String robotName(Harbor harbor) {
    return "robot$" + harbor.project() + "+" + harbor.robot();
  }

  private String adminCredentials(Harbor harbor) {
    return Credentials.basic(secrets.resolve(harbor.admin().username()), secrets.resolve(harbor.admin().password()),
        StandardCharsets.UTF_8);
  }

  // --- HTTP --------------------------------------------------------------------------------------

  private record Answer(int code, JsonNode json, String method, String path) {}

  private Answer call(Harbor harbor, String method, String path, JsonNode body, String authorization) {
    return call(harbor, method, path, body, authorization, Map.of());
  }

  private Answer call(Harbor harbor, String method, String path, JsonNode body, String authorization,
      Map<String, String> headers) {
    HttpUrl url = HttpUrl.get(harbor.url().replaceAll("/$", "") + path);
    if (!List.of("GET", "HEAD").contains(method)) {
      ChangeGuard.allow("Harbor " + method + " " + path);
    }
    Request.Builder request = new Request.Builder().url(url)
        .method(method, body == null ? (method.equals("POST") || method.equals("PATCH") ? RequestBody.create(new byte[0]) : null)
            : RequestBody.create(body.toString(), JSON_TYPE));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    headers.forEach(request::header);
    try (Response response = http.newCall(request.build()).execute()) {
      String text = response.body() == null ? "" : response.body().string();
      JsonNode json = text.isBlank() ? JSON.createObjectNode() : parse(text);
      if (response.code() == 429 || response.code() >= 500) {
        throw ApplicationFailure.newFailure("Harbor " + method + " " + path + " answered " + response.code() + " "
            + errors(json) + "; retrying", "HarborUnavailable");
      }
      return new Answer(response.code(), json, method, path);
    } catch (IOException e) {
      // The message may carry the URL with credentials of an http client; name only its kind.
      throw ApplicationFailure.newFailure("Harbor at " + harbor.url() + " unreachable (" + e.getClass().getSimpleName()
          + ") for " + method + " " + path, "HarborUnavailable");
    }
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return JSON.createObjectNode().put("raw", text.length() > 200 ? text.substring(0, 200) : text);
    }
  }

  private static void expect(Answer answer, int code, String what, Harbor harbor) {
    if (answer.code() != code) {
      throw ApplicationFailure.newNonRetryableFailure("Harbor refused to " + what + ": " + answer.method() + " "
          + answer.path() + " answered " + answer.code() + " " + errors(answer.json())
          + (answer.code() == 401 || answer.code() == 403
              ? "; check the admin credentials in " + harbor.admin().username().describe() : ""), "HarborRefused");
    }
  }

  private static String errors(JsonNode json) {
    List<String> errors = new ArrayList<>();
    json.path("errors").forEach(e -> errors.add(e.path("code").asText() + ": " + e.path("message").asText()));
    return errors.isEmpty() ? "" : String.join("; ", errors);
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
