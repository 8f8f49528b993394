package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbon254.runbook.config.Harbor;
import io.carbon254.runbook.config.SecretRef;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.mirror.HarborPreflight;
import io.carbon254.runbook.sandbox.HarborApiFake;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Harbor adapter against a stateful Harbor fake with Harbor's documented semantics. */
@EnableKubernetesMockClient(crud = true)
class HarborApiTest {

  static KubernetesClient client;

  private static final String ADMIN_PASSWORD = "planted-Harbor-admin-1";

  @StartStop
  final MockWebServer server = new MockWebServer();

  private final HarborApiFake harborFake = new HarborApiFake(ADMIN_PASSWORD);
  private Harbor harbor;
  private HarborApi api;

  @BeforeEach
  void setUp() {
    server.setDispatcher(harborFake.dispatcher());
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
        .withNewMetadata().withName("data-platform").endMetadata().build()).createOr(n -> n.update());
    harbor = new Harbor("registry", server.url("/").toString().replaceAll("/$", ""), "harbor.254carbon.local", List.of(),
        "254carbon", "docker-mirror-robot",
        new Harbor.Credentials(SecretRef.env("HARBOR_USER"), SecretRef.env("HARBOR_PASSWORD")),
        "harbor-credentials", List.of("data-platform"), 4);
    api = new HarborApi(new OkHttpClient(),
        new Secrets(Map.of("HARBOR_USER", "admin", "HARBOR_PASSWORD", ADMIN_PASSWORD)::get, client), client);
  }

  @Test
  void projectAndRobotAreCreatedOnceAndTheRobotSecretGoesOnlyIntoThePullSecret() throws Exception {
    assertThat(api.planHarbor(harbor)).extracting(PlanItem::action)
        .containsExactly(PlanItem.Action.CREATE, PlanItem.Action.CREATE, PlanItem.Action.CREATE);

    assertThat(api.ensureProject(harbor).change()).isEqualTo(Change.CREATED);
    assertThat(api.ensureProject(harbor).change()).isEqualTo(Change.UNCHANGED);
    var robot = api.ensureRobot(harbor);
    assertThat(robot.change()).isEqualTo(Change.CREATED);
    assertThat(api.ensureRobot(harbor).change()).isEqualTo(Change.UNCHANGED);

    assertThat(harborFake.hasProject("254carbon")).isTrue();
    assertThat(harborFake.robotNames()).containsExactly("robot$254carbon+docker-mirror-robot");
    Secret pullSecret = client.secrets().inNamespace("data-platform").withName("harbor-credentials").get();
    assertThat(pullSecret.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
    String dockerConfig = new String(Base64.getDecoder().decode(pullSecret.getData().get(".dockerconfigjson")), StandardCharsets.UTF_8);
    assertThat(dockerConfig).contains("\"harbor.254carbon.local\"").contains("robot$254carbon+docker-mirror-robot");
    String secret = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dockerConfig)
        .path("auths").path("harbor.254carbon.local").path("password").asText();
    assertThat(secret).isNotBlank();
    assertThat(robot.summary()).doesNotContain(secret);
    assertThat(api.planHarbor(harbor)).extracting(PlanItem::action).containsOnly(PlanItem.Action.KEEP);
  }

  @Test
  void aLostPullSecretRotatesTheRobotSecret() throws Exception {
    api.ensureProject(harbor);
    api.ensureRobot(harbor);
    String before = client.secrets().inNamespace("data-platform").withName("harbor-credentials").get()
        .getData().get(".dockerconfigjson");
    client.secrets().inNamespace("data-platform").withName("harbor-credentials").delete();

    assertThat(api.planHarbor(harbor)).extracting(PlanItem::line)
        .contains("UPDATE Robot robot$254carbon+docker-mirror-robot — rotate its secret: pull secret missing in data-platform");
    var rotated = api.ensureRobot(harbor);

    assertThat(rotated.change()).isEqualTo(Change.UPDATED);
    String after = client.secrets().inNamespace("data-platform").withName("harbor-credentials").get()
        .getData().get(".dockerconfigjson");
    assertThat(after).isNotEqualTo(before);
    assertThat(harborFake.robotNames()).hasSize(1);
  }

  @Test
  void aFuzzyNameMatchIsNotTheProject() {
    HarborApi other = api;
    Harbor longer = new Harbor(harbor.namespace(), harbor.url(), harbor.registryHost(), List.of(), "254carbon-archive",
        harbor.robot(), harbor.admin(), harbor.pullSecret(), harbor.switchNamespaces(), 4);
    other.ensureProject(longer);

    assertThat(api.planHarbor(harbor).get(0).line()).isEqualTo("CREATE Project 254carbon — private");
    assertThat(api.ensureProject(harbor).change()).isEqualTo(Change.CREATED);
  }

  @Test
  void missingOrWrongAdminCredentialsAreReportedForTheManualTask() {
    HarborApi noCredentials = new HarborApi(new OkHttpClient(), new Secrets(Map.<String, String>of()::get, client), client);
    HarborPreflight missing = noCredentials.preflight(harbor);
    assertThat(missing.credentialsReady()).isFalse();
    assertThat(missing.evidence()).isEqualTo("Harbor healthy; admin credentials missing: environment variable HARBOR_USER"
        + " is not set in the worker: set it where the worker runs, then retry");

    HarborApi wrong = new HarborApi(new OkHttpClient(),
        new Secrets(Map.of("HARBOR_USER", "admin", "HARBOR_PASSWORD", "not-it")::get, client), client);
    assertThat(wrong.verifyCredentials(harbor).evidence())
        .isEqualTo("Harbor healthy; it refused the admin credentials of env:HARBOR_USER / env:HARBOR_PASSWORD (401)");
    assertThat(api.verifyCredentials(harbor).ok()).isTrue();
  }

  @Test
  void anUnreachableHarborIsRetryableAndNamesTheUrl() throws Exception {
    server.close();
    assertThatThrownBy(() -> api.preflight(harbor))
        .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
          assertThat(f.isNonRetryable()).isFalse();
          assertThat(f.getOriginalMessage()).startsWith("Harbor at " + harbor.url() + " unreachable (ConnectException)");
        });
  }
}
