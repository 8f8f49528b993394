package io.carbon254.runbook.worker;

import static io.carbon254.runbook.engine.RunbookTesting.approve;
import static io.carbon254.runbook.engine.RunbookTesting.awaitGate;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.HistoryScan;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookTesting;
import io.carbon254.runbook.mirror.ImageMirrorWorkflow;
import io.carbon254.runbook.mirror.ImageMirrorWorkflowImpl;
import io.carbon254.runbook.platformcheck.PlatformCheckWorkflowImpl;
import io.carbon254.runbook.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.temporal.testing.TestWorkflowExtension;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * image-mirror end to end with the real adapters on the sandbox: the stateful Harbor, the source
 * registries with every platform image, the copier, the workloads and their rollouts — and the
 * robot's secret in no history and no log line.
 */
class ImageMirrorOnTheSandboxTest extends OnTheSandbox {

  @RegisterExtension
  static final TestWorkflowExtension temporal = extension(ImageMirrorWorkflowImpl.class, PlatformCheckWorkflowImpl.class);

  @Test
  void everyImageIsInHarborWithItsDigestAndTheWorkloadsPullItThroughTheRobot() throws Exception {
    ImageMirrorWorkflow run = start();
    awaitGate(run, "approve-plan");
    approve(run, "approve-plan", "bob", "carol");
    awaitGate(run, "switch-workloads");
    approve(run, "switch-workloads", "dave");

    RunbookResult result = result(run);

    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(result.gates()).extracting(g -> g.gate()).as("the gates its registration declares, for gate overrides")
        .containsExactlyElementsOf(io.carbon254.runbook.Runbooks.IMAGE_MIRROR.gates());
    assertThat(result.step("mirror-images").summary()).matches("\\d+ images: \\d+ copied \\(.*\\), 0 already in Harbor");
    String grafanaDigest = digestAtSource("grafana/grafana", "10.2.0");
    assertThat(sandbox.harbor().registry().hasManifest("harbor.254carbon.local", "254carbon/grafana/grafana", grafanaDigest))
        .as("the same digest in Harbor as at the source").isTrue();
    assertThat(sandbox.harbor().registry().hasManifest("harbor.254carbon.local", "254carbon/grafana/grafana", "10.2.0"))
        .as("and the tag").isTrue();
    Deployment superset = sandbox.kubernetesClient().apps().deployments().inNamespace("data-platform").withName("superset").get();
    assertThat(superset.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .startsWith("harbor.254carbon.local/254carbon/apache/superset@sha256:");
    assertThat(superset.getSpec().getTemplate().getSpec().getImagePullSecrets()).extracting(s -> s.getName())
        .contains("harbor-credentials");
    assertThat(sandbox.harbor().robotNames()).containsExactly("robot$254carbon+docker-mirror-robot");

    String robotSecret = new ObjectMapper().readTree(new String(Base64.getDecoder().decode(sandbox.kubernetesClient().secrets()
            .inNamespace("data-platform").withName("harbor-credentials").get().getData().get(".dockerconfigjson")),
        StandardCharsets.UTF_8)).path("auths").path("harbor.254carbon.local").path("password").asText();
    assertThat(robotSecret).isNotBlank();
    assertThat(HistoryScan.readable(client.fetchHistory("254carbon/image-mirror"))).doesNotContain(robotSecret)
        .doesNotContain(Sandbox.DEMO_HARBOR_ADMIN_PASSWORD);
    assertThat(logs.lines()).noneMatch(line -> line.contains(robotSecret) || line.contains(Sandbox.DEMO_HARBOR_ADMIN_PASSWORD));

    RunbookResult again = result(start());
    assertThat(again.gates()).isEmpty();
    assertThat(again.step("mirror-images").change()).isEqualTo(Change.UNCHANGED);
    assertThat(again.step("switch-workloads").summary()).isEqualTo("every workload already pulls from Harbor");

    RunbookResult check = platformCheck();
    assertThat(check.outputs().get("report")).contains("| Image Mirroring | ✓ |");
    assertThat(check.outputs()).containsEntry("score", "88%");
  }

  private String digestAtSource(String repository, String tag) {
    assertThat(sandbox.sourceRegistry().hasManifest("registry-1.docker.io", repository, tag)).isTrue();
    return sandbox.sourceRegistry().digestOf("registry-1.docker.io", repository, tag);
  }

  private ImageMirrorWorkflow start() {
    return start(ImageMirrorWorkflow.RUNBOOK, "ImageMirrorWorkflow", ImageMirrorWorkflow.class);
  }

}
