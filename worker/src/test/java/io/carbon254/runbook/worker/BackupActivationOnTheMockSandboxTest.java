package io.carbon254.runbook.worker;

import io.carbon254.runbook.sandbox.KubernetesMode;

/**
 * The same story on fabric8's mock API, where the demo runs when the real API server is not
 * installed: the adapters' fallback without server-side apply and the Velero simulator on the mock.
 */
class BackupActivationOnTheMockSandboxTest extends BackupActivationOnTheSandboxTest {

  @Override
  KubernetesMode kubernetes() {
    return KubernetesMode.MOCK;
  }
}
