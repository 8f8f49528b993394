package io.carbon254.runbook.worker;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.LogCapture;
import io.carbon254.runbook.engine.RunbookLauncher;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.platformcheck.PlatformCheckWorkflow;
import io.carbon254.runbook.sandbox.KubernetesMode;
import io.carbon254.runbook.sandbox.Sandbox;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A runbook end to end with the worker's real adapters on a fresh sandbox platform on the real
 * Kubernetes API server (the test fails, naming the install command, when it is not installed),
 * the worker talking to it as the ServiceAccount of {@code deploy/rbac.yaml}, not as admin; logs
 * captured so that a test can prove a planted secret is in none of them.
 */
abstract class OnTheSandbox {

  final PlatformConfig config = ConfigLoader.loadDefault();
  LogCapture logs;
  Sandbox sandbox;
  PlatformConnections platform;
  WorkflowClient client;
  String taskQueue;

  @BeforeEach
  void startSandboxAndWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    logs = LogCapture.start();
    sandbox = Sandbox.builder(config).kubernetes(kubernetes()).start();
    platform = PlatformConnections.simulated(sandbox.endpoints().kubernetesConfig(), sandbox.endpoints().routes(), "the sandbox");
    worker.registerActivitiesImplementations(new BuiltInRunbooks().activities(platform).toArray());
    env.start();
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
  }

  /** The real API server; the demo's fallback, fabric8's mock, where a test says so. */
  KubernetesMode kubernetes() {
    return KubernetesMode.REAL;
  }

  @AfterEach
  void stopSandbox() {
    logs.close();
    platform.close();
    sandbox.close();
  }

  /** Starts {@code runbook} as alice and returns its typed stub. */
  <W> W start(String runbook, String workflowType, Class<W> type) {
    RunbookLauncher.start(client, runbook, workflowType, RunbookRequest.apply(config, "alice"), taskQueue);
    return client.newWorkflowStub(type, config.name() + "/" + runbook);
  }

  /** Runs platform-check to its end. */
  RunbookResult platformCheck() {
    return WorkflowStub.fromTyped(start(PlatformCheckWorkflow.RUNBOOK, "PlatformCheckWorkflow", PlatformCheckWorkflow.class))
        .getResult(RunbookResult.class);
  }
}
