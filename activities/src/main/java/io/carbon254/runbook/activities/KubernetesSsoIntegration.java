package io.carbon254.runbook.activities;

import io.carbon254.runbook.config.Cluster;
import io.carbon254.runbook.config.PlatformService;
import io.carbon254.runbook.config.PlatformService.IdentityHeaders;
import io.carbon254.runbook.config.PlatformService.ServiceAuth;
import io.carbon254.runbook.config.PlatformService.ServiceAuthKind;
import io.carbon254.runbook.config.Sso;
import io.carbon254.runbook.engine.Change;
import io.carbon254.runbook.engine.Changed;
import io.carbon254.runbook.engine.PlanItem;
import io.carbon254.runbook.engine.Verification;
import io.carbon254.runbook.sso.IntegrationActivities;
import io.carbon254.runbook.sso.ObjectSnapshot;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * SSO phase 3 on the Kubernetes API through fabric8: the Access annotations on the services'
 * ingresses, the service-side header auth in the services' ConfigMaps, the ingress-nginx setting
 * for headers with underscores, and the restarts that make the services read their new auth.
 *
 * <p>Objects that exist are read, changed and written back with their resourceVersion (a 409 is
 * read again on the retry), not applied: the annotations, {@code grafana.ini} and the Deployments
 * belong to whoever installed them (Helm, the old scripts), and the plan approved a change from
 * what it showed.
 *
 * <p>The header each service's auth trusts, as this adapter reads and writes it:
 *
 * <ul>
 *   <li>Grafana ({@code grafana-auth-proxy}): {@code grafana.ini} in the ConfigMap,
 *       {@code [auth.proxy] enabled = true} and {@code header_name} (Grafana's default when unset:
 *       {@code X-WEBAUTH-USER}).
 *   <li>Superset ({@code superset-remote-user}): {@code superset_config.py} in the ConfigMap,
 *       {@code AUTH_TYPE = AUTH_REMOTE_USER} (or {@code 3}) and {@code AUTH_REMOTE_USER_ENV_VAR},
 *       the WSGI environ key Flask-AppBuilder reads the user from: a request header {@code H}
 *       arrives as {@code HTTP_} + H upper-cased with {@code -} as {@code _}, so the header
 *       {@code CF_Access-User} is {@code AUTH_REMOTE_USER_ENV_VAR = "HTTP_CF_ACCESS_USER"} (unset:
 *       {@code REMOTE_USER}, which no ingress header sets). The file is mounted into the Deployments
 *       of {@code serviceAuth.restart} at {@value #SUPERSET_MOUNT} (on Superset's PYTHONPATH).
 * </ul>
 */
public final class KubernetesSsoIntegration implements IntegrationActivities {

  static final String NGINX = "nginx.ingress.kubernetes.io/";
  static final String AUTH_URL = NGINX + "auth-url";
  static final String AUTH_SIGNIN = NGINX + "auth-signin";
  static final String AUTH_RESPONSE_HEADERS = NGINX + "auth-response-headers";
  static final String SSL_REDIRECT = NGINX + "ssl-redirect";
  static final String FORCE_SSL_REDIRECT = NGINX + "force-ssl-redirect";
  /** The Access token every protected service gets, before its identity headers. */
  static final String JWT_HEADER = "cf-access-jwt-assertion";
  /** ingress-nginx drops request headers with an underscore unless its ConfigMap says "true". */
  static final String UNDERSCORES = "enable-underscores-in-headers";
  static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
  /** On the pod template: the auth configuration the pods were (re)started with; a restart is due when it differs. */
  static final String CONFIG_HASH = "runbook.254carbon.io/sso-config-hash";
  /** Set by the Deployment controller on every rollout: not part of what a snapshot restores. */
  static final String REVISION = "deployment.kubernetes.io/revision";
  static final String GRAFANA_INI = "grafana.ini";
  static final String SUPERSET_CONFIG = "superset_config.py";
  static final String SUPERSET_VOLUME = "superset-config-sso";
  static final String SUPERSET_MOUNT = "/app/pythonpath/superset_config.py";
  static final String SUPERSET_IMPORT = "from flask_appbuilder.security.manager import AUTH_REMOTE_USER";

  private static final ResourceDefinitionContext INGRESS = ResourceDefinitionContext.fromResourceType(Ingress.class);
  private static final ResourceDefinitionContext CONFIG_MAP = ResourceDefinitionContext.fromResourceType(ConfigMap.class);
  private static final ResourceDefinitionContext DEPLOYMENT = ResourceDefinitionContext.fromResourceType(Deployment.class);

  /** Metadata the API server sets: never part of a snapshot, never restored. */
  private static final List<String> SERVER_SET = List.of("resourceVersion", "uid", "creationTimestamp", "generation",
      "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds");

  /**
   * Where things are that the service configuration does not name.
   *
   * @param ingressClass the class of an ingress this adapter creates when {@code cluster.ingressClass} names none
   * @param controllerNamespace the namespace of ingress-nginx's controller ConfigMap
   * @param controllerConfigMap that ConfigMap ({@code --configmap} of the controller)
   * @param pollEvery how often a rollout is looked at
   * @param rolloutTimeout how long a restart may take before it is reported as failed
   */
  public record Settings(String ingressClass, String controllerNamespace, String controllerConfigMap, Duration pollEvery,
      Duration rolloutTimeout) {

    /** The platform's: class {@code nginx}, {@code ingress-nginx/ingress-nginx-controller}, 300 s per restart. */
    public static Settings defaults() {
      return new Settings("nginx", "ingress-nginx", "ingress-nginx-controller", Duration.ofSeconds(2), Duration.ofMinutes(5));
    }

    public Settings withIngressClass(String ingressClass) {
      return new Settings(ingressClass, controllerNamespace, controllerConfigMap, pollEvery, rolloutTimeout);
    }

    public Settings withRollouts(Duration pollEvery, Duration rolloutTimeout) {
      return new Settings(ingressClass, controllerNamespace, controllerConfigMap, pollEvery, rolloutTimeout);
    }
  }

  private final KubernetesApi kube;
  private final KubernetesClient kubernetes;
  private final Settings settings;

  public KubernetesSsoIntegration(KubernetesClient kubernetes) {
    this(new KubernetesApi(kubernetes), Settings.defaults());
  }

  public KubernetesSsoIntegration(KubernetesApi kube, Settings settings) {
    this.kube = Objects.requireNonNull(kube, "kube");
    this.kubernetes = kube.client();
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  // ------------------------------------------------------------------------------------------ plan

  @Override
  public List<PlanItem> planIntegration(Sso sso, List<PlatformService> services) {
    requireConsistent(services);
    List<PlanItem> plan = new ArrayList<>();
    // Preflight: the controller setting and the header each service trusts now.
    PlanItem controller = controllerItem(services);
    if (controller != null) {
      plan.add(controller);
    }
    for (PlatformService s : withServiceAuth(services)) {
      plan.add(authConfigItem(s));
    }
    for (PlatformService s : protectedServices(services)) {
      plan.addAll(ingressItems(sso, s));
    }
    for (PlatformService s : withServiceAuth(services)) {
      plan.addAll(workloadItems(s));
    }
    return plan;
  }

  private PlanItem controllerItem(List<PlatformService> services) {
    List<PlatformService> needing = needUnderscores(services);
    if (needing.isEmpty()) {
      return null;
    }
    String target = settings.controllerNamespace() + "/" + settings.controllerConfigMap();
    ConfigMap cm = configMap(settings.controllerNamespace(), settings.controllerConfigMap());
    String value = cm == null || cm.getData() == null ? null : cm.getData().get(UNDERSCORES);
    String why = String.join(", ", needing.stream().map(PlatformService::id).toList()) + " pass "
        + String.join(", ", underscoreHeaders(needing)) + ", which ingress-nginx drops unless " + UNDERSCORES + " is \"true\"";
    if (cm == null) {
      return PlanItem.create("ConfigMap", target, UNDERSCORES + ": \"true\" — " + why
          + " (the controller must read this ConfigMap: its --configmap flag)");
    }
    if ("true".equals(value)) {
      return PlanItem.keep("ConfigMap", target, UNDERSCORES + ": \"true\"");
    }
    return PlanItem.update("ConfigMap", target, UNDERSCORES + " " + (value == null ? "unset" : "\"" + value + "\"")
        + " → \"true\": " + why);
  }

  private PlanItem authConfigItem(PlatformService s) {
    ServiceAuth auth = s.serviceAuth();
    AuthState state = authState(s);
    String target = s.namespace() + "/" + auth.configMap();
    String key = configKey(auth.kind());
    if (state.configMap() == null) {
      return PlanItem.create("ConfigMap", target, key + ": " + String.join(", ", state.edit().drift()));
    }
    String mismatch = mismatch(s, state.trusted());
    if (state.edit().drift().isEmpty()) {
      return PlanItem.keep("ConfigMap", target, key + ": " + s.displayName() + " trusts " + auth.userHeader()
          + ", which its ingress passes");
    }
    return PlanItem.update("ConfigMap", target, (mismatch == null ? "" : mismatch + "; ") + key + ": "
        + String.join(", ", state.edit().drift()));
  }

  private List<PlanItem> ingressItems(Sso sso, PlatformService s) {
    List<Ingress> serving = serving(s);
    String headers = String.join(",", responseHeaders(s));
    if (serving.isEmpty()) {
      return List.of(PlanItem.create("Ingress", s.namespace() + "/" + ingressName(s), "hosts " + String.join(", ", hosts(s))
          + " → " + s.backend().service() + ":" + s.backend().port() + ", Access auth (" + sso.teamDomain() + "), passes "
          + headers));
    }
    List<PlanItem> items = new ArrayList<>();
    for (Ingress ingress : serving) {
      String target = s.namespace() + "/" + ingress.getMetadata().getName();
      List<String> drift = protect(sso, s, ingress); // on the copy just read: nothing is written
      items.add(drift.isEmpty()
          ? PlanItem.keep("Ingress", target, "Access auth (" + sso.teamDomain() + "), passes " + headers)
          : PlanItem.update("Ingress", target, String.join(", ", drift)));
    }
    return items;
  }

  private List<PlanItem> workloadItems(PlatformService s) {
    ServiceAuth auth = s.serviceAuth();
    String hash = configHash(authState(s).desiredData());
    List<PlanItem> items = new ArrayList<>();
    for (String name : restartNames(auth)) {
      Deployment d = requireDeployment(s, name);
      List<String> changes = new ArrayList<>();
      if (auth.kind() == ServiceAuthKind.SUPERSET_REMOTE_USER) {
        changes.addAll(mount(d, auth));
      }
      if (!hash.equals(templateAnnotation(d, CONFIG_HASH))) {
        changes.add("restart with auth config " + hash + " (pod template " + RESTARTED_AT + ")");
      }
      String target = s.namespace() + "/" + name;
      items.add(changes.isEmpty() ? PlanItem.keep("Deployment", target, "runs auth config " + hash)
          : PlanItem.update("Deployment", target, String.join(", ", changes)));
    }
    return items;
  }

  // -------------------------------------------------------------------------------------- snapshot

  @Override
  public List<ObjectSnapshot> snapshotIntegration(Sso sso, List<PlatformService> services) {
    Map<String, ObjectSnapshot> snapshots = new LinkedHashMap<>();
    if (!needUnderscores(services).isEmpty()) {
      add(snapshots, snapshot("v1", "ConfigMap", CONFIG_MAP, settings.controllerNamespace(), settings.controllerConfigMap()));
    }
    for (PlatformService s : protectedServices(services)) {
      List<Ingress> serving = serving(s);
      List<String> names = serving.isEmpty() ? List.of(ingressName(s))
          : serving.stream().map(i -> i.getMetadata().getName()).toList();
      for (String name : names) {
        add(snapshots, snapshot("networking.k8s.io/v1", "Ingress", INGRESS, s.namespace(), name));
      }
    }
    for (PlatformService s : withServiceAuth(services)) {
      add(snapshots, snapshot("v1", "ConfigMap", CONFIG_MAP, s.namespace(), s.serviceAuth().configMap()));
      for (String name : restartNames(s.serviceAuth())) {
        add(snapshots, snapshot("apps/v1", "Deployment", DEPLOYMENT, s.namespace(), name));
      }
    }
    return List.copyOf(snapshots.values());
  }

  private static void add(Map<String, ObjectSnapshot> snapshots, ObjectSnapshot s) {
    snapshots.putIfAbsent(s.describe(), s);
  }

  private ObjectSnapshot snapshot(String apiVersion, String kind, ResourceDefinitionContext type, String namespace, String name) {
    GenericKubernetesResource current = kube.get(type, namespace, name);
    return new ObjectSnapshot(apiVersion, kind, namespace, name, current == null ? null : manifest(current));
  }

  /** The object as JSON without status and what the server sets (and the Deployment controller's revision). */
  String manifest(GenericKubernetesResource object) {
    @SuppressWarnings("unchecked")
    Map<String, Object> map = new LinkedHashMap<>(kubernetes.getKubernetesSerialization().convertValue(object, Map.class));
    map.remove("status");
    @SuppressWarnings("unchecked")
    Map<String, Object> metadata = new LinkedHashMap<>((Map<String, Object>) map.get("metadata"));
    SERVER_SET.forEach(metadata::remove);
    @SuppressWarnings("unchecked")
    Map<String, Object> annotations = (Map<String, Object>) metadata.get("annotations");
    if (annotations != null && annotations.containsKey(REVISION)) {
      annotations = new LinkedHashMap<>(annotations);
      annotations.remove(REVISION);
      if (annotations.isEmpty()) {
        metadata.remove("annotations");
      } else {
        metadata.put("annotations", annotations);
      }
    }
    map.put("metadata", metadata);
    return kubernetes.getKubernetesSerialization().asJson(map);
  }

  // ----------------------------------------------------------------------------------- ingress-nginx

  @Override
  public Changed.Result ensureIngressController(List<PlatformService> services) {
    List<PlatformService> needing = needUnderscores(services);
    String ns = settings.controllerNamespace();
    String name = settings.controllerConfigMap();
    String target = "ConfigMap " + ns + "/" + name;
    if (needing.isEmpty()) {
      return new Changed.Result(Change.UNCHANGED, "no protected service passes a header with an underscore: " + target
          + " left as it is");
    }
    ConfigMap cm = configMap(ns, name);
    if (cm == null) {
      ConfigMap created = new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns)
          .addToLabels(KubernetesApi.MANAGED_BY, KubernetesApi.MANAGER).endMetadata()
          .addToData(UNDERSCORES, "true").build();
      kube.call(KubernetesApi.Call.of("create", ConfigMap.class, ns, name),
          () -> kubernetes.configMaps().inNamespace(ns).resource(created).create());
      return new Changed.Result(Change.CREATED, target + " created with " + UNDERSCORES + ": \"true\" (make sure the"
          + " controller reads it: its --configmap flag)");
    }
    Map<String, String> data = cm.getData() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(cm.getData());
    if ("true".equals(data.get(UNDERSCORES))) {
      return new Changed.Result(Change.UNCHANGED, target + ": " + UNDERSCORES + " already \"true\"");
    }
    String was = data.get(UNDERSCORES);
    data.put(UNDERSCORES, "true");
    cm.setData(data);
    kube.update(cm);
    return new Changed.Result(Change.UPDATED, target + ": " + UNDERSCORES + " " + (was == null ? "unset" : "\"" + was + "\"")
        + " → \"true\"");
  }

  // ----------------------------------------------------------------------------------------- ingress

  @Override
  public Changed.Result applyIngress(Sso sso, Cluster cluster, PlatformService service) {
    if (!Boolean.TRUE.equals(service.ssoIngress())) {
      return new Changed.Result(Change.UNCHANGED, service.id() + ": ssoIngress false, its ingress is left as it is");
    }
    List<Ingress> serving = serving(service);
    if (serving.isEmpty()) {
      Ingress desired = newIngress(sso, service,
          cluster != null && cluster.ingressClass() != null ? cluster.ingressClass() : settings.ingressClass());
      kube.call(KubernetesApi.Call.of("create", Ingress.class, service.namespace(), desired.getMetadata().getName()),
          () -> kubernetes.network().v1().ingresses().inNamespace(service.namespace()).resource(desired).create());
      return new Changed.Result(Change.CREATED, "Ingress " + service.namespace() + "/" + desired.getMetadata().getName()
          + " created for " + String.join(", ", hosts(service)) + " with Access auth");
    }
    List<String> done = new ArrayList<>();
    for (Ingress ingress : serving) {
      List<String> drift = protect(sso, service, ingress);
      if (!drift.isEmpty()) {
        kube.update(ingress);
        done.add("Ingress " + service.namespace() + "/" + ingress.getMetadata().getName() + ": " + String.join(", ", drift));
      }
    }
    return done.isEmpty()
        ? new Changed.Result(Change.UNCHANGED, service.id() + ": every ingress of " + service.host() + " protected by Access")
        : new Changed.Result(Change.UPDATED, String.join("; ", done));
  }

  /** {@code cf-access-jwt-assertion} and the service's identity headers. */
  static List<String> responseHeaders(PlatformService s) {
    List<String> headers = new ArrayList<>();
    headers.add(JWT_HEADER);
    headers.addAll(s.identityHeaders().headers());
    return headers;
  }

  static Map<String, String> authAnnotations(Sso sso, PlatformService s) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put(AUTH_URL, "https://" + sso.teamDomain() + "/cdn-cgi/access/authorize");
    a.put(AUTH_SIGNIN, "https://" + sso.teamDomain() + "/cdn-cgi/access/login?redirect_url=$escaped_request_uri");
    a.put(AUTH_RESPONSE_HEADERS, String.join(",", responseHeaders(s)));
    a.put(SSL_REDIRECT, "true");
    a.put(FORCE_SSL_REDIRECT, "true");
    return a;
  }

  /** Puts the Access annotations and TLS for the service's hosts on {@code ingress} (in memory); what changed. */
  static List<String> protect(Sso sso, PlatformService s, Ingress ingress) {
    List<String> drift = new ArrayList<>();
    Map<String, String> annotations = ingress.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
        : new LinkedHashMap<>(ingress.getMetadata().getAnnotations());
    authAnnotations(sso, s).forEach((key, value) -> {
      String was = annotations.get(key);
      if (!value.equals(was)) {
        drift.add(key.substring(NGINX.length()) + " " + (was == null ? "(unset)" : was) + " → " + value);
        annotations.put(key, value);
      }
    });
    ingress.getMetadata().setAnnotations(annotations);
    Set<String> served = new LinkedHashSet<>();
    for (IngressRule rule : ingress.getSpec().getRules() == null ? List.<IngressRule>of() : ingress.getSpec().getRules()) {
      if (rule.getHost() != null && hosts(s).contains(rule.getHost())) {
        served.add(rule.getHost());
      }
    }
    List<IngressTLS> tls = ingress.getSpec().getTls() == null ? new ArrayList<>() : new ArrayList<>(ingress.getSpec().getTls());
    Set<String> covered = new LinkedHashSet<>();
    tls.forEach(t -> covered.addAll(t.getHosts() == null ? List.of() : t.getHosts()));
    List<String> missing = served.stream().filter(h -> !covered.contains(h)).toList();
    if (!missing.isEmpty()) {
      if (tls.isEmpty()) {
        tls.add(new IngressTLSBuilder().withHosts(missing).withSecretName(s.id() + "-tls").build());
      } else {
        List<String> hosts = new ArrayList<>(tls.get(0).getHosts() == null ? List.of() : tls.get(0).getHosts());
        hosts.addAll(missing);
        tls.set(0, new IngressTLSBuilder(tls.get(0)).withHosts(hosts).build());
      }
      ingress.getSpec().setTls(tls);
      drift.add("tls + " + String.join(", ", missing));
    }
    return drift;
  }

  /** The ingress of a service that has none: its hosts, paths and backend, Access auth, TLS. */
  private Ingress newIngress(Sso sso, PlatformService s, String ingressClass) {
    List<IngressRule> rules = new ArrayList<>();
    for (String host : hosts(s)) {
      List<HTTPIngressPath> paths = new ArrayList<>();
      for (PlatformService.PathRoute route : s.paths()) {
        paths.add(path(route.path(), route.service(), route.port()));
      }
      paths.add(path("/", s.backend().service(), s.backend().port()));
      rules.add(new IngressRuleBuilder().withHost(host).withNewHttp().withPaths(paths).endHttp().build());
    }
    return new IngressBuilder()
        .withNewMetadata().withName(ingressName(s)).withNamespace(s.namespace())
        .addToLabels(KubernetesApi.MANAGED_BY, KubernetesApi.MANAGER).addToLabels("app", s.id())
        .withAnnotations(authAnnotations(sso, s)).endMetadata()
        .withNewSpec().withIngressClassName(ingressClass)
        .addNewTl().withHosts(hosts(s)).withSecretName(s.id() + "-tls").endTl()
        .withRules(rules).endSpec()
        .build();
  }

  private static HTTPIngressPath path(String path, String service, Integer port) {
    return new HTTPIngressPathBuilder().withPath(path).withPathType("Prefix")
        .withNewBackend().withNewService().withName(service).withNewPort().withNumber(port).endPort().endService().endBackend()
        .build();
  }

  /** The ingresses in the service's namespace that serve its host or an alias; {@code <id>-ingress} first. */
  private List<Ingress> serving(PlatformService s) {
    List<Ingress> all = kube.call(KubernetesApi.Call.list(Ingress.class, s.namespace()),
        () -> kubernetes.network().v1().ingresses().inNamespace(s.namespace()).list().getItems());
    List<String> hosts = hosts(s);
    List<Ingress> serving = new ArrayList<>();
    for (Ingress ingress : all) {
      List<IngressRule> rules = ingress.getSpec() == null || ingress.getSpec().getRules() == null ? List.of()
          : ingress.getSpec().getRules();
      if (rules.stream().anyMatch(r -> r.getHost() != null && hosts.contains(r.getHost()))) {
        serving.add(ingress);
      }
    }
    serving.sort((a, b) -> Boolean.compare(!ingressName(s).equals(a.getMetadata().getName()),
        !ingressName(s).equals(b.getMetadata().getName())));
    return serving;
  }

  private static String ingressName(PlatformService s) {
    return s.id() + "-ingress";
  }

  private static List<String> hosts(PlatformService s) {
    List<String> hosts = new ArrayList<>();
    hosts.add(s.host());
    hosts.addAll(s.aliases());
    return hosts;
  }

  // ------------------------------------------------------------------------------------ service auth

  @Override
  public Changed.Result configureServiceAuth(PlatformService service) {
    ServiceAuth auth = service.serviceAuth();
    if (auth == null) {
      return new Changed.Result(Change.UNCHANGED, service.id() + ": no service-side header auth configured");
    }
    requireConsistent(List.of(service));
    AuthState state = authState(service);
    String key = configKey(auth.kind());
    String target = "ConfigMap " + service.namespace() + "/" + auth.configMap();
    List<String> done = new ArrayList<>();
    Change change = Change.UNCHANGED;
    if (state.configMap() == null) {
      ConfigMap created = new ConfigMapBuilder().withNewMetadata().withName(auth.configMap()).withNamespace(service.namespace())
          .addToLabels(KubernetesApi.MANAGED_BY, KubernetesApi.MANAGER).addToLabels("app", service.id()).endMetadata()
          .withData(state.desiredData()).build();
      kube.call(KubernetesApi.Call.of("create", ConfigMap.class, service.namespace(), auth.configMap()),
          () -> kubernetes.configMaps().inNamespace(service.namespace()).resource(created).create());
      done.add(target + " created (" + key + ": " + String.join(", ", state.edit().drift()) + ")");
      change = Change.CREATED;
    } else if (!state.edit().drift().isEmpty()) {
      state.configMap().setData(state.desiredData());
      kube.update(state.configMap());
      done.add(target + ": " + key + " " + String.join(", ", state.edit().drift()));
      change = Change.UPDATED;
    }
    if (auth.kind() == ServiceAuthKind.SUPERSET_REMOTE_USER) {
      for (String name : restartNames(auth)) {
        Deployment d = requireDeployment(service, name);
        List<String> mounted = mount(d, auth);
        if (!mounted.isEmpty()) {
          kube.update(d);
          done.add("Deployment " + service.namespace() + "/" + name + ": " + String.join(", ", mounted));
          change = change == Change.UNCHANGED ? Change.UPDATED : change;
        }
      }
    }
    return done.isEmpty()
        ? new Changed.Result(Change.UNCHANGED, service.id() + ": trusts " + auth.userHeader() + " as configured")
        : new Changed.Result(change, String.join("; ", done));
  }

  /** The ConfigMap of a service's header auth as it is and as the configuration wants it. */
  private record AuthState(ConfigMap configMap, Trusted trusted, Edit edit, Map<String, String> desiredData) {}

  /** What a service's auth trusts: the header (Superset: its WSGI environ key), or null when header auth is off; where that is set. */
  record Trusted(String header, String where) {}

  /** A configuration text after the change, and the settings that changed ({@code [auth.proxy] header_name A → B}). */
  record Edit(String text, List<String> drift) {}

  private AuthState authState(PlatformService s) {
    ServiceAuth auth = s.serviceAuth();
    ConfigMap cm = configMap(s.namespace(), auth.configMap());
    Map<String, String> data = cm == null || cm.getData() == null ? Map.of() : cm.getData();
    String key = configKey(auth.kind());
    Edit edit = edit(auth, data.get(key));
    Map<String, String> desired = new LinkedHashMap<>(data);
    desired.put(key, edit.text());
    return new AuthState(cm, trusted(auth.kind(), data.get(key)), edit, desired);
  }

  static String configKey(ServiceAuthKind kind) {
    return kind == ServiceAuthKind.GRAFANA_AUTH_PROXY ? GRAFANA_INI : SUPERSET_CONFIG;
  }

  static Trusted trusted(ServiceAuthKind kind, String text) {
    if (kind == ServiceAuthKind.GRAFANA_AUTH_PROXY) {
      String enabled = ConfigText.Ini.get(text, "auth.proxy", "enabled");
      if (!"true".equalsIgnoreCase(enabled)) {
        return new Trusted(null, "grafana.ini [auth.proxy] enabled = " + (enabled == null ? "(unset)" : enabled));
      }
      String header = ConfigText.Ini.get(text, "auth.proxy", "header_name");
      return new Trusted(header == null ? "X-WEBAUTH-USER" : header, "grafana.ini [auth.proxy] header_name");
    }
    String type = ConfigText.Python.get(text, "AUTH_TYPE");
    if (!remoteUser(type)) {
      return new Trusted(null, "superset_config.py AUTH_TYPE = " + (type == null ? "(unset)" : type));
    }
    String env = ConfigText.Python.unquoted(ConfigText.Python.get(text, "AUTH_REMOTE_USER_ENV_VAR"));
    return new Trusted(env == null ? "REMOTE_USER" : env, "superset_config.py AUTH_REMOTE_USER_ENV_VAR");
  }

  private static boolean remoteUser(String authType) {
    return "3".equals(authType) || "AUTH_REMOTE_USER".equals(authType);
  }

  /** Whether a service whose auth trusts {@code trusted} is sent it as {@code header}. */
  static boolean trusts(ServiceAuthKind kind, String trusted, String header) {
    return kind == ServiceAuthKind.GRAFANA_AUTH_PROXY ? trusted.equalsIgnoreCase(header)
        : trusted.equals(ConfigText.wsgiEnviron(header));
  }

  /** The preflight finding for a service whose auth trusts a header its ingress will not pass; null when consistent. */
  private String mismatch(PlatformService s, Trusted trusted) {
    ServiceAuth auth = s.serviceAuth();
    List<String> passed = s.identityHeaders().headers();
    if (trusted.header() == null || passed.stream().anyMatch(h -> trusts(auth.kind(), trusted.header(), h))) {
      return null;
    }
    Set<String> now = new LinkedHashSet<>();
    for (Ingress ingress : serving(s)) {
      Map<String, String> a = ingress.getMetadata().getAnnotations();
      if (a != null && a.get(AUTH_RESPONSE_HEADERS) != null) {
        now.add(a.get(AUTH_RESPONSE_HEADERS));
      }
    }
    String fix = auth.kind() == ServiceAuthKind.GRAFANA_AUTH_PROXY ? "header_name = " + auth.userHeader()
        : "AUTH_REMOTE_USER_ENV_VAR = " + ConfigText.wsgiEnviron(auth.userHeader()) + " (the header " + auth.userHeader() + ")";
    return "header mismatch: " + s.displayName() + " trusts " + trusted.header() + " (" + trusted.where() + ") but its ingress"
        + " passes " + String.join(", ", passed) + " (services[" + s.id() + "].identityHeaders: " + s.identityHeaders().yaml()
        + "; now " + (now.isEmpty() ? "no identity headers" : String.join(" | ", now)) + "); fix: " + fix
        + " (services[" + s.id() + "].serviceAuth.userHeader)";
  }

  /** The configuration text with the settings the service's header auth needs. */
  static Edit edit(ServiceAuth auth, String text) {
    String current = text == null ? "" : text;
    List<String> drift = new ArrayList<>();
    if (auth.kind() == ServiceAuthKind.GRAFANA_AUTH_PROXY) {
      String[][] settings = {
          {"auth.proxy", "enabled", "true"},
          {"auth.proxy", "header_name", auth.userHeader()},
          {"auth.proxy", "header_property", "username"},
          {"auth.proxy", "auto_sign_up", "true"},
          {"auth", "disable_login_form", "true"}};
      for (String[] s : settings) {
        String was = ConfigText.Ini.get(current, s[0], s[1]);
        if (!s[2].equalsIgnoreCase(was)) {
          current = ConfigText.Ini.set(current, s[0], s[1], s[2]);
          drift.add("[" + s[0] + "] " + s[1] + " " + (was == null ? "(unset)" : was) + " → " + s[2]);
        }
      }
      return new Edit(current, drift);
    }
    String type = ConfigText.Python.get(current, "AUTH_TYPE");
    if (!remoteUser(type)) {
      current = ConfigText.Python.set(ConfigText.Python.ensureLine(current, SUPERSET_IMPORT), "AUTH_TYPE", "AUTH_REMOTE_USER");
      drift.add("AUTH_TYPE " + (type == null ? "(unset)" : type) + " → AUTH_REMOTE_USER");
    }
    String env = ConfigText.Python.get(current, "AUTH_REMOTE_USER_ENV_VAR");
    String wanted = ConfigText.wsgiEnviron(auth.userHeader());
    if (!wanted.equals(ConfigText.Python.unquoted(env))) {
      current = ConfigText.Python.set(current, "AUTH_REMOTE_USER_ENV_VAR", ConfigText.Python.quoted(wanted));
      drift.add("AUTH_REMOTE_USER_ENV_VAR " + (env == null ? "(unset)" : env) + " → \"" + wanted + "\" (the header "
          + auth.userHeader() + ")");
    }
    String proxyFix = ConfigText.Python.get(current, "ENABLE_PROXY_FIX");
    if (!"True".equals(proxyFix)) {
      current = ConfigText.Python.set(current, "ENABLE_PROXY_FIX", "True");
      drift.add("ENABLE_PROXY_FIX " + (proxyFix == null ? "(unset)" : proxyFix) + " → True");
    }
    return new Edit(current, drift);
  }

  /** Mounts the Superset configuration into the Deployment (in memory); what changed. */
  static List<String> mount(Deployment d, ServiceAuth auth) {
    List<String> drift = new ArrayList<>();
    var pod = d.getSpec().getTemplate().getSpec();
    List<Volume> volumes = pod.getVolumes() == null ? new ArrayList<>() : new ArrayList<>(pod.getVolumes());
    Volume volume = volumes.stream().filter(v -> SUPERSET_VOLUME.equals(v.getName())).findFirst().orElse(null);
    if (volume == null || volume.getConfigMap() == null || !auth.configMap().equals(volume.getConfigMap().getName())) {
      volumes.removeIf(v -> SUPERSET_VOLUME.equals(v.getName()));
      volumes.add(new VolumeBuilder().withName(SUPERSET_VOLUME).withNewConfigMap().withName(auth.configMap()).endConfigMap().build());
      pod.setVolumes(volumes);
      drift.add("volume " + SUPERSET_VOLUME + " from ConfigMap " + auth.configMap());
    }
    String deployment = d.getMetadata().getName();
    Container container = pod.getContainers().stream().filter(c -> deployment.equals(c.getName())).findFirst()
        .orElse(pod.getContainers().get(0));
    VolumeMount wanted = new VolumeMountBuilder().withName(SUPERSET_VOLUME).withMountPath(SUPERSET_MOUNT)
        .withSubPath(SUPERSET_CONFIG).withReadOnly(true).build();
    List<VolumeMount> mounts = container.getVolumeMounts() == null ? new ArrayList<>() : new ArrayList<>(container.getVolumeMounts());
    VolumeMount mount = mounts.stream().filter(m -> SUPERSET_VOLUME.equals(m.getName())).findFirst().orElse(null);
    if (mount == null || !SUPERSET_MOUNT.equals(mount.getMountPath()) || !SUPERSET_CONFIG.equals(mount.getSubPath())
        || !Boolean.TRUE.equals(mount.getReadOnly())) {
      mounts.removeIf(m -> SUPERSET_VOLUME.equals(m.getName()));
      mounts.add(wanted);
      container.setVolumeMounts(mounts);
      drift.add("mounted at " + SUPERSET_MOUNT + " in container " + container.getName());
    }
    return drift;
  }

  // -------------------------------------------------------------------------------------- restarts

  @Override
  public Verification restartAndWait(PlatformService service) {
    ServiceAuth auth = service.serviceAuth();
    if (auth == null || auth.restart().isEmpty()) {
      return Verification.passed(service.id() + ": no workloads to restart");
    }
    String ns = service.namespace();
    ConfigMap cm = configMap(ns, auth.configMap());
    String hash = configHash(cm == null || cm.getData() == null ? Map.of() : cm.getData());
    List<String> names = restartNames(auth);
    List<String> started = new ArrayList<>();
    for (String name : names) {
      Deployment d = deployment(ns, name);
      if (d == null) {
        return Verification.failed("Deployment " + ns + "/" + name + " (services[" + service.id() + "].serviceAuth.restart)"
            + " not found: deploy it, or remove it from serviceAuth.restart");
      }
      // Keyed on the configuration, not on this attempt: a retried activity does not restart again.
      if (!hash.equals(templateAnnotation(d, CONFIG_HASH))) {
        PodTemplateSpec template = d.getSpec().getTemplate();
        Map<String, String> annotations = template.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
            : new LinkedHashMap<>(template.getMetadata().getAnnotations());
        annotations.put(RESTARTED_AT, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        annotations.put(CONFIG_HASH, hash);
        template.getMetadata().setAnnotations(annotations);
        kube.update(d);
        started.add(name);
      }
    }
    String what = started.isEmpty() ? "already running auth config " + hash + " (not restarted)"
        : "restarted " + String.join(", ", started) + " for auth config " + hash;
    long deadline = System.nanoTime() + settings.rolloutTimeout().toNanos();
    long wait = Math.min(Duration.ofMillis(250).toNanos(), settings.pollEvery().toNanos());
    while (true) {
      List<String> waiting = new ArrayList<>();
      List<String> states = new ArrayList<>();
      for (String name : names) {
        Deployment d = deployment(ns, name);
        String state = d == null ? "deleted meanwhile" : rolloutState(d);
        if (state != null) {
          waiting.add(name);
          states.add("Deployment " + ns + "/" + name + ": " + state);
        } else {
          states.add("Deployment " + ns + "/" + name + ": " + ready(d));
        }
      }
      if (waiting.isEmpty()) {
        return Verification.passed(service.id() + ": " + what + "; " + String.join("; ", states));
      }
      if (System.nanoTime() >= deadline) {
        return Verification.failed(service.id() + ": " + what + "; not rolled out after " + seconds(settings.rolloutTimeout())
            + ": " + String.join("; ", states) + ". See kubectl -n " + ns + " rollout status deployment/" + waiting.get(0)
            + " and kubectl -n " + ns + " describe pods -l app=" + waiting.get(0));
      }
      KubernetesApi.heartbeat(service.id() + ": waiting for " + String.join(", ", waiting));
      LockSupport.parkNanos(wait);
      wait = Math.min(wait * 2, settings.pollEvery().toNanos());
    }
  }

  /**
   * Null when the rollout is complete (the new spec observed, every replica updated and ready, no old
   * ones left); else the rollout's state with the controller's Progressing condition.
   */
  static String rolloutState(Deployment d) {
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    var s = d.getStatus();
    long observed = s == null || s.getObservedGeneration() == null ? 0 : s.getObservedGeneration();
    if (observed < generation) {
      return "generation " + generation + " not observed yet (observed " + observed + ")";
    }
    int updated = s.getUpdatedReplicas() == null ? 0 : s.getUpdatedReplicas();
    int replicas = s.getReplicas() == null ? 0 : s.getReplicas();
    int ready = s.getReadyReplicas() == null ? 0 : s.getReadyReplicas();
    if (updated == want && replicas == want && ready == want) {
      return null;
    }
    DeploymentCondition progressing = s.getConditions() == null ? null : s.getConditions().stream()
        .filter(c -> "Progressing".equals(c.getType())).findFirst().orElse(null);
    return updated + " of " + want + " updated, " + ready + " ready, " + replicas + " replicas (generation " + generation + ")"
        + (progressing == null ? "" : ", Progressing " + progressing.getStatus() + " (" + progressing.getReason() + ")"
            + (progressing.getMessage() == null ? "" : ": " + KubernetesApi.firstLine(progressing.getMessage())));
  }

  private static String ready(Deployment d) {
    int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    return want + " of " + want + " ready (generation " + d.getMetadata().getGeneration() + ")";
  }

  /** A short hash of a ConfigMap's data (keys sorted): what the pods are restarted for. */
  static String configHash(Map<String, String> data) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      new TreeMap<>(data).forEach((k, v) -> {
        sha.update(k.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(String.valueOf(v).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      });
      return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String templateAnnotation(Deployment d, String key) {
    Map<String, String> a = d.getSpec().getTemplate().getMetadata() == null ? null
        : d.getSpec().getTemplate().getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  // --------------------------------------------------------------------------------------- restore

  @Override
  public Changed.Result restoreSnapshots(List<ObjectSnapshot> snapshots) {
    List<String> done = new ArrayList<>();
    for (ObjectSnapshot s : snapshots) {
      ResourceDefinitionContext type = type(s);
      GenericKubernetesResource current = kube.get(type, s.namespace(), s.name());
      if (!s.existed()) {
        if (current != null) {
          kube.delete(type, s.namespace(), s.name());
          done.add(s.describe() + " deleted (it did not exist before)");
        }
        continue;
      }
      GenericKubernetesResource before = kubernetes.getKubernetesSerialization().unmarshal(s.manifest(),
          GenericKubernetesResource.class);
      if (current == null) {
        kube.call(KubernetesApi.Call.of("create", type, s.namespace(), s.name()),
            () -> kube.resources(type, s.namespace()).resource(before).create());
        done.add(s.describe() + " created again");
      } else if (!s.manifest().equals(manifest(current))) {
        before.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
        String revision = current.getMetadata().getAnnotations() == null ? null : current.getMetadata().getAnnotations().get(REVISION);
        if (revision != null) {
          // The Deployment controller's: left as it is now.
          Map<String, String> annotations = before.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
              : new LinkedHashMap<>(before.getMetadata().getAnnotations());
          annotations.put(REVISION, revision);
          before.getMetadata().setAnnotations(annotations);
        }
        kube.call(KubernetesApi.Call.of("update", type, s.namespace(), s.name()),
            () -> kube.resources(type, s.namespace()).resource(before).update());
        done.add(s.describe() + " put back");
      }
    }
    return done.isEmpty()
        ? new Changed.Result(Change.UNCHANGED, "every object as its snapshot recorded it")
        : new Changed.Result(Change.UPDATED, String.join("; ", done));
  }

  private static ResourceDefinitionContext type(ObjectSnapshot s) {
    return switch (s.kind()) {
      case "Ingress" -> INGRESS;
      case "ConfigMap" -> CONFIG_MAP;
      case "Deployment" -> DEPLOYMENT;
      default -> throw ApplicationFailure.newNonRetryableFailure("cannot restore " + s.describe() + ": sso-integration"
          + " snapshots only Ingresses, ConfigMaps and Deployments", "UnsupportedSnapshot");
    };
  }

  // ------------------------------------------------------------------------------------ configuration

  /**
   * Fails, not retried, when a service's configuration cannot work whatever the cluster holds: its
   * auth would trust a header its ingress does not pass.
   */
  static void requireConsistent(List<PlatformService> services) {
    for (PlatformService s : withServiceAuth(services)) {
      ServiceAuth auth = s.serviceAuth();
      String key = "services[" + s.id() + "].serviceAuth";
      if (auth.kind() == null || auth.configMap() == null || auth.userHeader() == null) {
        throw ApplicationFailure.newNonRetryableFailure(key + " needs kind, configMap and userHeader; set them in the"
            + " platform configuration, then plan again", "SsoConfigInconsistent");
      }
      List<String> passed = s.identityHeaders().headers();
      if (passed.stream().noneMatch(h -> h.equalsIgnoreCase(auth.userHeader()))) {
        List<String> variants = Arrays.stream(IdentityHeaders.values())
            .filter(v -> v.headers().stream().anyMatch(h -> h.equalsIgnoreCase(auth.userHeader())))
            .map(IdentityHeaders::yaml).toList();
        throw ApplicationFailure.newNonRetryableFailure(s.displayName() + " (" + s.id() + "): " + key + ".userHeader is "
            + auth.userHeader() + ", but services[" + s.id() + "].identityHeaders (" + s.identityHeaders().yaml() + ") passes "
            + (passed.isEmpty() ? "no identity headers" : String.join(", ", passed)) + ": the service would trust a header its"
            + " ingress never sends. Set " + key + ".userHeader to " + (passed.isEmpty() ? "a header the ingress passes"
                : "one of " + String.join(", ", passed)) + (variants.isEmpty() ? "" : ", or services[" + s.id()
                + "].identityHeaders to " + String.join(" or ", variants)) + ", then plan again", "SsoConfigInconsistent");
      }
    }
  }

  private static List<PlatformService> protectedServices(List<PlatformService> services) {
    return services.stream().filter(s -> Boolean.TRUE.equals(s.ssoIngress())).toList();
  }

  private static List<PlatformService> withServiceAuth(List<PlatformService> services) {
    return services.stream().filter(s -> s.serviceAuth() != null).toList();
  }

  /** The protected services that pass a header with an underscore. */
  private static List<PlatformService> needUnderscores(List<PlatformService> services) {
    return protectedServices(services).stream()
        .filter(s -> s.identityHeaders().headers().stream().anyMatch(h -> h.contains("_"))).toList();
  }

  private static List<String> underscoreHeaders(List<PlatformService> services) {
    Set<String> headers = new LinkedHashSet<>();
    services.forEach(s -> s.identityHeaders().headers().stream().filter(h -> h.contains("_")).forEach(headers::add));
    return List.copyOf(headers);
  }

  /** The Deployment names of {@code serviceAuth.restart} ({@code deployment/x} or {@code x}). */
  private static List<String> restartNames(ServiceAuth auth) {
    return auth.restart().stream().map(r -> r.startsWith("deployment/") ? r.substring("deployment/".length()) : r).toList();
  }

  // ------------------------------------------------------------------------------------------ reads

  private ConfigMap configMap(String namespace, String name) {
    return kube.call(KubernetesApi.Call.of("get", ConfigMap.class, namespace, name),
        () -> kubernetes.configMaps().inNamespace(namespace).withName(name).get());
  }

  private Deployment deployment(String namespace, String name) {
    return kube.call(KubernetesApi.Call.of("get", Deployment.class, namespace, name),
        () -> kubernetes.apps().deployments().inNamespace(namespace).withName(name).get());
  }

  private Deployment requireDeployment(PlatformService s, String name) {
    Deployment d = deployment(s.namespace(), name);
    if (d == null) {
      throw ApplicationFailure.newNonRetryableFailure("Deployment " + s.namespace() + "/" + name + " (services[" + s.id()
          + "].serviceAuth.restart) not found: deploy " + s.displayName() + " there, or correct serviceAuth.restart, then plan"
          + " again", "WorkloadMissing");
    }
    return d;
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
