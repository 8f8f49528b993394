package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.config.SecretRef;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.sandbox.SandboxObjectStore;
import io.minio.GetBucketVersioningArgs;
import io.minio.MinioClient;
import io.minio.messages.VersioningConfiguration;
import io.temporal.failure.ApplicationFailure;
import java.net.ServerSocket;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The object store adapter against a real S3 implementation (S3Proxy) on loopback. */
class MinioObjectStoreTest {

  private static final String ACCESS = "test-access-key";
  private static final String SECRET = "test-secret-Zk81-planted";
  private static final SecretResolver SECRETS = ref -> switch (ref.env()) {
    case "S3_ACCESS" -> ACCESS;
    case "S3_SECRET" -> SECRET;
    case "S3_WRONG" -> "wrong-secret-Qp4-planted";
    default -> throw new SecretUnavailableException("environment variable " + ref.env() + " is not set in the worker");
  };

  private static SandboxObjectStore s3;
  private static Backup.ObjectStore store;
  private static final OkHttpClient http = new OkHttpClient();

  @BeforeAll
  static void start() {
    s3 = SandboxObjectStore.start(ACCESS, SECRET);
    store = new Backup.ObjectStore(s3.endpoint().toString(), "us-east-1", SecretRef.env("S3_ACCESS"), SecretRef.env("S3_SECRET"));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  @Test
  void a_missing_bucket_is_planned_created_with_versioning_and_a_second_ensure_changes_nothing() throws Exception {
    MinioObjectStore objects = new MinioObjectStore(http, SECRETS);
    assertThat(objects.planBucket(store, "backups-a", true).action()).isEqualTo(PlanItem.Action.CREATE);

    Changed.Result first = objects.ensureBucket(store, "backups-a", true);
    assertThat(first.change()).isEqualTo(Change.CREATED);
    assertThat(first.summary()).contains("Bucket backups-a").contains(store.endpoint()).contains("versioning Enabled");
    assertThat(objects.ensureBucket(store, "backups-a", true).change()).isEqualTo(Change.UNCHANGED);
    assertThat(objects.planBucket(store, "backups-a", true).action()).isEqualTo(PlanItem.Action.KEEP);

    assertThat(s3.bucketExists("backups-a")).isTrue();
    MinioClient reader = MinioClient.builder().endpoint(store.endpoint()).region("us-east-1").credentials(ACCESS, SECRET).build();
    assertThat(reader.getBucketVersioning(GetBucketVersioningArgs.builder().bucket("backups-a").build()).status())
        .isEqualTo(VersioningConfiguration.Status.ENABLED);
  }

  @Test
  void an_existing_bucket_without_versioning_is_updated_once() {
    s3.createBucket("backups-b");
    MinioObjectStore objects = new MinioObjectStore(http, SECRETS);
    PlanItem plan = objects.planBucket(store, "backups-b", true);
    assertThat(plan.action()).isEqualTo(PlanItem.Action.UPDATE);
    assertThat(plan.detail()).contains("→ Enabled");
    assertThat(objects.ensureBucket(store, "backups-b", true).change()).isEqualTo(Change.UPDATED);
    assertThat(objects.ensureBucket(store, "backups-b", true).change()).isEqualTo(Change.UNCHANGED);
    // Without versioning asked for, an existing bucket is left as it is.
    s3.createBucket("backups-c");
    assertThat(objects.ensureBucket(store, "backups-c", false).change()).isEqualTo(Change.UNCHANGED);
  }

  @Test
  void a_wrong_secret_fails_without_retry_naming_bucket_endpoint_and_reference_but_never_the_secret() {
    Backup.ObjectStore wrong = new Backup.ObjectStore(store.endpoint(), "us-east-1", SecretRef.env("S3_ACCESS"), SecretRef.env("S3_WRONG"));
    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class,
        () -> new MinioObjectStore(http, SECRETS).ensureBucket(wrong, "backups-denied", true));
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getType()).isEqualTo("ObjectStoreAccessDenied");
    assertThat(failure.getOriginalMessage())
        .contains("backups-denied")
        .contains(store.endpoint())
        .contains("HTTP 403")
        .contains("check the secret referenced by backup.objectStore.accessKey/secretKey")
        .doesNotContain("wrong-secret-Qp4-planted")
        .doesNotContain(SECRET);
    assertThat(failure.getCause()).isNull();
    assertThat(s3.bucketExists("backups-denied")).isFalse();
  }

  @Test
  void an_unresolvable_secret_reference_fails_without_retry() {
    Backup.ObjectStore missing = new Backup.ObjectStore(store.endpoint(), "us-east-1", SecretRef.env("S3_ACCESS"), SecretRef.env("NOPE"));
    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class,
        () -> new MinioObjectStore(http, SECRETS).planBucket(missing, "backups-x", true));
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("NOPE").contains("backups-x");
  }

  @Test
  void no_object_store_listening_is_retried() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Backup.ObjectStore down = new Backup.ObjectStore("http://127.0.0.1:" + port, "us-east-1", SecretRef.env("S3_ACCESS"),
        SecretRef.env("S3_SECRET"));
    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class,
        () -> new MinioObjectStore(http, SECRETS).ensureBucket(down, "backups-down", true));
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getOriginalMessage()).contains("backups-down").contains("127.0.0.1:" + port);
  }

  @Test
  void the_configured_in_cluster_endpoint_works_through_endpoint_routes_because_the_host_header_is_kept() {
    Backup.ObjectStore inCluster = new Backup.ObjectStore("http://minio-service.data-platform.svc.cluster.local:9000", "us-east-1",
        SecretRef.env("S3_ACCESS"), SecretRef.env("S3_SECRET"));
    OkHttpClient routed = new OkHttpClient.Builder()
        .addInterceptor(new EndpointRoutes(Map.of(inCluster.endpoint(), s3.endpoint().toString())))
        .build();
    MinioObjectStore objects = new MinioObjectStore(routed, SECRETS);
    assertThat(objects.ensureBucket(inCluster, "backups-routed", true).change()).isEqualTo(Change.CREATED);
    assertThat(objects.ensureBucket(inCluster, "backups-routed", true).change()).isEqualTo(Change.UNCHANGED);
    assertThat(s3.bucketExists("backups-routed")).isTrue();
  }
}
