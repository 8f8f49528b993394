package io.carbon254.runbook.activities;

import io.carbon254.runbook.backup.ObjectStoreActivities;
import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.PlanItem;
import io.minio.BucketExistsArgs;
import io.minio.GetBucketVersioningArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.SetBucketVersioningArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.MinioException;
import io.minio.errors.ServerException;
import io.minio.messages.VersioningConfiguration;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.util.Objects;
import java.util.Set;
import okhttp3.OkHttpClient;

/**
 * The object store (MinIO) through the S3 API with the MinIO Java client, on the worker's shared
 * OkHttp client (so its endpoint routes apply). The keys are resolved from their references for
 * each call and never leave it: failures name the bucket, the endpoint and the references only.
 */
public final class MinioObjectStore implements ObjectStoreActivities {

  /** S3 error codes that mean the credentials are wrong or lack rights: retrying will not help. */
  private static final Set<String> REFUSED =
      Set.of("SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "InvalidToken", "ExpiredToken",
          "AllAccessDisabled", "InvalidSecurity", "AuthorizationHeaderMalformed");

  private final OkHttpClient http;
  private final SecretResolver secrets;

  public MinioObjectStore(OkHttpClient http, SecretResolver secrets) {
    this.http = Objects.requireNonNull(http, "http");
    this.secrets = Objects.requireNonNull(secrets, "secrets");
  }

  @Override
  public PlanItem planBucket(Backup.ObjectStore store, String bucket, boolean versioning) {
    MinioClient minio = client(store, bucket);
    String detail = (versioning ? "versioning Enabled" : "versioning unchanged") + " at " + store.endpoint();
    if (!call(store, bucket, "check bucket", () -> minio.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()))) {
      return PlanItem.create("Bucket", bucket, detail);
    }
    if (versioning) {
      VersioningConfiguration.Status status = versioning(minio, store, bucket);
      if (status != VersioningConfiguration.Status.ENABLED) {
        return PlanItem.update("Bucket", bucket, "versioning " + status + " → Enabled at " + store.endpoint());
      }
    }
    return PlanItem.keep("Bucket", bucket, detail);
  }

  @Override
  public Changed.Result ensureBucket(Backup.ObjectStore store, String bucket, boolean versioning) {
    MinioClient minio = client(store, bucket);
    boolean created = false;
    if (!call(store, bucket, "check bucket", () -> minio.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()))) {
      created = call(store, bucket, "create bucket", () -> {
        ChangeGuard.allow("creating bucket " + bucket + " at " + store.endpoint());
        try {
          minio.makeBucket(MakeBucketArgs.builder().bucket(bucket).region(store.region()).build());
          return true;
        } catch (ErrorResponseException e) {
          if ("BucketAlreadyOwnedByYou".equals(e.errorResponse().code())) {
            return false; // created meanwhile, by us: it is there
          }
          throw e;
        }
      });
    }
    boolean versioningTurnedOn = false;
    VersioningConfiguration.Status status = versioning(minio, store, bucket);
    if (versioning && status != VersioningConfiguration.Status.ENABLED) {
      call(store, bucket, "turn versioning on", () -> {
        ChangeGuard.allow("turning versioning on for bucket " + bucket + " at " + store.endpoint());
        minio.setBucketVersioning(SetBucketVersioningArgs.builder().bucket(bucket)
            .config(new VersioningConfiguration(VersioningConfiguration.Status.ENABLED, null, null, null)).build());
        return null;
      });
      status = versioning(minio, store, bucket);
      versioningTurnedOn = !created;
    }
    Change change = created ? Change.CREATED : versioningTurnedOn ? Change.UPDATED : Change.UNCHANGED;
    String what = created ? "created" : versioningTurnedOn ? "versioning turned on" : "unchanged";
    return new Changed.Result(change, "Bucket " + bucket + " at " + store.endpoint() + ", versioning " + label(status) + " (" + what + ")");
  }

  private VersioningConfiguration.Status versioning(MinioClient minio, Backup.ObjectStore store, String bucket) {
    VersioningConfiguration config = call(store, bucket, "read versioning",
        () -> minio.getBucketVersioning(GetBucketVersioningArgs.builder().bucket(bucket).build()));
    return config == null || config.status() == null ? VersioningConfiguration.Status.OFF : config.status();
  }

  private static String label(VersioningConfiguration.Status status) {
    return switch (status) {
      case ENABLED -> "Enabled";
      case SUSPENDED -> "Suspended";
      default -> "Off";
    };
  }

  private MinioClient client(Backup.ObjectStore store, String bucket) {
    String accessKey;
    String secretKey;
    try {
      accessKey = secrets.resolve(store.accessKey());
      secretKey = secrets.resolve(store.secretKey());
    } catch (SecretUnavailableException e) {
      throw ApplicationFailure.newNonRetryableFailure("cannot reach bucket " + bucket + " at " + store.endpoint()
          + ": " + e.getMessage() + " (backup.objectStore.accessKey/secretKey)", "SecretUnavailable");
    }
    try {
      return MinioClient.builder()
          .endpoint(store.endpoint())
          .region(store.region())
          .credentials(accessKey, secretKey)
          .httpClient(http)
          .build();
    } catch (RuntimeException e) {
      throw ApplicationFailure.newNonRetryableFailure("backup.objectStore.endpoint '" + store.endpoint()
          + "' is not a usable S3 endpoint: " + e.getMessage(), "InvalidEndpoint");
    }
  }

  private interface S3Call<T> {
    T call() throws MinioException;
  }

  /**
   * Runs one S3 call, classifying its failure: refused credentials and other 4xx answers are
   * non-retryable; no connection, 5xx and unreadable answers are retried. Causes are not attached:
   * the client's exceptions carry the signed request.
   */
  private <T> T call(Backup.ObjectStore store, String bucket, String operation, S3Call<T> call) {
    String where = operation + " of bucket " + bucket + " at " + store.endpoint();
    try {
      return call.call();
    } catch (ErrorResponseException e) {
      String code = e.errorResponse() == null ? "?" : e.errorResponse().code();
      String message = e.errorResponse() == null ? "" : e.errorResponse().message();
      int status = e.response() == null ? 0 : e.response().code();
      String answer = code + (message == null || message.isBlank() ? "" : " (" + message + ")") + (status == 0 ? "" : ", HTTP " + status);
      if (REFUSED.contains(code) || status == 401 || status == 403) {
        throw ApplicationFailure.newNonRetryableFailure("The object store refused the " + where + ": " + answer
            + "; check the secret referenced by backup.objectStore.accessKey/secretKey ("
            + store.accessKey().describe() + ", " + store.secretKey().describe() + ") and the user's rights on the bucket",
            "ObjectStoreAccessDenied");
      }
      if ("BucketAlreadyExists".equals(code)) {
        throw ApplicationFailure.newNonRetryableFailure("Bucket " + bucket + " at " + store.endpoint()
            + " belongs to another account (BucketAlreadyExists); choose another backup.bucket", "BucketAlreadyExists");
      }
      if (status >= 500 || status == 429 || "SlowDown".equals(code) || "InternalError".equals(code)) {
        throw ApplicationFailure.newFailure("The object store failed the " + where + ": " + answer + " (retried)", "ObjectStoreUnavailable");
      }
      throw ApplicationFailure.newNonRetryableFailure("The object store rejected the " + where + ": " + answer, "ObjectStoreRejected");
    } catch (ServerException e) {
      throw ApplicationFailure.newFailure("The object store failed the " + where + ": HTTP " + e.statusCode() + " (retried)",
          "ObjectStoreUnavailable");
    } catch (InvalidResponseException e) {
      throw ApplicationFailure.newFailure("The object store gave an answer that is not S3 to the " + where
          + " (is backup.objectStore.endpoint an S3 API endpoint, e.g. MinIO port 9000?) (retried)", "ObjectStoreUnavailable");
    } catch (MinioException e) {
      throw unreachableOr(where, e, ApplicationFailure.newNonRetryableFailure("The " + where + " failed: "
          + e.getClass().getSimpleName(), "ObjectStoreError"));
    } catch (ApplicationFailure e) {
      throw e;
    } catch (RuntimeException e) {
      // The client reports I/O failures (connection refused, reset, timeout) wrapped in runtime exceptions.
      throw unreachableOr(where, e, ApplicationFailure.newFailure("The " + where + " failed: "
          + e.getClass().getSimpleName() + " (retried)", "ObjectStoreError"));
    }
  }

  private static ApplicationFailure unreachableOr(String where, Throwable e, ApplicationFailure otherwise) {
    Throwable io = e;
    while (io != null && !(io instanceof IOException)) {
      io = io.getCause();
    }
    if (io == null) {
      return otherwise;
    }
    return ApplicationFailure.newFailure("cannot reach the object store for the " + where + ": " + io.getClass().getSimpleName()
        + (io.getMessage() == null ? "" : " " + io.getMessage()) + " (retried)", "ObjectStoreUnreachable");
  }
}
