package io.carbon254.runbook.worker;

import static io.carbon254.runbook.engine.RunbookTesting.approve;
import static io.carbon254.runbook.engine.RunbookTesting.result;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.carbon254.runbook.Runbooks;
import io.carbon254.runbook.activities.KubernetesApi;
import io.carbon254.runbook.backup.BackupActivationWorkflow;
import io.carbon254.runbook.backup.BackupActivationWorkflowImpl;
import io.carbon254.runbook.engine.ChildView;
import io.carbon254.runbook.engine.RunbookDefinition;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookStatus;
import io.carbon254.runbook.engine.RunbookWorkflow;
import io.carbon254.runbook.hpa.HpaActivationWorkflow;
import io.carbon254.runbook.hpa.HpaActivationWorkflowImpl;
import io.carbon254.runbook.mirror.ImageMirrorWorkflow;
import io.carbon254.runbook.mirror.ImageMirrorWorkflowImpl;
import io.carbon254.runbook.platform.PlatformWorkflow;
import io.carbon254.runbook.platform.PlatformWorkflowImpl;
import io.carbon254.runbook.platformcheck.PlatformCheckWorkflowImpl;
import io.carbon254.runbook.sandbox.Sandbox;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import io.carbon254.runbook.sso.SsoAccessWorkflowImpl;
import io.carbon254.runbook.sso.SsoIntegrationWorkflowImpl;
import io.carbon254.runbook.sso.SsoValidationWorkflowImpl;
import io.carbon254.runbook.sso.SsoWorkflow;
import io.carbon254.runbook.sso.SsoWorkflowImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The worker's RBAC ({@code deploy/rbac.yaml}) is least privilege, derived from what the runbooks
 * really call: the platform runbook runs every runbook of this build end to end on the real API
 * server as the worker's ServiceAccount, the API server's audit log records each request that
 * account made, and the test fails if one was refused, or if a rule allows a verb on a resource
 * that no request used. Its report ({@code target/least-privilege.md}) lists each permission with
 * the runbook steps that need it. It also writes what each run of that tree costs in history
 * ({@code target/history-sizes.md}).
 */
class LeastPrivilegeTest extends OnTheSandboxWithCloudflareApi { // as the demo: sso-access in API mode

  private static final String WORKER = "system:serviceaccount:" + Sandbox.WORKER_NAMESPACE + ":" + Sandbox.WORKER_SERVICE_ACCOUNT;

  @RegisterExtension
  static final TestWorkflowExtension temporal = extension(API_MODE_AUTHORIZATION, PlatformWorkflowImpl.class,
      PlatformCheckWorkflowImpl.class, ImageMirrorWorkflowImpl.class, BackupActivationWorkflowImpl.class,
      HpaActivationWorkflowImpl.class, SsoWorkflowImpl.class, SsoAccessWorkflowImpl.class,
      SsoIntegrationWorkflowImpl.class, SsoValidationWorkflowImpl.class);

  /**
   * Permissions the runbooks need on platforms unlike the sandbox, which one platform run does not
   * exercise: each with the reason. Anything else unused fails the test.
   */
  static final Map<String, String> NEEDED_ELSEWHERE = Map.ofEntries(
      Map.entry("ClusterRole runbook-worker: get apps/daemonsets (cluster-wide)",
          "image-mirror switches the DaemonSets of harbor.switchNamespaces: the sandbox's data-platform has none"),
      Map.entry("Role data-platform/runbook-worker: update apps/daemonsets in data-platform",
          "image-mirror switches the DaemonSets of harbor.switchNamespaces: the sandbox's data-platform has none"),
      Map.entry("ClusterRole runbook-worker: get postgresql.cnpg.io/clusters (cluster-wide)",
          "platform-check reads the CloudNativePG Cluster with ha.postgres.mode: cnpg (the default is statefulset)"),
      Map.entry("ClusterRole runbook-worker: list postgresql.cnpg.io/clusters (cluster-wide)",
          "platform-check reads the CloudNativePG Cluster with ha.postgres.mode: cnpg (the default is statefulset)"),
      Map.entry("Role velero/runbook-worker: create velero.io/backupstoragelocations in velero",
          "backup-activation creates a missing storage location: the sandbox seeds it, as the status report found it"),
      Map.entry("Role velero/runbook-worker: patch velero.io/backupstoragelocations in velero",
          "backup-activation corrects a storage location that differs from the configuration: the seeded one does not"),
      Map.entry("Role velero/runbook-worker: delete velero.io/backups in velero",
          "back-up-canary's RETRY replaces a failed Backup: the sandbox's Velero does not fail"),
      Map.entry("Role velero/runbook-worker: delete velero.io/deletebackuprequests in velero",
          "a re-run's clean-up replaces a processed DeleteBackupRequest of the same name"),
      Map.entry("Role data-platform/runbook-worker: create networking.k8s.io/ingresses in data-platform",
          "sso-integration creates the ingress of a service that has none: the sandbox seeds one per service"),
      Map.entry("Role monitoring/runbook-worker: create networking.k8s.io/ingresses in monitoring",
          "sso-integration creates the ingress of a service that has none: the sandbox seeds one per service"),
      Map.entry("Role data-platform/runbook-worker: delete networking.k8s.io/ingresses in data-platform",
          "sso-integration's ABORT deletes an ingress the run created: the platform run is not aborted"),
      Map.entry("Role monitoring/runbook-worker: delete networking.k8s.io/ingresses in monitoring",
          "sso-integration's ABORT deletes an ingress the run created: the platform run is not aborted"),
      Map.entry("Role data-platform/runbook-worker: update configmaps [superset-config-sso] in data-platform",
          "sso-integration corrects Superset's remote-user settings that differ: the sandbox's are right, only unmounted"),
      Map.entry("Role data-platform/runbook-worker: delete configmaps [superset-config-sso] in data-platform",
          "sso-integration's ABORT deletes an auth ConfigMap the run created: the platform run is not aborted"),
      Map.entry("Role monitoring/runbook-worker: delete configmaps [grafana-config] in monitoring",
          "sso-integration's ABORT deletes an auth ConfigMap the run created: the platform run is not aborted"),
      Map.entry("Role ingress-nginx/runbook-worker: delete configmaps [ingress-nginx-controller] in ingress-nginx",
          "sso-integration's ABORT deletes the controller's ConfigMap when the run created it: the sandbox has one"));

  /** A request as the API server authorizes it. {@code namespace} is empty for a cluster-scoped or all-namespaces request. */
  record Request(String verb, String group, String resource, String namespace, String name) {}

  /** What one rule of a Role (in {@code namespace}) or ClusterRole (namespace empty) allows: one verb on one resource. */
  record Permission(String role, String namespace, String group, String resource, String verb, Set<String> names) {

    boolean allows(Request r) {
      return group.equals(r.group()) && resource.equals(r.resource()) && verb.equals(r.verb())
          && (namespace.isEmpty() || namespace.equals(r.namespace()))
          && (names.isEmpty() || names.contains(r.name()));
    }

    String describe() {
      return role + ": " + verb + " " + (group.isEmpty() ? "" : group + "/") + resource
          + (names.isEmpty() ? "" : " " + names) + (namespace.isEmpty() ? " (cluster-wide)" : " in " + namespace);
    }
  }

  @Test
  void theShippedRbacAllowsWhatTheRunbooksCallAndNothingElse() throws Exception {
    Map<String, Set<String>> stepsByCall = new ConcurrentHashMap<>();
    try (AutoCloseable recording = KubernetesApi.observe(call -> stepsByCall
        .computeIfAbsent(key(call.verb(), call.group(), call.resource(), call.namespace()), k -> ConcurrentHashMap.newKeySet())
        .add(step()))) {
      RunbookResult platform = runPlatformAnsweringEveryGate();
      assertThat(platform.outcome()).as(platform.summary()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    }
    writeHistorySizes();

    List<Request> requests = workerRequests();
    assertThat(requests).as("the worker's requests in the audit log").isNotEmpty();
    List<Permission> permissions = permissions();

    List<String> refused = new ArrayList<>();
    Map<Permission, Set<String>> used = new TreeMap<>(java.util.Comparator.comparing(Permission::describe));
    Set<String> outsideTheRules = new TreeSet<>();
    for (Request r : requests) {
      List<Permission> allowing = permissions.stream().filter(p -> p.allows(r)).toList();
      Set<String> steps = stepsByCall.getOrDefault(key(r.verb(), r.group(), r.resource(), r.namespace()),
          stepsByCall.getOrDefault(key(r.verb().equals("create") ? "patch" : r.verb(), r.group(), r.resource(), r.namespace()),
              Set.of()));
      allowing.forEach(p -> used.computeIfAbsent(p, k -> new TreeSet<>()).addAll(steps.isEmpty() ? Set.of("(no step)") : steps));
      if (allowing.isEmpty()) {
        outsideTheRules.add(r.verb() + " " + r.group() + "/" + r.resource() + " " + r.namespace() + "/" + r.name());
      }
    }
    for (JsonNode event : auditEvents()) {
      if (event.path("responseStatus").path("code").asInt() == 403) {
        refused.add(event.path("verb").asText() + " " + event.path("requestURI").asText());
      }
    }
    List<String> unused = permissions.stream().filter(p -> !used.containsKey(p)).map(Permission::describe)
        .filter(p -> !NEEDED_ELSEWHERE.containsKey(p)).toList();

    StringBuilder report = new StringBuilder("# What the worker's RBAC allows, and the runbook steps that need it\n\n")
        .append("From the audit log of a platform run (every runbook of this build) as ").append(WORKER).append(".\n\n");
    used.forEach((p, steps) -> report.append("- ").append(p.describe()).append(": ").append(String.join(", ", steps)).append('\n'));
    report.append("\nNot used by this run, needed on platforms unlike the sandbox:\n\n");
    permissions.stream().filter(p -> !used.containsKey(p) && NEEDED_ELSEWHERE.containsKey(p.describe())).forEach(p ->
        report.append("- ").append(p.describe()).append(": ").append(NEEDED_ELSEWHERE.get(p.describe())).append('\n'));
    report.append("\nUnused: ").append(unused.isEmpty() ? "none" : String.join("; ", unused)).append('\n');
    Path file = Path.of("target", "least-privilege.md");
    Files.createDirectories(file.getParent());
    Files.writeString(file, report);

    assertThat(refused).as("requests the API server refused the worker").isEmpty();
    assertThat(outsideTheRules).as("requests no rule of deploy/rbac.yaml allows (granted by a default role?)").isEmpty();
    assertThat(unused).as("rules of deploy/rbac.yaml that no runbook step used (report: %s)", file.toAbsolutePath()).isEmpty();
    assertThat(used.values()).as("every permission is attributed to the steps that need it").noneMatch(s -> s.contains("(no step)"));
  }

  /**
   * By the way: what each run of the tree costs in history (events and bytes), for the README's
   * table ({@code target/history-sizes.md}).
   */
  private void writeHistorySizes() throws IOException {
    StringBuilder table = new StringBuilder("| run | events | history bytes |\n|---|---:|---:|\n");
    List<String> runs = new ArrayList<>();
    addTree(config.name() + "/platform", runs);
    for (String id : runs) {
      var history = client.fetchHistory(id);
      table.append("| ").append(id).append(" | ").append(history.getEvents().size()).append(" | ")
          .append(history.getHistory().getSerializedSize()).append(" |\n");
    }
    Files.writeString(Path.of("target", "history-sizes.md"), table);
  }

  /** {@code id} and every run below it (children's children: sso's phases), depth first. */
  private void addTree(String id, List<String> runs) {
    runs.add(id);
    // Every runbook answers the same status query; the stub's type only names it.
    client.newWorkflowStub(PlatformWorkflow.class, id).status().children().forEach(child -> addTree(child.workflowId(), runs));
  }

  /** Starts platform and answers every gate that opens anywhere in its tree, as the gate's policy needs. */
  private RunbookResult runPlatformAnsweringEveryGate() {
    PlatformWorkflow run = start(PlatformWorkflow.RUNBOOK, "PlatformWorkflow", PlatformWorkflow.class);
    Set<String> answered = new HashSet<>();
    WorkflowStub stub = WorkflowStub.fromTyped(run);
    long deadline = System.nanoTime() + java.time.Duration.ofMinutes(10).toNanos();
    while (stub.describe().getStatus() == io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      RunbookStatus status = run.status();
      assertThat(System.nanoTime()).as("platform still running after 10 minutes: %s", status).isLessThan(deadline);
      for (ChildView child : status.children()) {
        if (child.outcome() == null && child.waiting() != null && child.waiting().startsWith("gate ")
            && answered.add(child.waitingIn() + " " + child.waiting())) {
          String gate = child.waiting().substring("gate ".length(), child.waiting().indexOf(" #"));
          RunbookWorkflow at = client.newWorkflowStub(type(child.runbook()), child.waitingIn());
          if (gate.equals("approve-plan")) {
            approve(at, gate, "bob", "carol");
          } else {
            approve(at, gate, "dave");
          }
        }
      }
      LockSupport.parkNanos(200_000_000L);
    }
    return result(run);
  }

  private static Class<? extends RunbookWorkflow> type(String runbook) {
    return switch (runbook) {
      case ImageMirrorWorkflow.RUNBOOK -> ImageMirrorWorkflow.class;
      case BackupActivationWorkflow.RUNBOOK -> BackupActivationWorkflow.class;
      case HpaActivationWorkflow.RUNBOOK -> HpaActivationWorkflow.class;
      case SsoWorkflow.RUNBOOK -> SsoWorkflow.class;
      default -> throw new IllegalStateException("no gate expected in " + runbook);
    };
  }

  /** {@code hpa-activation: FixMetricsServer}, the activity that makes the request (on its thread). */
  private static String step() {
    try {
      ActivityInfo info = Activity.getExecutionContext().getInfo();
      String runbook = Runbooks.ALL.stream().filter(d -> d.workflowType().equals(info.getWorkflowType()))
          .map(RunbookDefinition::id).findFirst().orElse(info.getWorkflowType());
      return runbook + ": " + info.getActivityType();
    } catch (IllegalStateException notInAnActivity) {
      return "(no step)";
    }
  }

  /** The step lookup's key: a Namespace's own name is not its namespace (the audit log puts it there). */
  private static String key(String verb, String group, String resource, String namespace) {
    return verb + " " + (group == null ? "" : group) + " " + resource + " "
        + (namespace == null || resource.equals("namespaces") ? "" : namespace);
  }

  private List<JsonNode> auditEvents() throws IOException {
    Path log = sandbox.controlPlane().orElseThrow().auditLog();
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      JsonNode event = json.readTree(line);
      if (WORKER.equals(event.path("user").path("username").asText())) {
        events.add(event);
      }
    }
    return events;
  }

  private List<Request> workerRequests() throws IOException {
    List<Request> requests = new ArrayList<>();
    for (JsonNode event : auditEvents()) {
      JsonNode ref = event.path("objectRef");
      if (ref.isMissingNode()) {
        continue; // discovery and /version: every authenticated user may
      }
      String resource = ref.path("resource").asText() + (ref.hasNonNull("subresource") ? "/" + ref.path("subresource").asText() : "");
      String verb = event.path("verb").asText();
      Request request = new Request(verb, ref.path("apiGroup").asText(""), resource,
          resource.equals("namespaces") ? "" : ref.path("namespace").asText(""), ref.path("name").asText(""));
      requests.add(request);
      // A server-side apply that creates the object is authorized as a patch and, inside the API
      // server, as a create: the audit log records only the patch, answered 201.
      if (verb.equals("patch") && event.path("responseStatus").path("code").asInt() == 201) {
        requests.add(new Request("create", request.group(), request.resource(), request.namespace(), request.name()));
      }
    }
    return requests;
  }

  /** Every verb × resource × group of every Role and ClusterRole in deploy/rbac.yaml. */
  private static List<Permission> permissions() throws IOException {
    List<Permission> permissions = new ArrayList<>();
    try (InputStream rbac = Sandbox.class.getResourceAsStream("/" + Sandbox.WORKER_RBAC)) {
      assertThat(rbac).as(Sandbox.WORKER_RBAC + " on the classpath").isNotNull();
      ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
      for (JsonNode doc : yaml.readValues(new YAMLFactory().createParser(rbac), JsonNode.class).readAll()) {
        String kind = doc.path("kind").asText();
        if (!kind.equals("Role") && !kind.equals("ClusterRole")) {
          continue;
        }
        String namespace = kind.equals("Role") ? doc.path("metadata").path("namespace").asText() : "";
        String role = kind + " " + (namespace.isEmpty() ? "" : namespace + "/") + doc.path("metadata").path("name").asText();
        for (JsonNode rule : doc.path("rules")) {
          Set<String> names = new TreeSet<>();
          rule.path("resourceNames").forEach(n -> names.add(n.asText()));
          for (JsonNode group : rule.path("apiGroups")) {
            for (JsonNode resource : rule.path("resources")) {
              for (JsonNode verb : rule.path("verbs")) {
                permissions.add(new Permission(role, namespace, group.asText(), resource.asText(), verb.asText(), names));
              }
            }
          }
        }
      }
    }
    return permissions;
  }
}
