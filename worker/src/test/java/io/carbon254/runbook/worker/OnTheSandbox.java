package io.carbon254.runbook.worker;

import java.util.List;

import io.carbon254.runbook.config.ConfigLoader;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.LogCapture;
import io.carbon254.runbook.engine.RunbookTesting;
import io.carbon254.runbook.engine.TestKeys;
import io.carbon254.runbook.engine.TestPlatforms;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.platformcheck.PlatformCheckWorkflow;
import io.carbon254.runbook.sandbox.KubernetesMode;
import io.carbon254.runbook.sandbox.Sandbox;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.WorkerFactoryOptions;
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

  /** The default configuration, its people signing with their test keys. */
  static final PlatformConfig CONFIG = TestKeys.signedBy(ConfigLoader.loadDefault());
  /** The worker's check of every activity against its configuration, as {@code runbook worker} installs it. */
  static final ChangeAuthorization AUTHORIZATION = new ChangeAuthorization(List.of(CONFIG));

  final PlatformConfig config = configuration();

  /** The platform the worker serves (a test of another configuration overrides this and {@link #authorization()}). */
  PlatformConfig configuration() {
    return CONFIG;
  }

  /** The worker's check of every activity, for {@link #configuration()}. */
  ChangeAuthorization authorization() {
    return AUTHORIZATION;
  }

  /** The test environment for these workflows, with the worker's interceptors. */
  static TestWorkflowExtension extension(Class<?>... workflowImplementations) {
    return extension(AUTHORIZATION, workflowImplementations);
  }

  /** The test environment for these workflows, checked by {@code authorization}. */
  static TestWorkflowExtension extension(ChangeAuthorization authorization, Class<?>... workflowImplementations) {
    return RunbookTesting.withSearchAttributes(TestWorkflowExtension.newBuilder())
        .setWorkerFactoryOptions(WorkerFactoryOptions.newBuilder().setWorkerInterceptors(authorization).build())
        .registerWorkflowImplementationTypes(workflowImplementations)
        .setDoNotStart(true)
        .build();
  }
  LogCapture logs;
  Sandbox sandbox;
  PlatformConnections platform;
  WorkflowClient client;
  String taskQueue;

  @BeforeEach
  void startSandboxAndWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    logs = LogCapture.start();
    sandbox = Sandbox.builder(config).kubernetes(kubernetes()).start();
    platform = PlatformConnections.simulated(sandbox.endpoints().kubernetesConfig(), sandbox.endpoints().routes(),
        sandbox.endpoints().connectTo(), sandbox.endpoints().connectToCa(), "the sandbox");
    Object[] activities = new BuiltInRunbooks().activities(platform).toArray();
    authorization().register(activities);
    worker.registerActivitiesImplementations(activities);
    worker.registerActivitiesImplementations(new ConfiguredPlatforms(List.of(config)));
    TestPlatforms.serve(config);
    RunbookTesting.useClockOf(env);
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
    RunbookTesting.start(client, runbook, workflowType, RunbookRequest.apply(config.name(), "alice"), taskQueue);
    return client.newWorkflowStub(type, config.name() + "/" + runbook);
  }

  /** Runs platform-check to its end. */
  RunbookResult platformCheck() {
    return WorkflowStub.fromTyped(start(PlatformCheckWorkflow.RUNBOOK, "PlatformCheckWorkflow", PlatformCheckWorkflow.class))
        .getResult(RunbookResult.class);
  }
}
