package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;

/**
 * A web service of the platform, as the SSO runbooks and the readiness check see it.
 *
 * @param id short id ({@code grafana}); Access apps refer to it
 * @param displayName human name ({@code Grafana})
 * @param namespace where its Service and workloads live
 * @param host public host name
 * @param aliases further host names served by the same ingress (the portal's {@code www})
 * @param backend the ingress backend
 * @param paths extra path routes on the same host (DataHub {@code /api} → gms)
 * @param healthPath path that answers 2xx when healthy (through Access with a service token); null: none
 * @param identityHeaders which identity headers the ingress passes to the service
 * @param ssoIngress whether the runbook puts Access auth annotations on its ingress (false for the portal)
 * @param serviceAuth service-side header authentication to configure; null: none
 * @param workloads {@code deployment/<name>} or {@code statefulset/<name>} to check for readiness;
 *     empty: the backend Service's ready endpoints are checked instead
 * @param latencyBudget overrides {@code sso.validation.latencyBudget} for this host
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlatformService(
    String id,
    String displayName,
    String namespace,
    String host,
    List<String> aliases,
    Backend backend,
    List<PathRoute> paths,
    String healthPath,
    IdentityHeaders identityHeaders,
    Boolean ssoIngress,
    ServiceAuth serviceAuth,
    List<String> workloads,
    String latencyBudget) {

  public PlatformService {
    aliases = Immutable.list(aliases);
    paths = Immutable.list(paths);
    workloads = Immutable.list(workloads);
    identityHeaders = identityHeaders == null ? IdentityHeaders.NONE : identityHeaders;
    ssoIngress = ssoIngress == null ? Boolean.TRUE : ssoIngress;
  }

  /** An ingress backend: a Service of the same namespace and its port. */
  public record Backend(String service, Integer port) {}

  /** A path on the service's host routed to another backend. */
  public record PathRoute(String path, String service, Integer port) {}

  /**
   * Header-based login inside the service, so that the user Access authenticated is the user the
   * service sees.
   *
   * @param kind how the service is configured
   * @param configMap the ConfigMap holding that configuration
   * @param userHeader the header the service trusts; must be one the ingress passes ({@link #identityHeaders})
   * @param restart Deployments restarted after the change
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ServiceAuth(ServiceAuthKind kind, String configMap, String userHeader, List<String> restart) {
    public ServiceAuth {
      restart = Immutable.list(restart);
    }
  }

  /** The kinds of service-side header authentication the runbook can configure. */
  public enum ServiceAuthKind {
    /** Grafana {@code [auth.proxy]} in {@code grafana.ini}. */
    GRAFANA_AUTH_PROXY("grafana-auth-proxy"),
    /** Superset {@code AUTH_TYPE = AUTH_REMOTE_USER} with a proxy fix. */
    SUPERSET_REMOTE_USER("superset-remote-user");

    private final String yaml;

    ServiceAuthKind(String yaml) {
      this.yaml = yaml;
    }

    @JsonValue
    public String yaml() {
      return yaml;
    }

    @JsonCreator
    public static ServiceAuthKind fromYaml(String value) {
      for (ServiceAuthKind k : values()) {
        if (k.yaml.equals(value)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown service auth kind " + value);
    }
  }

  /** The identity-header variants of the platform's ingress configuration snippets. */
  public enum IdentityHeaders {
    /** {@code X-WEBAUTH-USER}, {@code X-WEBAUTH-EMAIL}, {@code X-WEBAUTH-GROUPS} (most services). */
    X_WEBAUTH("x-webauth", List.of("X-WEBAUTH-USER", "X-WEBAUTH-EMAIL", "X-WEBAUTH-GROUPS")),
    /** {@code CF_Access-User}, {@code CF_Access-Groups} (LakeFS, Superset, MLflow). */
    CF_ACCESS("cf-access", List.of("CF_Access-User", "CF_Access-Groups")),
    /** No identity headers (the portal). */
    NONE("none", List.of());

    private final String yaml;
    private final List<String> headers;

    IdentityHeaders(String yaml, List<String> headers) {
      this.yaml = yaml;
      this.headers = headers;
    }

    @JsonValue
    public String yaml() {
      return yaml;
    }

    /** The header names the ingress passes, user header first. */
    public List<String> headers() {
      return headers;
    }

    @JsonCreator
    public static IdentityHeaders fromYaml(String value) {
      for (IdentityHeaders h : values()) {
        if (h.yaml.equals(value)) {
          return h;
        }
      }
      throw new IllegalArgumentException("unknown identity header variant " + value);
    }
  }
}
