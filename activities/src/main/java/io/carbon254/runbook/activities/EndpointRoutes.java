package io.carbon254.runbook.activities;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Sends requests for a platform endpoint somewhere else: {@code https://harbor.254carbon.local}
 * → {@code http://127.0.0.1:41234}. The sandbox uses it so that the configuration keeps the
 * platform's real URLs while every HTTP adapter reaches the simulated platform; a worker outside
 * the cluster can use it the same way to reach services through port-forwards. A routed request
 * keeps the original {@code Host} header, so the routed server sees the host the client addressed
 * (and S3 signatures computed for the configured endpoint still verify there).
 */
public final class EndpointRoutes implements Interceptor {

  private final Map<Origin, HttpUrl> routes = new LinkedHashMap<>();

  /** @param routes from an origin ({@code scheme://host[:port]}, path ignored) to a base URL */
  public EndpointRoutes(Map<String, String> routes) {
    routes.forEach((from, to) -> this.routes.put(Origin.of(HttpUrl.get(from)), HttpUrl.get(to)));
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    HttpUrl url = chain.request().url();
    HttpUrl target = routes.get(Origin.of(url));
    if (target == null) {
      return chain.proceed(chain.request());
    }
    HttpUrl routed = url.newBuilder().scheme(target.scheme()).host(target.host()).port(target.port()).build();
    okhttp3.Request.Builder request = chain.request().newBuilder().url(routed);
    if (chain.request().header("Host") == null) {
      // The routed server sees the configured host, as the client signed it (S3 SigV4 signs Host).
      request.header("Host", hostHeader(url));
    }
    return chain.proceed(request.build());
  }

  /** {@code host[:port]} as a client sends it: the port only when it is not the scheme's default. */
  static String hostHeader(HttpUrl url) {
    String host = url.host().contains(":") ? "[" + url.host() + "]" : url.host();
    return url.port() == HttpUrl.defaultPort(url.scheme()) ? host : host + ":" + url.port();
  }

  private record Origin(String scheme, String host, int port) {
    static Origin of(HttpUrl url) {
      return new Origin(url.scheme(), url.host(), url.port());
    }
  }
}
