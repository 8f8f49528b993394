package io.carbon254.runbook.worker;

import io.carbon254.runbook.engine.RunbookDefinition;
import io.carbon254.runbook.Runbooks;
import io.carbon254.runbook.activities.AccessProbes;
import io.carbon254.runbook.activities.HarborApi;
import io.carbon254.runbook.activities.KubernetesAutoscaling;
import io.carbon254.runbook.activities.KubernetesPlatformCheck;
import io.carbon254.runbook.activities.KubernetesSsoIntegration;
import io.carbon254.runbook.activities.KubernetesWorkloads;
import io.carbon254.runbook.activities.RegistryMirror;
import io.carbon254.runbook.activities.KubernetesVelero;
import io.carbon254.runbook.activities.MinioObjectStore;
import io.carbon254.runbook.activities.WebhookNotifier;
import io.carbon254.runbook.activities.cloudflare.CloudflareAccess;
import java.util.List;

/** The runbooks of this project, with one activity adapter per external system. */
public final class BuiltInRunbooks implements RunbookPlugin {

  @Override
  public List<RunbookDefinition> runbooks() {
    return Runbooks.ALL;
  }

  @Override
  public List<Object> activities(PlatformConnections platform) {
    return List.of(
        new WebhookNotifier(platform.http(), platform.secrets()),
        new KubernetesPlatformCheck(platform.kubernetes(), platform.http()),
        new MinioObjectStore(platform.http(), platform.secrets()),
        new KubernetesVelero(platform.kubernetes(), platform.secrets()),
        new HarborApi(platform.http(), platform.secrets(), platform.kubernetes()),
        new RegistryMirror(platform.http(), platform.kubernetes(), platform.secrets()),
        new KubernetesWorkloads(platform.kubernetes()),
        new KubernetesAutoscaling(platform.kubernetes()),
        new CloudflareAccess(platform.http(), platform.secrets()),
        new AccessProbes(platform.http(), platform.secrets()),
        new KubernetesSsoIntegration(platform.kubernetes()));
  }
}
