package io.carbon254.runbook.sandbox;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CRUD dispatcher plus what a real API server answers that the CRUD mock does not:
 * {@code /version} (the mock would answer a list of every stored object), the service proxy
 * {@code /api/v1/namespaces/<ns>/services/[<scheme>:]<name>[:<port>]/proxy/<path>}, which is
 * forwarded to the {@link HttpFake} registered for that Service, and aggregated API groups
 * ({@code /apis/metrics.k8s.io/...}), forwarded to the fake that plays their server.
 */
final class SandboxDispatcher extends KubernetesCrudDispatcher {

  private static final Logger log = LoggerFactory.getLogger(SandboxDispatcher.class);

  private static final Pattern SERVICE_PROXY =
      Pattern.compile("^/api/v1/namespaces/([^/]+)/services/(?:https?:)?([^/:]+)(?::([^/]*))?/proxy(/.*)?$");

  private final String versionJson;
  private final Map<String, HttpFake> proxied = new ConcurrentHashMap<>();
  private final Map<String, HttpFake> aggregated = new ConcurrentHashMap<>();

  SandboxDispatcher(String gitVersion) {
    String[] parts = gitVersion.replaceFirst("^v", "").split("\\.");
    this.versionJson =
        "{\"major\":\"" + parts[0] + "\",\"minor\":\"" + parts[1] + "\",\"gitVersion\":\"" + gitVersion
            + "\",\"gitCommit\":\"0000000000000000000000000000000000000000\",\"gitTreeState\":\"clean\","
            + "\"buildDate\":\"2023-11-15T16:48:54Z\",\"goVersion\":\"go1.20.11\",\"compiler\":\"gc\","
            + "\"platform\":\"linux/amd64\"}";
  }

  /** Answers every path of an aggregated API group ({@code /apis/<group>/...}) with {@code fake}, as kube-apiserver's proxy to it would. */
  void aggregate(String group, HttpFake fake) {
    aggregated.put("/apis/" + group, fake);
  }

  /** Answers the service proxy of {@code namespace/service} (any port, any scheme prefix) with {@code fake}. */
  void proxy(String namespace, String service, HttpFake fake) {
    proxied.put(namespace + "/" + service, fake);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String target = request.getPath() == null ? "/" : request.getPath();
    String path = HttpFake.path(target);
    if ("/version".equals(path) || "/version/".equals(path)) {
      return respond(HttpFake.Reply.json(200, versionJson));
    }
    for (Map.Entry<String, HttpFake> api : aggregated.entrySet()) {
      if (path.equals(api.getKey()) || path.startsWith(api.getKey() + "/")) {
        return respond(api.getValue().handle(request.getMethod(), target));
      }
    }
    Matcher m = SERVICE_PROXY.matcher(path);
    if (m.matches()) {
      return serviceProxy(request, target, m);
    }
    return super.dispatch(request);
  }

  private MockResponse serviceProxy(RecordedRequest request, String target, Matcher m) {
    String namespace = m.group(1);
    String service = m.group(2);
    String subPath = m.group(4) == null ? "/" : m.group(4);
    String query = HttpFake.query(target);
    HttpFake fake = proxied.get(namespace + "/" + service);
    if (fake == null) {
      log.debug("service proxy to {}/{} has no fake behind it", namespace, service);
      return respond(
          HttpFake.Reply.json(
              503,
              "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                  + "\"message\":\"no endpoints available for service \\\"" + service + "\\\"\","
                  + "\"reason\":\"ServiceUnavailable\",\"code\":503}"));
    }
    return respond(fake.handle(request.getMethod(), query.isEmpty() ? subPath : subPath + "?" + query));
  }

  private static MockResponse respond(HttpFake.Reply reply) {
    MockResponse response = new MockResponse().setResponseCode(reply.code());
    if (reply.contentType() != null) {
      response.setHeader("Content-Type", reply.contentType());
    }
    return response.setBody(reply.body() == null ? "" : reply.body());
  }
}
