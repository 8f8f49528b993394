package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The Harbor registry the platform images are mirrored into.
 *
 * @param namespace where Harbor runs
 * @param url base URL of Harbor (API at {@code <url>/api/v2.0})
 * @param registryHost the registry host name in rewritten image references
 * @param alternateHosts other names of the same Harbor (images already on these are not mirrored)
 * @param project the Harbor project
 * @param robot robot account name (stored by Harbor as {@code robot$<project>+<robot>})
 * @param admin Harbor admin credentials used to create the project and the robot
 * @param pullSecret name of the docker-registry Secret holding the robot credentials, created in
 *     each of {@code switchNamespaces} and added to the workloads as imagePullSecret
 * @param switchNamespaces namespaces whose workloads are switched to Harbor
 * @param parallelism images whose manifests are read or pushed at once (their blobs share one queue, largest first)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Harbor(
    String namespace,
    String url,
    String registryHost,
    List<String> alternateHosts,
    String project,
    String robot,
    Credentials admin,
    String pullSecret,
    List<String> switchNamespaces,
    Integer parallelism) {

  public Harbor {
    alternateHosts = Immutable.list(alternateHosts);
    switchNamespaces = Immutable.list(switchNamespaces);
  }

  /** A user name and a password, both as references. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Credentials(SecretRef username, SecretRef password) {}
}
