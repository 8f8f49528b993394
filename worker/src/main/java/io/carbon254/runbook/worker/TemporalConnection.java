package io.carbon254.runbook.worker;

import com.uber.m3.tally.Scope;
import io.carbon254.runbook.worker.codec.PayloadEncryption;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.envconfig.ClientConfigProfile;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A connection to Temporal, configured the Temporal way: {@code TEMPORAL_ADDRESS},
 * {@code TEMPORAL_NAMESPACE}, {@code TEMPORAL_API_KEY}, {@code TEMPORAL_TLS_*} and the profiles of
 * {@code temporal.toml}, read by {@code temporal-envconfig}; and payload encryption when a keyring
 * is configured ({@code RUNBOOK_CODEC_KEYS}, see {@link PayloadEncryption}).
 */
public final class TemporalConnection implements AutoCloseable {

  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final String address;
  private final PayloadEncryption encryption;

  private TemporalConnection(WorkflowServiceStubs stubs, WorkflowClient client, String address,
      PayloadEncryption encryption) {
    this.stubs = stubs;
    this.client = client;
    this.address = address;
    this.encryption = encryption;
  }

  /** Connects with the payload encryption of the environment ({@code RUNBOOK_CODEC_KEYS}, else none). */
  public static TemporalConnection connect(String addressOverride, Scope metricsScope) {
    return connect(addressOverride, metricsScope, PayloadEncryption.configured(null));
  }

  /**
   * Connects and checks that the server answers.
   *
   * @param addressOverride host:port to use instead of the environment's, or null
   * @param metricsScope where SDK (and workflow) metrics go, or null
   * @param encryption how payloads are encrypted (or not)
   */
  public static TemporalConnection connect(String addressOverride, Scope metricsScope, PayloadEncryption encryption) {
    ClientConfigProfile profile;
    try {
      profile = ClientConfigProfile.load();
    } catch (IOException | RuntimeException e) {
      throw new StartupException("cannot read the Temporal client configuration (TEMPORAL_* variables, temporal.toml): "
          + e.getMessage(), e);
    }
    WorkflowServiceStubsOptions.Builder options = WorkflowServiceStubsOptions.newBuilder(profile.toWorkflowServiceStubsOptions());
    if (addressOverride != null) {
      options.setTarget(addressOverride);
    }
    if (metricsScope != null) {
      options.setMetricsScope(metricsScope);
    }
    WorkflowServiceStubsOptions built = options.validateAndBuildWithDefaults();
    String address = built.getTarget();
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(built);
    try {
      stubs.blockingStub().withDeadlineAfter(10, TimeUnit.SECONDS).getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      stubs.shutdownNow();
      throw new StartupException("Temporal at " + address + " is unreachable (" + e.getStatus().getCode()
          + "): start one with 'runbook dev', or point TEMPORAL_ADDRESS at your server");
    }
    WorkflowClientOptions clientOptions = profile.toWorkflowClientOptions().toBuilder()
        .setDataConverter(encryption.dataConverter())
        .build();
    return new TemporalConnection(stubs, WorkflowClient.newInstance(stubs, clientOptions), address, encryption);
  }

  public WorkflowClient client() {
    return client;
  }

  public WorkflowServiceStubs stubs() {
    return stubs;
  }

  public String address() {
    return address;
  }

  public PayloadEncryption encryption() {
    return encryption;
  }

  public String namespace() {
    return client.getOptions().getNamespace();
  }

  @Override
  public void close() {
    stubs.shutdown();
    stubs.awaitTermination(5, TimeUnit.SECONDS);
  }
}
