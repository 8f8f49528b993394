package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbon254.runbook.config.SecretRef;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class SecretsTest {

  static KubernetesClient client;

  private final Map<String, String> environment = Map.of("SLACK_WEBHOOK_URL", "https://hooks.example/T1/B1/xyz");

  @Test
  void anEnvironmentReferenceReadsTheWorkersEnvironment() {
    Secrets secrets = new Secrets(environment::get, null);

    assertThat(secrets.resolve(SecretRef.env("SLACK_WEBHOOK_URL"))).isEqualTo("https://hooks.example/T1/B1/xyz");
    assertThatThrownBy(() -> secrets.resolve(SecretRef.env("HARBOR_ADMIN_PASSWORD")))
        .isInstanceOf(SecretUnavailableException.class)
        .hasMessage("environment variable HARBOR_ADMIN_PASSWORD is not set in the worker: set it where the worker runs, then retry");
  }

  @Test
  void aKubernetesReferenceReadsTheKeyOfTheSecret() {
    client.secrets().inNamespace("data-platform").resource(new SecretBuilder()
        .withNewMetadata().withName("minio-secret").endMetadata()
        .addToData("access-key", Base64.getEncoder().encodeToString("minioadmin".getBytes(StandardCharsets.UTF_8)))
        .addToData("secret-key", Base64.getEncoder().encodeToString("planted-Secret-9".getBytes(StandardCharsets.UTF_8)))
        .build()).create();
    Secrets secrets = new Secrets(environment::get, client);

    assertThat(secrets.resolve(SecretRef.kubernetes("data-platform", "minio-secret", "secret-key"))).isEqualTo("planted-Secret-9");
    assertThatThrownBy(() -> secrets.resolve(SecretRef.kubernetes("data-platform", "minio-secret", "password")))
        .hasMessage("Secret data-platform/minio-secret has no key 'password' (it has 2 other keys; list them with:"
            + " kubectl get secret -n data-platform minio-secret -o jsonpath='{.data}'): set key 'password' in it, or"
            + " point the reference at the key that holds the value")
        .as("neither a value nor the Secret's other key names: the message reaches the run's history")
        .hasMessageNotContaining("planted-Secret-9").hasMessageNotContaining("access-key")
        .hasMessageNotContaining("secret-key");
    assertThatThrownBy(() -> secrets.resolve(SecretRef.kubernetes("velero", "minio-backup-credentials", "cloud")))
        .hasMessage("Secret velero/minio-backup-credentials does not exist: create it with key 'cloud'");
  }
}
