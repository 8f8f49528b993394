package io.carbon254.runbook.sandbox;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * A real S3 endpoint in memory: S3Proxy on a loopback port over a transient blob store, with
 * AWS V2/V4 signature checks for one access key. The sandbox puts it behind the {@link MinioFake}
 * (the MinIO health endpoints are MinIO's, not S3's); tests may also use it directly.
 *
 * <p>The blob store is readable in-process, so simulators can see what clients did through S3
 * (e.g. Velero's storage location is Available once its bucket exists).
 */
public final class SandboxObjectStore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SandboxObjectStore.class);

  private final BlobStore blobStore;
  private final S3Proxy proxy;
  private final URI endpoint;

  private SandboxObjectStore(BlobStore blobStore, S3Proxy proxy, URI endpoint) {
    this.blobStore = blobStore;
    this.proxy = proxy;
    this.endpoint = endpoint;
  }

  /** Starts an empty store on a free loopback port, accepting requests signed with this key pair. */
  public static SandboxObjectStore start(String accessKey, String secretKey) {
    BlobStore blobStore = new TransientNio2BlobStore();
    String host = InetAddress.getLoopbackAddress().getHostAddress();
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(blobStore)
        .endpoint(URI.create("http://" + host + ":0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
        .build();
    try {
      proxy.start();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!"STARTED".equals(proxy.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("S3Proxy did not start within 10 s (state " + proxy.getState() + ")");
        }
        Thread.sleep(10);
      }
    } catch (Exception e) {
      try {
        proxy.stop();
      } catch (Exception ignored) {
        // nothing more to free
      }
      throw new IllegalStateException("sandbox: cannot start the S3 endpoint (S3Proxy) on loopback: " + e, e);
    }
    URI endpoint = URI.create("http://" + host + ":" + proxy.getPort());
    log.debug("sandbox S3 endpoint (S3Proxy) on {}", endpoint);
    return new SandboxObjectStore(blobStore, proxy, endpoint);
  }

  /** {@code http://127.0.0.1:<port>}: where S3 requests are answered. */
  public URI endpoint() {
    return endpoint;
  }

  public boolean bucketExists(String bucket) {
    return bucket != null && blobStore.containerExists(bucket);
  }

  /** Creates a bucket directly (as an operator with the MinIO console would). */
  public void createBucket(String bucket) {
    if (!bucketExists(bucket)) {
      blobStore.createContainer(bucket);
    }
  }

  public boolean objectExists(String bucket, String key) {
    return bucketExists(bucket) && blobStore.blobExists(bucket, key);
  }

  /** Writes an object; false when the bucket does not exist. */
  public boolean putObject(String bucket, String key, byte[] content) {
    if (!bucketExists(bucket)) {
      return false;
    }
    blobStore.putBlob(PutObjectRequest.builder().bucket(bucket).key(key).contentLength((long) content.length).build(),
        new ByteArrayInputStream(content));
    return true;
  }

  /** Removes an object if it is there. */
  public void removeObject(String bucket, String key) {
    if (objectExists(bucket, key)) {
      blobStore.removeBlob(bucket, key);
    }
  }

  /** The blob store behind the endpoint, for inspection. */
  public BlobStore blobStore() {
    return blobStore;
  }

  @Override
  public void close() {
    try {
      proxy.stop();
    } catch (Exception e) {
      log.debug("stopping S3Proxy failed", e);
    }
    try {
      blobStore.close();
    } catch (RuntimeException e) {
      log.debug("closing the blob store failed", e);
    }
  }
}
