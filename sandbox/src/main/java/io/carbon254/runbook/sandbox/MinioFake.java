package io.carbon254.runbook.sandbox;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;

/**
 * MinIO: its unauthenticated health endpoints ({@code /minio/health/live}, {@code ready},
 * {@code cluster}, {@code cluster/read}) all 200, and — when given an S3 upstream — every other
 * request forwarded unchanged (method, path and query, headers including {@code Host}, body) to a
 * real S3 implementation ({@link SandboxObjectStore}), so that SigV4 signatures made for the
 * configured MinIO endpoint verify there. Without an upstream, S3 calls answer
 * {@code 501 NotImplemented}.
 */
public final class MinioFake implements HttpFake {

  /** Hop-by-hop headers, and those OkHttp writes itself from the body. */
  private static final Set<String> NOT_FORWARDED =
      Set.of("connection", "keep-alive", "transfer-encoding", "content-length", "te", "trailer", "upgrade",
          "proxy-connection");

  private final HttpUrl upstream;
  private final OkHttpClient http;

  /** Health endpoints only. */
  public MinioFake() {
    this(null);
  }

  /** @param s3Upstream base URL of the S3 endpoint every non-health request goes to, or null */
  public MinioFake(URI s3Upstream) {
    this.upstream = s3Upstream == null ? null : HttpUrl.get(s3Upstream.toString());
    this.http = s3Upstream == null ? null : new OkHttpClient.Builder()
        .followRedirects(false)
        .retryOnConnectionFailure(false)
        .readTimeout(Duration.ofSeconds(60))
        .build();
  }

  @Override
  public Reply handle(String method, String target) {
    return switch (HttpFake.path(target)) {
      case "/minio/health/live", "/minio/health/ready", "/minio/health/cluster", "/minio/health/cluster/read" ->
          new Reply(200, null, "");
      default ->
          new Reply(
              501,
              "application/xml",
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NotImplemented</Code>"
                  + "<Message>The sandbox MinIO only answers health checks.</Message>"
                  + "<Resource>" + HttpFake.path(target).replace("<", "").replace("&", "") + "</Resource></Error>");
    };
  }

  private static boolean isHealth(String target) {
    return HttpFake.path(target).startsWith("/minio/health/");
  }

  @Override
  public Dispatcher dispatcher() {
    Dispatcher health = HttpFake.super.dispatcher();
    if (upstream == null) {
      return health;
    }
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        String target = request.getTarget() == null ? "/" : request.getTarget();
        if (isHealth(target)) {
          return health.dispatch(request);
        }
        try {
          return forward(request, target);
        } catch (IOException | RuntimeException e) {
          return new MockResponse.Builder().code(502)
              .setHeader("Content-Type", "text/plain; charset=utf-8")
              .body("sandbox MinIO: the S3 endpoint behind it failed: " + e)
              .build();
        }
      }
    };
  }

  private MockResponse forward(RecordedRequest request, String target) throws IOException {
    HttpUrl url = HttpUrl.get(upstream.scheme() + "://" + upstream.host() + ":" + upstream.port() + target);
    Headers.Builder headers = new Headers.Builder();
    for (int i = 0; i < request.getHeaders().size(); i++) {
      String name = request.getHeaders().name(i);
      if (!NOT_FORWARDED.contains(name.toLowerCase())) {
        headers.addUnsafeNonAscii(name, request.getHeaders().value(i));
      }
    }
    String method = request.getMethod();
    byte[] body = request.getBody() == null ? new byte[0] : request.getBody().toByteArray();
    // No media type on the body: the Content-Type header passes as it was signed.
    boolean bodyRequired = Set.of("POST", "PUT", "PATCH").contains(method);
    boolean bodyAllowed = !Set.of("GET", "HEAD").contains(method);
    RequestBody requestBody = bodyRequired || (bodyAllowed && body.length > 0) ? RequestBody.create(body, null) : null;
    Request forwarded = new Request.Builder().url(url).headers(headers.build()).method(method, requestBody).build();
    try (Response response = http.newCall(forwarded).execute()) {
      MockResponse.Builder reply = new MockResponse.Builder().code(response.code());
      Headers.Builder replyHeaders = new Headers.Builder();
      for (int i = 0; i < response.headers().size(); i++) {
        String name = response.headers().name(i);
        if (!NOT_FORWARDED.contains(name.toLowerCase())) {
          replyHeaders.addUnsafeNonAscii(name, response.headers().value(i));
        }
      }
      reply.headers(replyHeaders.build());
      byte[] bytes = response.body().bytes();
      if (!"HEAD".equals(method)) {
        reply.body(new Buffer().write(bytes));
      }
      return reply.build();
    }
  }
}
