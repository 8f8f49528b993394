package io.carbon254.runbook.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.errors.ErrorResponseException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sandbox's MinIO: health endpoints of its own, the S3 API forwarded to a real S3 implementation. */
class MinioFakeS3Test {

  private static PlatformConfig config;
  private static Sandbox sandbox;
  private static String minioUrl;
  private static final OkHttpClient http = new OkHttpClient();

  @BeforeAll
  static void start() {
    config = ConfigLoader.loadDefault();
    sandbox = Sandbox.builder(config).kubernetes(KubernetesMode.MOCK).withoutRolloutSimulator().withoutVeleroSimulator().start();
    minioUrl = sandbox.endpoints().routes().get(config.backup().objectStore().endpoint().replaceAll("/+$", ""));
    assertThat(minioUrl).as("route of %s in %s", config.backup().objectStore().endpoint(), sandbox.endpoints().routes())
        .startsWith("http://127.0.0.1:");
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @Test
  void health_endpoints_still_answer_200() throws Exception {
    for (String path : new String[] {"/minio/health/live", "/minio/health/ready", "/minio/health/cluster"}) {
      try (Response r = http.newCall(new Request.Builder().url(minioUrl + path).build()).execute()) {
        assertThat(r.code()).as(path).isEqualTo(200);
      }
    }
  }

  @Test
  void signed_s3_requests_through_the_minio_endpoint_reach_the_s3_store() throws Exception {
    MinioClient minio = MinioClient.builder().endpoint(minioUrl).region("us-east-1")
        .credentials(Sandbox.DEMO_MINIO_ACCESS_KEY, Sandbox.DEMO_MINIO_SECRET_KEY).build();
    assertThat(minio.bucketExists(BucketExistsArgs.builder().bucket("front-test").build())).isFalse();
    minio.makeBucket(MakeBucketArgs.builder().bucket("front-test").build());
    assertThat(minio.bucketExists(BucketExistsArgs.builder().bucket("front-test").build())).isTrue();
    byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
    minio.putObject(PutObjectArgs.builder().bucket("front-test").object("a/b.txt")
        .stream(new ByteArrayInputStream(content), (long) content.length, -1L).build());

    assertThat(sandbox.objectStore().bucketExists("front-test")).isTrue();
    assertThat(sandbox.objectStore().objectExists("front-test", "a/b.txt")).isTrue();
  }

  @Test
  void a_wrong_secret_is_refused_by_the_s3_store() {
    MinioClient minio = MinioClient.builder().endpoint(minioUrl).region("us-east-1")
        .credentials(Sandbox.DEMO_MINIO_ACCESS_KEY, "wrong-secret").build();
    assertThatThrownBy(() -> minio.makeBucket(MakeBucketArgs.builder().bucket("refused").build()))
        .isInstanceOf(ErrorResponseException.class)
        .satisfies(e -> assertThat(((ErrorResponseException) e).errorResponse().code()).isEqualTo("SignatureDoesNotMatch"));
    assertThat(sandbox.objectStore().bucketExists("refused")).isFalse();
  }
}
