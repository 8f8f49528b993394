package io.carbon254.runbook.sandbox;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Puts every platform image — the configured list and whatever the seeded workloads run — into
 * the sandbox's source registry, so that image-mirror has real manifests and blobs to copy. Every
 * third image is multi-platform (an OCI index of linux/amd64 and linux/arm64).
 */
final class SourceImages {

  private SourceImages() {}

  /** Seeds the images; returns the registry API hosts they live on (registry-1.docker.io, quay.io...). */
  static Set<String> seed(OciRegistry registry, List<String> configured, KubernetesClient client) {
    Set<String> images = new LinkedHashSet<>(configured);
    for (PodSpec spec : podSpecs(client)) {
      for (Container c : containers(spec)) {
        images.add(c.getImage());
      }
    }
    Set<String> hosts = new LinkedHashSet<>();
    int n = 0;
    for (String image : images) {
      String[] ref = parse(image);
      List<String> platforms = n++ % 3 == 0 ? List.of("linux/amd64", "linux/arm64") : List.of("linux/amd64");
      registry.seedImage(ref[0], ref[1], ref[2], platforms);
      hosts.add(ref[0]);
    }
    return hosts;
  }

  /**
   * {@code [api host, repository, tag]} of a reference as docker reads it: no registry means
   * Docker Hub (API at registry-1.docker.io, one-part names under library/), no tag means latest.
   */
  static String[] parse(String image) {
    String rest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    String tag = "latest";
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    int slash = rest.indexOf('/');
    String first = slash < 0 ? "" : rest.substring(0, slash);
    if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
      String host = first.equals("docker.io") || first.equals("index.docker.io") ? "registry-1.docker.io" : first;
      return new String[] {host, rest.substring(slash + 1), tag};
    }
    return new String[] {"registry-1.docker.io", rest.contains("/") ? rest : "library/" + rest, tag};
  }

  private static List<PodSpec> podSpecs(KubernetesClient client) {
    List<PodSpec> specs = new ArrayList<>();
    client.apps().deployments().inAnyNamespace().list().getItems().forEach(d -> specs.add(d.getSpec().getTemplate().getSpec()));
    client.apps().statefulSets().inAnyNamespace().list().getItems().forEach(d -> specs.add(d.getSpec().getTemplate().getSpec()));
    client.apps().daemonSets().inAnyNamespace().list().getItems().forEach(d -> specs.add(d.getSpec().getTemplate().getSpec()));
    client.batch().v1().cronjobs().inAnyNamespace().list().getItems()
        .forEach(c -> specs.add(c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec()));
    return specs;
  }

  private static List<Container> containers(PodSpec spec) {
    List<Container> all = new ArrayList<>();
    if (spec.getInitContainers() != null) {
      all.addAll(spec.getInitContainers());
    }
    if (spec.getContainers() != null) {
      all.addAll(spec.getContainers());
    }
    return all;
  }
}
