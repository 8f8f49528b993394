package io.carbon254.runbook.sandbox;

/**
 * Harbor as the preflight of image-mirror and the readiness check see it: {@code /api/v2.0/health}
 * healthy with every component, {@code /api/v2.0/ping}, {@code /api/v2.0/systeminfo}. Anything
 * else answers Harbor's 404 error envelope; the stateful Harbor API fake (projects, robots) is a
 * separate concern and can replace this one (see {@link Sandbox.Builder#harbor(HttpFake)}).
 */
public final class HarborFake implements HttpFake {

  static final String HEALTH =
      "{\"status\":\"healthy\",\"components\":["
          + component("core")
          + ","
          + component("database")
          + ","
          + component("jobservice")
          + ","
          + component("portal")
          + ","
          + component("redis")
          + ","
          + component("registry")
          + ","
          + component("registryctl")
          + ","
          + component("trivy")
          + "]}";

  private static String component(String name) {
    return "{\"name\":\"" + name + "\",\"status\":\"healthy\"}";
  }

  @Override
  public Reply handle(String method, String target) {
    return switch (HttpFake.path(target)) {
      case "/api/v2.0/health" -> Reply.json(200, HEALTH);
      case "/api/v2.0/ping" -> Reply.text(200, "Pong");
      case "/api/v2.0/systeminfo" ->
          Reply.json(200, "{\"harbor_version\":\"v2.9.1-5cbb1b01\",\"auth_mode\":\"db_auth\",\"registry_url\":\"harbor.254carbon.local\"}");
      default ->
          Reply.json(
              404,
              "{\"errors\":[{\"code\":\"NOT_FOUND\",\"message\":\"the sandbox Harbor does not implement "
                  + method
                  + " "
                  + HttpFake.path(target).replace("\"", "")
                  + "\"}]}");
    };
  }
}
