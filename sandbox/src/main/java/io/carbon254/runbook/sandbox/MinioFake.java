package io.carbon254.runbook.sandbox;

/**
 * MinIO's unauthenticated health endpoints ({@code /minio/health/live}, {@code ready},
 * {@code cluster}, {@code cluster/read}) all 200. The S3 API itself is not faked here: S3 calls
 * answer {@code 501 NotImplemented}; a real S3 implementation (S3Proxy) can replace this fake
 * (see {@link Sandbox.Builder#minio(HttpFake)}).
 */
public final class MinioFake implements HttpFake {

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
}
