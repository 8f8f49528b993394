package io.carbon254.runbook.activities;

import io.carbon254.runbook.engine.Change;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.ServerSideApplicable;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The one way the adapters talk to the Kubernetes API:
 *
 * <ul>
 *   <li>every request runs through {@link #call}, which turns a {@link KubernetesClientException} into
 *       an activity failure classified the same way for every adapter ({@link #failure}, plain code);
 *   <li>every object the runbooks create carries the ownership label {@value #MANAGED_BY}={@value #MANAGER};
 *   <li>{@link #apply} is create-or-update with a diff: UNCHANGED when the cluster already holds every
 *       desired field (no write), else a server-side apply as field manager {@value #FIELD_MANAGER}
 *       (CREATED or UPDATED). A field owned by another manager is a conflict the operator is told
 *       about, never overwritten, unless the helper was made with {@link Conflicts#FORCE}. An API
 *       server without server-side apply (fabric8's mock answers 415) gets create or JSON merge patch.
 * </ul>
 */
public final class KubernetesApi {

  /** The ownership label of every object a runbook creates. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  public static final String MANAGER = "254carbon-runbook";

  /** The field manager of every server-side apply. */
  public static final String FIELD_MANAGER = "runbook";

  /** Where the worker's Role and ClusterRole ship (what a refused request asks to extend). */
  public static final String RBAC_MANIFEST = "deploy/rbac.yaml";

  /** What an apply does with fields that another field manager owns. */
  public enum Conflicts {
    /** Fail the step, naming the fields and their managers (the default). */
    REPORT,
    /** Take the fields over ({@code force=true}). */
    FORCE
  }

  private final KubernetesClient client;
  private final Conflicts conflicts;
  private final AtomicBoolean serverSideApply = new AtomicBoolean(true);

  public KubernetesApi(KubernetesClient client) {
    this(client, Conflicts.REPORT);
  }

  public KubernetesApi(KubernetesClient client, Conflicts conflicts) {
    this.client = Objects.requireNonNull(client, "client");
    this.conflicts = Objects.requireNonNull(conflicts, "conflicts");
  }

  public KubernetesClient client() {
    return client;
  }

  /** The API server's URL as the operator's kubeconfig names it. */
  public String apiUrl() {
    return String.valueOf(client.getMasterUrl()).replaceAll("/$", "");
  }

  // ------------------------------------------------------------------------------------- requests

  /**
   * One request of an adapter as the operator and RBAC see it: verb, API group, resource
   * (plural, or {@code services/proxy}), kind, namespace and name, or a non-resource URL such as
   * {@code /version}.
   */
  public record Call(String verb, String group, String resource, String kind, boolean namespaced, String namespace,
      String name, String nonResourceUrl) {

    public static Call of(String verb, ResourceDefinitionContext type, String namespace, String name) {
      return new Call(verb, type.getGroup() == null ? "" : type.getGroup(), type.getPlural(), type.getKind(),
          type.isNamespaceScoped(), namespace, name, null);
    }

    public static Call of(String verb, Class<? extends HasMetadata> type, String namespace, String name) {
      return of(verb, ResourceDefinitionContext.fromResourceType(type), namespace, name);
    }

    /** A list in one namespace, or in every namespace when {@code namespace} is null. */
    public static Call list(Class<? extends HasMetadata> type, String namespace) {
      return of("list", type, namespace, null);
    }

    public static Call list(ResourceDefinitionContext type, String namespace) {
      return of("list", type, namespace, null);
    }

    /** The API server's service proxy to a Service ({@code get services/proxy}). */
    public static Call serviceProxy(String namespace, String service) {
      return new Call("get", "", "services/proxy", "Service proxy", true, namespace, service, null);
    }

    /** A URL outside the resource API, e.g. {@code /version}. */
    public static Call nonResource(String verb, String url) {
      return new Call(verb, null, null, null, false, null, null, url);
    }

    /** {@code Backup velero/nightly}, {@code deployments in data-platform}, {@code nodes}, {@code /version}. */
    public String what() {
      if (nonResourceUrl != null) {
        return "/version".equals(nonResourceUrl) ? "the server version (/version)" : nonResourceUrl;
      }
      if (name != null) {
        return kind + " " + (namespace == null ? name : namespace + "/" + name);
      }
      String plural = resource + (group == null || group.isEmpty() ? "" : "." + group);
      return plural + (namespace != null ? " in " + namespace : namespaced ? " in every namespace" : "");
    }

    /** reading, creating, updating, deleting... */
    String gerund() {
      return switch (verb) {
        case "get", "list", "watch" -> "reading";
        case "create" -> "creating";
        case "update", "patch", "apply" -> "updating";
        case "delete", "deletecollection" -> "deleting";
        default -> verb + "ing";
      };
    }

    /** The RBAC rule that allows this request, as one line of YAML. */
    public String rule() {
      String verbs = "verbs: [\"" + ("apply".equals(verb) ? "patch" : verb) + "\"]";
      if (nonResourceUrl != null) {
        return "{nonResourceURLs: [\"" + nonResourceUrl + "\"], " + verbs + "}";
      }
      return "{apiGroups: [\"" + (group == null ? "" : group) + "\"], resources: [\"" + resource + "\"], " + verbs + "}";
    }

    /** Where that rule goes: a Role in the namespace, or the ClusterRole. */
    public String ruleHolder() {
      return namespace != null && namespaced ? "Role in namespace " + namespace : "ClusterRole";
    }
  }

  /** Told of every request the adapters make, on the calling thread (the least-privilege test names the step from it). */
  private static final List<java.util.function.Consumer<Call>> OBSERVERS = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Tells {@code observer} of every request from now until the returned handle is closed. */
  public static AutoCloseable observe(java.util.function.Consumer<Call> observer) {
    OBSERVERS.add(observer);
    return () -> OBSERVERS.remove(observer);
  }

  /** For the few requests made without {@link #call} (raw proxies, the secret resolver): tells the observers. */
  static void observed(Call call) {
    for (java.util.function.Consumer<Call> observer : OBSERVERS) {
      observer.accept(call);
    }
  }

  /**
   * Heartbeats a waiting activity's progress (a line, or details a retry resumes from); a no-op
   * outside an activity (plain unit tests).
   */
  public static void heartbeat(Object progress) {
    try {
      io.temporal.activity.Activity.getExecutionContext().heartbeat(progress);
    } catch (IllegalStateException notInAnActivity) {
      // called outside an activity: nothing to heartbeat to
    }
  }

  /** Runs one request; a failure of the API becomes a classified activity failure ({@link #failure}). */
  public <T> T call(Call call, Supplier<T> request) {
    observed(call);
    if (!List.of("get", "list", "watch").contains(call.verb())) {
      ChangeGuard.allow(call.gerund() + " " + call.what());
    }
    try {
      return request.get();
    } catch (KubernetesClientException e) {
      throw failure(call, e, apiUrl());
    }
  }

  public void run(Call call, Runnable request) {
    call(call, () -> {
      request.run();
      return null;
    });
  }

  // ------------------------------------------------------------------------------------- objects

  /** An object by name; null when it does not exist. */
  public GenericKubernetesResource get(ResourceDefinitionContext type, String namespace, String name) {
    return call(Call.of("get", type, namespace, name), () -> resources(type, namespace).withName(name).get());
  }

  /** Deletes an object if it exists; true if it did. */
  public boolean delete(ResourceDefinitionContext type, String namespace, String name) {
    if (get(type, namespace, name) == null) {
      return false;
    }
    run(Call.of("delete", type, namespace, name), () -> resources(type, namespace).withName(name).delete());
    return true;
  }

  /** Creates an object that must not exist yet (Velero's Backups and Restores are created once, never updated). */
  public GenericKubernetesResource create(ResourceDefinitionContext type, GenericKubernetesResource object) {
    String ns = object.getMetadata().getNamespace();
    GenericKubernetesResource owned = owned(object);
    return call(Call.of("create", type, ns, object.getMetadata().getName()), () -> resources(type, ns).resource(owned).create());
  }

  /**
   * Writes back an object read and changed by the caller (optimistic: 409 if it changed meanwhile).
   * When what changed meanwhile is only what a controller writes beside the spec (a Deployment's or
   * an HPA's status: the same {@code metadata.generation}), the caller's spec is put on a fresh read
   * and written again with the caller's labels and annotations, a few times; a spec someone else
   * changed is never overwritten: that 409 fails the attempt, and the activity's retry reads and
   * decides again.
   */
  public <T extends HasMetadata> T update(T changed) {
    Class<? extends HasMetadata> type = changed.getClass();
    Call call = Call.of("update", type, changed.getMetadata().getNamespace(), changed.getMetadata().getName());
    T attempt = changed;
    for (int tries = 1; ; tries++) {
      T writing = attempt;
      try {
        return call(call, () -> client.resource(writing).update());
      } catch (ApplicationFailure conflict) {
        T rebased = "KubernetesConflict".equals(conflict.getType()) && tries < CONFLICT_REBASES ? rebase(writing) : null;
        if (rebased == null) {
          throw conflict;
        }
        attempt = rebased;
      }
    }
  }

  private static Map<String, String> merged(Map<String, String> theirs, Map<String, String> mine) {
    if (theirs == null && mine == null) {
      return null;
    }
    Map<String, String> merged = new LinkedHashMap<>(theirs == null ? Map.of() : theirs);
    merged.putAll(mine == null ? Map.of() : mine);
    return merged;
  }

  /** How often {@link #update} puts the caller's spec on a fresh read after a controller's write. */
  static final int CONFLICT_REBASES = 5;

  /** {@code changed}'s spec on a fresh read of the object, or null when its spec changed meanwhile (or it has none, or is gone). */
  private <T extends HasMetadata> T rebase(T changed) {
    @SuppressWarnings("unchecked")
    Class<T> type = (Class<T>) changed.getClass();
    T fresh = call(Call.of("get", type, changed.getMetadata().getNamespace(), changed.getMetadata().getName()),
        () -> client.resource(changed).get());
    Long generation = changed.getMetadata().getGeneration();
    if (fresh == null || generation == null || !generation.equals(fresh.getMetadata().getGeneration())) {
      return null;
    }
    var serialization = client.getKubernetesSerialization();
    @SuppressWarnings("unchecked")
    Map<String, Object> mine = serialization.convertValue(changed, Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> theirs = serialization.convertValue(fresh, Map.class);
    if (!mine.containsKey("spec")) {
      return null;
    }
    theirs.put("spec", mine.get("spec"));
    T rebased = serialization.convertValue(theirs, type);
    // The caller's labels and annotations too (an ingress's Access annotations), beside those the controller added.
    rebased.getMetadata().setLabels(merged(fresh.getMetadata().getLabels(), changed.getMetadata().getLabels()));
    rebased.getMetadata().setAnnotations(merged(fresh.getMetadata().getAnnotations(), changed.getMetadata().getAnnotations()));
    return rebased;
  }

  /** An object compared with what the cluster holds: missing ({@code current} null), in line (no drift), or drifted. */
  public record Diff(GenericKubernetesResource current, List<String> drift) {
    public boolean missing() {
      return current == null;
    }

    public boolean unchanged() {
      return current != null && drift.isEmpty();
    }
  }

  public Diff diff(ResourceDefinitionContext type, GenericKubernetesResource desired) {
    GenericKubernetesResource current = get(type, desired.getMetadata().getNamespace(), desired.getMetadata().getName());
    return new Diff(current, current == null ? List.of() : KubernetesDiff.drift(desired, current));
  }

  /** What {@link #apply} did to {@code target} ({@code namespace/name}), and the paths that differed. */
  public record Applied(Change change, String target, List<String> drift) {}

  /** Create-or-update with a diff (see the class comment); a created object gets the ownership label. */
  public Applied apply(ResourceDefinitionContext type, GenericKubernetesResource desired) {
    String ns = desired.getMetadata().getNamespace();
    String name = desired.getMetadata().getName();
    String target = ns == null ? name : ns + "/" + name;
    Diff diff = diff(type, desired);
    if (diff.unchanged()) {
      return new Applied(Change.UNCHANGED, target, List.of());
    }
    ChangeGuard.allow((diff.missing() ? "creating " : "updating ") + desired.getKind() + " " + target);
    if (diff.missing() || isOurs(diff.current())) {
      // Ours from its creation on: an apply without the label would remove it.
      desired = owned(desired);
    }
    if (serverSideApply.get()) {
      try {
        observed(Call.of("patch", type, ns, name));
        ServerSideApplicable<GenericKubernetesResource> apply = resources(type, ns).resource(desired)
            .fieldValidation(FieldValidateable.Validation.STRICT).fieldManager(FIELD_MANAGER);
        (conflicts == Conflicts.FORCE ? apply.forceConflicts() : apply).serverSideApply();
        return new Applied(diff.missing() ? Change.CREATED : Change.UPDATED, target, diff.drift());
      } catch (KubernetesClientException e) {
        // fabric8's mock has no server-side apply: 415 for an object that exists, 404 for one that
        // does not. On a real server a 404 means a missing resource type: the create below says so.
        if (e.getCode() != 415 && e.getCode() != 404) {
          throw failure(Call.of("apply", type, ns, name), e, apiUrl());
        }
        if (e.getCode() == 415) {
          serverSideApply.set(false);
        }
      }
    }
    return mergePatch(type, desired, diff, target);
  }

  /** {@link #apply} of a typed object. */
  public Applied apply(HasMetadata desired) {
    GenericKubernetesResource generic = client.getKubernetesSerialization().convertValue(desired, GenericKubernetesResource.class);
    return apply(ResourceDefinitionContext.fromResourceType(desired.getClass()), generic);
  }

  private Applied mergePatch(ResourceDefinitionContext type, GenericKubernetesResource desired, Diff diff, String target) {
    String ns = desired.getMetadata().getNamespace();
    String name = desired.getMetadata().getName();
    if (diff.missing()) {
      try {
        observed(Call.of("create", type, ns, name));
        resources(type, ns).resource(desired).create();
        return new Applied(Change.CREATED, target, List.of());
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw failure(Call.of("create", type, ns, name), e, apiUrl());
        }
        diff = diff(type, desired); // created meanwhile: read and continue
        if (diff.unchanged()) {
          return new Applied(Change.UNCHANGED, target, List.of());
        }
      }
    }
    String patch = client.getKubernetesSerialization().asJson(KubernetesDiff.desiredFields(desired));
    run(Call.of("patch", type, ns, name), () -> resources(type, ns).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch));
    return new Applied(Change.UPDATED, target, diff.drift());
  }

  static boolean isOurs(HasMetadata object) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return labels != null && MANAGER.equals(labels.get(MANAGED_BY));
  }

  /**
   * A copy of an object about to be created, with the ownership label. Objects that exist keep
   * their labels: another tool's {@value #MANAGED_BY} (Helm's) is not ours to change.
   */
  static GenericKubernetesResource owned(GenericKubernetesResource object) {
    GenericKubernetesResource copy = new GenericKubernetesResource();
    copy.setApiVersion(object.getApiVersion());
    copy.setKind(object.getKind());
    Map<String, String> labels = new LinkedHashMap<>(object.getMetadata().getLabels() == null ? Map.of() : object.getMetadata().getLabels());
    labels.put(MANAGED_BY, MANAGER);
    copy.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder(object.getMetadata()).withLabels(labels).build());
    object.getAdditionalProperties().forEach(copy::setAdditionalProperty);
    return copy;
  }

  public NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
      resources(ResourceDefinitionContext type, String namespace) {
    var all = client.genericKubernetesResources(type);
    return type.isNamespaceScoped() && namespace != null ? all.inNamespace(namespace) : all;
  }

  // ------------------------------------------------------------------------------------- failures

  /**
   * The activity failure for a request the API did not carry out, as an operator at 3 a.m. needs
   * it: what was asked, what the API answered, whether it is retried, and what to do.
   *
   * <table>
   *   <tr><td>no answer (connection refused, TLS, timeout)</td><td>retried</td><td>KubernetesUnreachable, naming the API URL</td></tr>
   *   <tr><td>401</td><td>not retried</td><td>KubernetesUnauthorized</td></tr>
   *   <tr><td>403</td><td>not retried</td><td>KubernetesForbidden, naming verb, resource, namespace and the RBAC rule to add</td></tr>
   *   <tr><td>403 in a namespace being deleted</td><td>retried</td><td>KubernetesNamespaceTerminating</td></tr>
   *   <tr><td>404</td><td>not retried</td><td>KubernetesNotFound, naming the object (and the CRD for a custom resource)</td></tr>
   *   <tr><td>409 field-manager conflict of an apply</td><td>not retried</td><td>KubernetesApplyConflict, naming fields and managers</td></tr>
   *   <tr><td>409 (exists, changed meanwhile), 429</td><td>retried</td><td>KubernetesConflict, KubernetesThrottled</td></tr>
   *   <tr><td>400, 422, 500 for an apply the schema cannot type</td><td>not retried</td><td>KubernetesInvalid, with the server's message</td></tr>
   *   <tr><td>other 4xx</td><td>not retried</td><td>KubernetesRejected</td></tr>
   *   <tr><td>5xx, 408</td><td>retried</td><td>KubernetesServerError</td></tr>
   * </table>
   */
  public static ApplicationFailure failure(Call call, KubernetesClientException e, String apiUrl) {
    int code = e.getCode();
    String api = "Kubernetes API at " + apiUrl;
    String what = call.what();
    String message = serverMessage(e);
    if (code <= 0) {
      Throwable root = rootCause(e);
      if (isIo(e)) {
        return retried(api + " unreachable while " + call.gerund() + " " + what + " (" + root.getClass().getSimpleName()
            + (root.getMessage() == null ? "" : ": " + firstLine(root.getMessage()))
            + "). Check the worker's kubeconfig (server, context) and the network route to the API server.", "KubernetesUnreachable");
      }
      return retried(api + " failed while " + call.gerund() + " " + what + ": " + message + ". Retried; if it persists,"
          + " check the API server's health and logs.", "KubernetesApiError");
    }
    if (code == 401) {
      return notRetried(api + " did not accept the worker's credentials while " + call.gerund() + " " + what
          + " (401 Unauthorized). Renew the token or client certificate of the worker's kubeconfig (in a cluster: its"
          + " ServiceAccount token), then retry.", "KubernetesUnauthorized");
    }
    if (code == 403 && message.contains("because it is being terminated")) {
      // Not RBAC: the namespace is being deleted, and a new one of that name can follow.
      return retried(what + ": namespace " + call.namespace() + " is being deleted (" + message + "); retried until it is gone.",
          "KubernetesNamespaceTerminating");
    }
    if (code == 403) {
      String resource = call.nonResourceUrl() != null ? call.nonResourceUrl()
          : call.resource() + (call.group() == null || call.group().isEmpty() ? "" : "." + call.group());
      String where = call.nonResourceUrl() != null ? "" : call.namespace() != null ? " in namespace " + call.namespace()
          : call.namespaced() ? " in every namespace" : " (cluster-wide)";
      return notRetried(api + " forbids the worker to " + call.verb() + " " + resource + where + " (" + what + "): " + message
          + ". Add the rule " + call.rule() + " to the worker's " + call.ruleHolder() + " (" + RBAC_MANIFEST + "), then retry.",
          "KubernetesForbidden");
    }
    if (code == 404) {
      // Custom resources' groups have a dot and are not Kubernetes' own (*.k8s.io).
      boolean custom = call.group() != null && call.group().contains(".") && !call.group().endsWith(".k8s.io");
      return notRetried(api + " answered 404 while " + call.gerund() + " " + what + ": " + message + ". "
          + (custom ? "Is the CRD " + call.resource() + "." + call.group() + " installed (kubectl get crd " + call.resource()
              + "." + call.group() + ")?" : "It may have been deleted meanwhile: plan again."), "KubernetesNotFound");
    }
    if (code == 409) {
      List<String> owned = conflictingFields(e);
      if (!owned.isEmpty()) {
        return notRetried(what + ": " + String.join("; ", owned) + " — fields the runbook's apply (field manager '"
            + FIELD_MANAGER + "') would change are managed by someone else, and the runbook does not overwrite them."
            + " Put them back to the planned values, or let the runbook take them over (apply with force), then retry.",
            "KubernetesApplyConflict");
      }
      return retried(what + " changed or appeared meanwhile (409: " + message + "); retried with a fresh read.",
          "KubernetesConflict");
    }
    if (code == 429) {
      return retried(api + " throttled the worker while " + call.gerund() + " " + what + " (429: " + message + "); retried.",
          "KubernetesThrottled");
    }
    // A server-side apply with a field the schema does not declare: the API server answers 500,
    // but nothing changes on a retry.
    boolean untypedApply = code == 500 && message.contains("failed to create typed patch object");
    if (code == 400 || code == 422 || untypedApply) {
      return notRetried(api + " refused " + what + " as invalid (" + code + "): " + message + ". Fix the value it names"
          + " (in the platform configuration, or in the cluster), then retry.", "KubernetesInvalid");
    }
    if (code >= 400 && code < 500 && code != 408) {
      return notRetried(api + " refused " + call.gerund() + " " + what + " (" + code + "): " + message + ".", "KubernetesRejected");
    }
    return retried(api + " answered " + code + " while " + call.gerund() + " " + what + ": " + message
        + ". Retried; if it persists, check the API server's health and logs.", "KubernetesServerError");
  }

  /** {@code .spec.paused (manager kubectl-edit)} for each field of a server-side apply conflict; empty for other 409s. */
  static List<String> conflictingFields(KubernetesClientException e) {
    if (e.getStatus() == null || e.getStatus().getDetails() == null || e.getStatus().getDetails().getCauses() == null) {
      return List.of();
    }
    Set<String> fields = new LinkedHashSet<>();
    for (StatusCause cause : e.getStatus().getDetails().getCauses()) {
      if ("FieldManagerConflict".equals(cause.getReason())) {
        // message: conflict with "kubectl-edit" using velero.io/v1: .spec.paused
        String manager = cause.getMessage() == null ? "?" : cause.getMessage().replaceFirst("^conflict with \"([^\"]*)\".*$", "$1");
        fields.add(cause.getField() + " (manager " + manager + ")");
      }
    }
    return new ArrayList<>(fields);
  }

  private static ApplicationFailure retried(String message, String type) {
    return ApplicationFailure.newFailureWithCause(message, type, null);
  }

  private static ApplicationFailure notRetried(String message, String type) {
    return ApplicationFailure.newNonRetryableFailureWithCause(message, type, null);
  }

  /** No HTTP answer at all: connection refused, unknown host, TLS failure, timeout. */
  private static boolean isIo(KubernetesClientException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  private static Throwable rootCause(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  /** What the API server said (its Status message), on one line. */
  static String serverMessage(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null && !e.getStatus().getMessage().isBlank()) {
      return firstLine(e.getStatus().getMessage());
    }
    return firstLine(Objects.toString(e.getMessage(), "no message"));
  }

  /** The first line of a message, at most 600 characters. */
  static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 600 ? line.substring(0, 600) + "…" : line;
  }
}
