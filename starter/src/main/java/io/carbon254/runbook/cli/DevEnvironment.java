package io.carbon254.runbook.cli;

import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.RunbookLauncher;
import io.carbon254.runbook.engine.RunbookSearchAttributes;
import io.carbon254.runbook.sandbox.Sandbox;
import io.carbon254.runbook.worker.PlatformConnections;
import io.carbon254.runbook.worker.RunbookWorker;
import io.carbon254.runbook.worker.TemporalConnection;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.testserver.TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Everything {@code runbook dev} and {@code runbook demo} run in one process: the embedded
 * Temporal test server (in memory), our search attributes, optionally the sandbox platform, and
 * optionally a worker.
 */
final class DevEnvironment implements AutoCloseable {

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  final String address;
  TemporalConnection temporal;
  Sandbox sandbox;
  Path sandboxStateFile;
  RunbookWorker worker;

  private DevEnvironment(String address) {
    this.address = address;
  }

  static DevEnvironment start(int port, PlatformConfig config, boolean withSandbox, boolean withWorker, Path stateDir) {
    DevEnvironment dev = new DevEnvironment("127.0.0.1:" + port);
    try {
      TestServer.PortBoundTestServer server = TestServer.createPortBoundServer(port, true);
      dev.resources.push(server);
      registerSearchAttributes(dev.address);
      dev.temporal = TemporalConnection.connect(dev.address, null);
      dev.resources.push(dev.temporal);
      PlatformConnections platform = null;
      if (withSandbox) {
        dev.sandbox = Sandbox.start(config);
        dev.resources.push(dev.sandbox);
        dev.sandboxStateFile = Sandbox.stateFile(stateDir);
        dev.sandbox.endpoints().write(dev.sandboxStateFile);
        if (withWorker) {
          platform = PlatformConnections.sandbox(dev.sandbox.endpoints());
        }
      } else if (withWorker) {
        platform = PlatformConnections.cluster();
      }
      if (platform != null) {
        dev.resources.push(platform);
        dev.worker = RunbookWorker.embedded(dev.temporal.client(), platform, RunbookLauncher.TASK_QUEUE);
        dev.resources.push(dev.worker);
      }
      return dev;
    } catch (RuntimeException e) {
      dev.close();
      throw e;
    }
  }

  /** The test server knows no search attribute until told; upserts of unknown ones would fail the runs. */
  private static void registerSearchAttributes(String address) {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setTarget(address).validateAndBuildWithDefaults());
    try {
      operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder()
          .setNamespace("default")
          .putAllSearchAttributes(RunbookSearchAttributes.ALL)
          .build());
    } finally {
      operator.shutdownNow();
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new CliException(ExitCodes.UNAVAILABLE, "no free local port: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        System.err.println("runbook: while stopping: " + e);
      }
    }
    if (sandboxStateFile != null) {
      sandboxStateFile.toFile().delete();
    }
  }
}
