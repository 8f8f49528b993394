package io.carbon254.runbook.activities;

import io.carbon254.runbook.config.SecretRef;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/** Resolves secret references from the worker's environment and from Kubernetes Secrets. */
public final class Secrets implements SecretResolver {

  private final Function<String, String> environment;
  private final KubernetesClient kubernetes;

  /**
   * @param environment reads an environment variable ({@code System::getenv} in the worker)
   * @param kubernetes the cluster holding referenced Secrets, or null if none is configured
   */
  public Secrets(Function<String, String> environment, KubernetesClient kubernetes) {
    this.environment = environment;
    this.kubernetes = kubernetes;
  }

  @Override
  public String resolve(SecretRef ref) {
    if (ref == null) {
      throw new SecretUnavailableException("no secret reference is configured");
    }
    if (ref.isEnv()) {
      String value = environment.apply(ref.env());
      if (value == null || value.isEmpty()) {
        throw new SecretUnavailableException("environment variable " + ref.env()
            + " is not set in the worker: set it where the worker runs, then retry");
      }
      return value;
    }
    if (kubernetes == null) {
      throw new SecretUnavailableException("secret " + ref.describe() + " is in Kubernetes, but the worker has no cluster configured");
    }
    Secret secret;
    try {
      KubernetesApi.observed(KubernetesApi.Call.of("get", Secret.class, ref.namespace(), ref.name()));
      secret = kubernetes.secrets().inNamespace(ref.namespace()).withName(ref.name()).get();
    } catch (KubernetesClientException e) {
      ApplicationFailure failure = KubernetesApi.failure(KubernetesApi.Call.of("get", Secret.class, ref.namespace(), ref.name()),
          e, String.valueOf(kubernetes.getMasterUrl()));
      if (!failure.isNonRetryable()) {
        throw failure; // the API is unreachable or failing: the activity retries
      }
      throw new SecretUnavailableException(failure.getOriginalMessage());
    }
    if (secret == null) {
      throw new SecretUnavailableException("Secret " + ref.namespace() + "/" + ref.name()
          + " does not exist: create it with key '" + ref.key() + "'");
    }
    Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
    Map<String, String> stringData = secret.getStringData() == null ? Map.of() : secret.getStringData();
    if (data.containsKey(ref.key())) {
      return new String(Base64.getDecoder().decode(data.get(ref.key())), StandardCharsets.UTF_8);
    }
    if (stringData.containsKey(ref.key())) {
      return stringData.get(ref.key());
    }
    // Its other keys are not named: this message reaches the run's history, and a Secret's key names are the
    // cluster's business (the operator lists them with kubectl, which checks their rights).
    TreeSet<String> keys = new TreeSet<>(data.keySet());
    keys.addAll(stringData.keySet());
    throw new SecretUnavailableException("Secret " + ref.namespace() + "/" + ref.name() + " has no key '" + ref.key()
        + "' (it has " + keys.size() + " other key" + (keys.size() == 1 ? "" : "s") + "; list them with: kubectl get"
        + " secret -n " + ref.namespace() + " " + ref.name() + " -o jsonpath='{.data}'): set key '" + ref.key()
        + "' in it, or point the reference at the key that holds the value");
  }
}
