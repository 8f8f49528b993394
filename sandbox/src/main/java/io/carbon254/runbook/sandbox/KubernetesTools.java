package io.carbon254.runbook.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The real Kubernetes control plane the project builds into {@code .tools/kubernetes-<version>/}
 * ({@code scripts/tools/30-kubernetes.sh}): {@code bin/} with kube-apiserver,
 * kube-controller-manager, etcd and kubectl, {@code crds/} with the CRDs of Velero and prometheus-operator.
 *
 * @param home the {@code .tools/kubernetes-<version>} folder
 */
public record KubernetesTools(Path home) {

  /** What installs them. */
  public static final String INSTALL_COMMAND = "./scripts/install-test-tools";

  /** Overrides where they are looked for: a {@code kubernetes-<version>} folder. */
  public static final String ENVIRONMENT_VARIABLE = "RUNBOOK_KUBERNETES_TOOLS";

  public Path apiServer() {
    return home.resolve("bin/kube-apiserver");
  }

  public Path controllerManager() {
    return home.resolve("bin/kube-controller-manager");
  }

  public Path etcd() {
    return home.resolve("bin/etcd");
  }

  /** kubectl of the same release: its {@code kustomize} renders deploy/, its {@code apply} applies it. */
  public Path kubectl() {
    return home.resolve("bin/kubectl");
  }

  /**
   * {@link #kubectl()}, or an exception that says how to install it (a control plane installed
   * before kubectl joined the tools has none).
   */
  public Path requireKubectl() {
    if (!Files.isExecutable(kubectl())) {
      throw new IllegalStateException("kubectl is not installed in " + home.resolve("bin") + ": run " + INSTALL_COMMAND
          + " (it builds it once beside kube-apiserver, from the Go module proxy)");
    }
    return kubectl();
  }

  /** The CRD manifests, in name order. */
  public List<Path> crds() {
    try (Stream<Path> files = Files.list(home.resolve("crds"))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the CRDs in " + home.resolve("crds"), e);
    }
  }

  /** {@code kubernetes v1.36.3, etcd v3.6.8}, as the install script stamped it. */
  public String version() {
    try {
      return Files.readString(home.resolve("bin/VERSIONS")).strip();
    } catch (IOException e) {
      return home.getFileName().toString();
    }
  }

  /**
   * {@value #ENVIRONMENT_VARIABLE}, else the newest complete {@code .tools/kubernetes-*} in the
   * working directory or one above it, or above this code's jar or classes.
   */
  public static Optional<KubernetesTools> find() {
    String env = System.getenv(ENVIRONMENT_VARIABLE);
    if (env != null && !env.isBlank()) {
      KubernetesTools tools = new KubernetesTools(Path.of(env).toAbsolutePath());
      return tools.complete() ? Optional.of(tools) : Optional.empty();
    }
    List<Path> starts = new ArrayList<>();
    starts.add(Path.of("").toAbsolutePath());
    codeLocation().ifPresent(starts::add);
    for (Path start : starts) {
      for (Path dir = start; dir != null; dir = dir.getParent()) {
        Optional<KubernetesTools> found = newestIn(dir.resolve(".tools"));
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  /** {@link #find()}, or an exception that says how to install them (tests fail with it, never skip). */
  public static KubernetesTools require() {
    return find().orElseThrow(() -> new IllegalStateException("the real Kubernetes API server (kube-apiserver,"
        + " kube-controller-manager, etcd and the CRDs in .tools/kubernetes-<version>/) is not installed: run "
        + INSTALL_COMMAND + " (it builds them once from the Go module proxy, a few minutes), or set "
        + ENVIRONMENT_VARIABLE));
  }

  private boolean complete() {
    return Files.isExecutable(apiServer()) && Files.isExecutable(controllerManager()) && Files.isExecutable(etcd())
        && Files.exists(home.resolve("bin/VERSIONS")) && Files.exists(home.resolve("crds/VERSIONS"));
  }

  private static Optional<KubernetesTools> newestIn(Path tools) {
    if (!Files.isDirectory(tools)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(tools)) {
      return dirs.filter(d -> d.getFileName().toString().startsWith("kubernetes-"))
          .map(d -> new KubernetesTools(d.toAbsolutePath()))
          .filter(KubernetesTools::complete)
          .max(Comparator.comparing(t -> versionKey(t.home().getFileName().toString())));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** {@code kubernetes-v1.36.3} → a key that sorts versions numerically. */
  private static String versionKey(String folder) {
    StringBuilder key = new StringBuilder();
    for (String part : folder.replaceAll("[^0-9.]", "").split("\\.")) {
      key.append(String.format("%06d", part.isEmpty() ? 0 : Integer.parseInt(part)));
    }
    return key.toString();
  }

  private static Optional<Path> codeLocation() {
    try {
      return Optional.of(Path.of(KubernetesTools.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toAbsolutePath());
    } catch (Exception | Error e) {
      return Optional.empty();
    }
  }
}
