package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Map;

/**
 * Multi-node high availability.
 *
 * @param workers the worker nodes to join
 * @param bootstrapTokenTtl lifetime of the kubeadm bootstrap token (deleted when the nodes are Ready)
 * @param nodeReadyTimeout how long to wait for the joined nodes to become Ready
 * @param postgres PostgreSQL streaming replication
 * @param minio distributed MinIO
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Ha(
    List<Worker> workers,
    String bootstrapTokenTtl,
    String nodeReadyTimeout,
    Postgres postgres,
    MinioDistributed minio) {

  public Ha {
    workers = Immutable.list(workers);
  }

  /** A worker node: its host name and the workload labels it gets after joining. */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Worker(String hostname, Map<String, String> labels) {
    public Worker {
      labels = Immutable.map(labels);
    }
  }

  /** How the standby is deployed. */
  public enum PostgresMode {
    /** The existing StatefulSet scaled to {@code replicas}, pod -0 primary, others standbys. */
    STATEFULSET("statefulset"),
    /** A CloudNativePG {@code Cluster} with {@code replicas} instances. */
    CNPG("cnpg");

    private final String yaml;

    PostgresMode(String yaml) {
      this.yaml = yaml;
    }

    @JsonValue
    public String yaml() {
      return yaml;
    }

    @JsonCreator
    public static PostgresMode fromYaml(String value) {
      for (PostgresMode m : values()) {
        if (m.yaml.equals(value)) {
          return m;
        }
      }
      throw new IllegalArgumentException("unknown postgres mode " + value);
    }
  }

  /**
   * PostgreSQL streaming replication.
   *
   * @param mode statefulset or cnpg
   * @param namespace database namespace (backed up before any change)
   * @param name the StatefulSet (or CNPG Cluster) name
   * @param image PostgreSQL image
   * @param replicas total instances (primary + standbys), at least 2
   * @param port PostgreSQL port
   * @param superuser superuser name
   * @param superuserPassword reference to its password
   * @param replicationUser the replication role
   * @param replicationPassword reference to its password (the runbook creates the Secret if absent)
   * @param primaryService Service selecting the primary pod
   * @param standbyService Service selecting the standby pods
   * @param maxReplayLagBytes a standby further behind than this fails the verification
   * @param parameters server parameters set on the primary
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Postgres(
      PostgresMode mode,
      String namespace,
      String name,
      String image,
      Integer replicas,
      Integer port,
      String superuser,
      SecretRef superuserPassword,
      String replicationUser,
      SecretRef replicationPassword,
      String primaryService,
      String standbyService,
      Long maxReplayLagBytes,
      Map<String, String> parameters) {
    public Postgres {
      parameters = Immutable.map(parameters);
    }
  }

  /**
   * The new distributed MinIO (the standalone one cannot be converted in place).
   *
   * @param namespace where it runs
   * @param statefulSet its StatefulSet
   * @param headlessService its headless Service
   * @param replicas pods, at least 4
   * @param drivesPerPod volumes per pod
   * @param volumeSize size of each volume
   * @param storageClass StorageClass of the volumes; null: the cluster default
   * @param image MinIO image
   * @param standaloneStatefulSet the old standalone StatefulSet, kept until a final gate
   * @param switchService the Service switched to the new pods
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record MinioDistributed(
      String namespace,
      String statefulSet,
      String headlessService,
      Integer replicas,
      Integer drivesPerPod,
      String volumeSize,
      String storageClass,
      String image,
      String standaloneStatefulSet,
      String switchService) {}
}
