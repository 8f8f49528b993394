package io.carbon254.runbook.config;

import static io.carbon254.runbook.config.InvalidConfigTest.assertRow;
import static io.carbon254.runbook.config.InvalidConfigTest.row;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every validation rule of every section, one broken file each: each row changes one place of the
 * default file and lists the exact problems an operator sees, each with its path; a row without
 * problems is a value at the edge of a rule that must still be accepted. {@link InvalidConfigTest}
 * has the loader's own problems (unknown keys, types, YAML) and the cross-checks.
 */
class SectionRulesTest {

  static final String K8S_NAME = "must be a Kubernetes name (lowercase letters, digits, '-', '.')";
  static final String K8S_LABEL = "must be a Kubernetes name (lowercase letters, digits, '-'; at most 63)";
  static final String EXAMPLES = "(use e.g. 90s, 30m, 4h, 3d, 1h30m, 500ms)";
  static final String NAMESPACES = "(namespaces: data-platform, monitoring, registry, cert-manager, cloudflare-tunnel, "
      + "ingress-nginx, velero, vault-prod, kube-system)";

  static Stream<Arguments> topLevelAndCluster() {
    return Stream.of(
        row("baseDomain: 254carbon.com", "baseDomain: 254carbon", "baseDomain: must be a hostname, got '254carbon'"),
        row("  - kube-system\n", "  - kube_system\n", "namespaces[8]: " + K8S_LABEL + ", got 'kube_system'"),
        row("  - vault-prod\n  - kube-system\n", "  - vault-prod\n  - velero\n", "namespaces[8]: duplicate namespace 'velero'"),
        row("  - busybox:latest", "  - BusyBox:latest",
            "images[32]: must be an image reference like registry/repository:tag, got 'BusyBox:latest'"),
        row("  # controlPlaneEndpoint: 192.168.1.10:6443", "  controlPlaneEndpoint: 192.168.1.10",
            "cluster.controlPlaneEndpoint: must be host:port, got '192.168.1.10'"),
        row("  # controlPlaneEndpoint: 192.168.1.10:6443", "  controlPlaneEndpoint: 192.168.1.10:65536",
            "cluster.controlPlaneEndpoint: must be host:port, got '192.168.1.10:65536'"),
        row("  # controlPlaneEndpoint: 192.168.1.10:6443", "  controlPlaneEndpoint: 192.168.1.10:0",
            "cluster.controlPlaneEndpoint: must be host:port, got '192.168.1.10:0'"),
        row("  # controlPlaneEndpoint: 192.168.1.10:6443", "  controlPlaneEndpoint: 192.168.1.10:65535"),
        row("  # controlPlaneEndpoint: 192.168.1.10:6443", "  controlPlaneEndpoint: \"[fd00::10]:1\""),
        row("  serviceCidr: 10.96.0.0/12", "  serviceCidr: 10.96.0.256/12",
            "cluster.serviceCidr: must be an IPv4 CIDR like 10.244.0.0/16, got '10.96.0.256/12'"),
        row("  podCidr: 10.244.0.0/16", "  podCidr: 10.244.0.0/33",
            "cluster.podCidr: must be an IPv4 CIDR like 10.244.0.0/16, got '10.244.0.0/33'"),
        row("  podCidr: 10.244.0.0/16", "  podCidr: 255.255.255.255/32"),
        row("  ingressClass: nginx", "  ingressClass: Nginx", "cluster.ingressClass: " + K8S_NAME + ", got 'Nginx'"));
  }

  static Stream<Arguments> services() {
    return Stream.of(
        row("  - id: lakefs", "  - id: LakeFS",
            "services[9].id: must be lowercase letters, digits and '-', got 'LakeFS'",
            "sso.apps[9].service: unknown service 'lakefs' (services: LakeFS, datahub, dolphinscheduler, doris, grafana, "
                + "minio, portal, superset, trino, vault)"),
        row("    namespace: monitoring\n    host: grafana", "    namespace: Monitoring\n    host: grafana",
            "services[1].namespace: " + K8S_LABEL + ", got 'Monitoring'"),
        row("    namespace: monitoring\n    host: grafana", "    namespace: kafka\n    host: grafana",
            "services[1].namespace: 'kafka' is not one of the platform namespaces " + NAMESPACES),
        row("    host: trino.254carbon.com\n", "    host: trino.example.org\n",
            "services[4].host: must be 254carbon.com or under it (baseDomain), got 'trino.example.org'"),
        row("    host: lakefs.254carbon.com\n", "    host: trino.254carbon.com\n",
            "services[9].host: duplicate host 'trino.254carbon.com'"),
        row("aliases: [www.254carbon.com, portal.254carbon.com]", "aliases: [www.254carbon.com, portal.254carbon.org]",
            "services[0].aliases[1]: must be 254carbon.com or under it (baseDomain), got 'portal.254carbon.org'"),
        row("backend: {service: grafana, port: 3000}", "backend: {service: grafana_svc, port: 3000}",
            "services[1].backend.service: " + K8S_LABEL + ", got 'grafana_svc'"),
        row("backend: {service: trino, port: 8080}", "backend: {service: trino, port: 65536}",
            "services[4].backend.port: must be a port number 1-65535, got 65536"),
        row("backend: {service: trino, port: 8080}", "backend: {service: trino, port: 0}",
            "services[4].backend.port: must be a port number 1-65535, got 0"),
        row("backend: {service: trino, port: 8080}", "backend: {service: trino, port: 65535}"),
        row("backend: {service: doris-fe-service, port: 8030}", "backend: {service: doris-fe-service, port: 1}"),
        row("backend: {service: lakefs, port: 8000}", "backend: {service: lakefs}",
            "services[9].backend.port: must be set"),
        row("{path: /api, service: datahub-gms, port: 8080}", "{path: api, service: Datahub-GMS, port: 8080}",
            "services[3].paths[0].path: must be a URL path starting with '/', got 'api'",
            "services[3].paths[0].service: " + K8S_LABEL + ", got 'Datahub-GMS'"),
        row("{path: /api, service: datahub-gms, port: 8080}", "{service: datahub-gms, port: 8080}",
            "services[3].paths[0].path: must be set"),
        row("    healthPath: /v1/info", "    healthPath: v1/info",
            "services[4].healthPath: must be a URL path starting with '/', got 'v1/info'"),
        row("    healthPath: /v1/info", "    healthPath: /v1/info now",
            "services[4].healthPath: must be a URL path starting with '/', got '/v1/info now'"),
        row("      configMap: grafana-config", "      configMap: Grafana.ini",
            "services[1].serviceAuth.configMap: " + K8S_NAME + ", got 'Grafana.ini'"),
        row("      configMap: grafana-config\n", "",
            "services[1].serviceAuth.configMap: must be set"),
        row("      restart: [grafana]", "      restart: [grafana, Grafana-Renderer]",
            "services[1].serviceAuth.restart[1]: " + K8S_NAME + ", got 'Grafana-Renderer'"),
        row("    workloads: [deployment/grafana]", "    workloads: [deployment/grafana, grafana]",
            "services[1].workloads[1]: must be deployment/<name>, statefulset/<name> or daemonset/<name>, got 'grafana'"),
        row("    latencyBudget: 100ms", "    latencyBudget: 0.1s",
            "services[0].latencyBudget: '0.1s' is not a duration " + EXAMPLES));
  }

  static Stream<Arguments> sso() {
    return Stream.of(
        row("    emails: []", "    emails: [ops, \"@254carbon.com\", a@b@254carbon.com, ops@localhost]",
            "sso.allow.emails[0]: must be an email address, got 'ops'",
            "sso.allow.emails[1]: must be an email address, got '@254carbon.com'",
            "sso.allow.emails[2]: must be an email address, got 'a@b@254carbon.com'",
            "sso.allow.emails[3]: must be an email address, got 'ops@localhost'"),
        row("    emails: []", "    emails: [a@254carbon.com]"),
        row("emailDomains: [254carbon.com]", "emailDomains: [254carbon]",
            "sso.allow.emailDomains[0]: must be a hostname, got '254carbon'"),
        row("  # accountId: 0123456789abcdef0123456789abcdef", "  accountId: 0123456789ABCDEF",
            "sso.accountId: must be the 32 hex digits of a Cloudflare account id, got '0123456789ABCDEF'"),
        row("  # accountId: 0123456789abcdef0123456789abcdef\n  # apiToken: {env: CLOUDFLARE_API_TOKEN}",
            "  accountId: 0123456789abcdef\n  apiToken: {env: CLOUDFLARE_API_TOKEN}",
            "sso.accountId: must be the 32 hex digits of a Cloudflare account id, got '0123456789abcdef'"),
        row("  # accountId: 0123456789abcdef0123456789abcdef\n  # apiToken: {env: CLOUDFLARE_API_TOKEN}",
            "  accountId: 0123456789abcdef0123456789abcdef\n  apiToken: {env: CLOUDFLARE_API_TOKEN}"),
        row("host: lakefs.254carbon.com,", "host: trino.254carbon.com,",
            "sso.apps[9].host: duplicate host 'trino.254carbon.com'"),
        row("  acmeBypassSessionDuration: 1h", "  acmeBypassSessionDuration: 2d",
            "sso.acmeBypassSessionDuration: '2d' uses days, which Cloudflare does not accept; use hours (e.g. 48h)"),
        row("  # serviceToken:\n  #   clientId: {env: CF_ACCESS_CLIENT_ID}\n  #   clientSecret: {env: CF_ACCESS_CLIENT_SECRET}",
            "  serviceToken:\n    clientId: {env: CF-ACCESS-CLIENT-ID}\n    clientSecret: {}",
            "sso.serviceToken.clientId.env: must be an environment variable name (letters, digits, '_'), "
                + "got 'CF-ACCESS-CLIENT-ID'",
            "sso.serviceToken.clientSecret: must set either env or namespace/name/key"),
        row("    certificateMinDays: 14", "    certificateMinDays: 0"),
        row("    latencyBudget: 500ms", "    latencyBudget: fast",
            "sso.validation.latencyBudget: 'fast' is not a duration " + EXAMPLES),
        row("    requestTimeout: 10s", "    requestTimeout: 10 s",
            "sso.validation.requestTimeout: '10 s' is not a duration " + EXAMPLES),
        row("    parallelism: 4\n    cookieDomain", "    parallelism: 0\n    cookieDomain",
            "sso.validation.parallelism: must be at least 1, got 0"),
        row("    cookieDomain: .254carbon.com", "    cookieDomain: .254carbon",
            "sso.validation.cookieDomain: must be a domain like .254carbon.com"),
        row("    cookieDomain: .254carbon.com", "    cookieDomain: 254carbon.com"),
        row("    name: 254carbon-cluster\n", "", "sso.tunnel.name: must be set"),
        row("    namespace: cloudflare-tunnel", "    namespace: cloudflare.tunnel",
            "sso.tunnel.namespace: " + K8S_LABEL + ", got 'cloudflare.tunnel'"),
        row("    deployment: cloudflared\n", "    deployment: Cloudflared\n",
            "sso.tunnel.deployment: " + K8S_NAME + ", got 'Cloudflared'"),
        row("    replicas: 2\n    origin", "    replicas: 0\n    origin", "sso.tunnel.replicas: must be at least 1, got 0"),
        row("    origin: ingress-nginx-controller.ingress-nginx:80", "    origin: ingress-nginx-controller.ingress-nginx",
            "sso.tunnel.origin: must be host:port, got 'ingress-nginx-controller.ingress-nginx'"));
  }

  static Stream<Arguments> harbor() {
    return Stream.of(
        row("harbor:\n  namespace: registry", "harbor:\n  namespace: Registry",
            "harbor.namespace: " + K8S_LABEL + ", got 'Registry'"),
        row("  url: https://harbor.254carbon.local", "  url: \"https://harbor 254carbon.local\"",
            "harbor.url: must be an http:// or https:// URL, got 'https://harbor 254carbon.local'"),
        row("  registryHost: harbor.254carbon.local", "  registryHost: harbor_254carbon.local",
            "harbor.registryHost: must be a hostname, got 'harbor_254carbon.local'"),
        row("  alternateHosts: [harbor.254carbon.com]", "  alternateHosts: [harbor.254carbon.com, harbor]",
            "harbor.alternateHosts[1]: must be a hostname, got 'harbor'"),
        row("  project: 254carbon", "  project: 254Carbon",
            "harbor.project: must be lowercase letters and digits separated by '.', '_' or '-', got '254Carbon'"),
        row("  robot: docker-mirror-robot", "  robot: docker mirror robot",
            "harbor.robot: must be lowercase letters and digits separated by '.', '_' or '-', got 'docker mirror robot'"),
        row("    username: {namespace: registry, name: harbor-admin-credentials, key: username}",
            "    username: {env: HARBOR_USER, key: username}",
            "harbor.admin.username: must set either env or namespace/name/key, not both"),
        row("    password: {namespace: registry, name: harbor-admin-credentials, key: password}",
            "    password: {namespace: registry, name: harbor-admin-credentials}",
            "harbor.admin.password: namespace, name and key must all be set (missing: key)"),
        row("  pullSecret: harbor-credentials", "  pullSecret: Harbor_Credentials",
            "harbor.pullSecret: " + K8S_NAME + ", got 'Harbor_Credentials'"),
        row("  switchNamespaces: [data-platform]", "  switchNamespaces: [data-platform, kafka]",
            "harbor.switchNamespaces[1]: 'kafka' is not one of the platform namespaces " + NAMESPACES),
        row("  switchNamespaces: [data-platform]", "  switchNamespaces: []", "harbor.switchNamespaces: must not be empty"),
        row("  parallelism: 4\n\n# The 35", "  parallelism: 0\n\n# The 35", "harbor.parallelism: must be at least 1, got 0"));
  }

  static Stream<Arguments> backup() {
    return Stream.of(
        row("  veleroNamespace: velero", "  veleroNamespace: Velero", "backup.veleroNamespace: " + K8S_LABEL + ", got 'Velero'"),
        row("    endpoint: http://minio-service.data-platform.svc.cluster.local:9000",
            "    endpoint: ftp://minio-service.data-platform.svc.cluster.local:21",
            "backup.objectStore.endpoint: must be an http:// or https:// URL with a host, "
                + "got 'ftp://minio-service.data-platform.svc.cluster.local:21'"),
        row("    accessKey: {namespace: data-platform, name: minio-secret, key: access-key}",
            "    accessKey: {namespace: data-platform, name: minio_secret, key: access-key}",
            "backup.objectStore.accessKey.name: " + K8S_NAME + ", got 'minio_secret'"),
        row("  bucket: 254carbon-backups", "  bucket: 254Carbon_Backups",
            "backup.bucket: must be an S3 bucket name (3-63 lowercase letters, digits, '.', '-'), got '254Carbon_Backups'"),
        row("    name: default\n", "    name: Default\n", "backup.storageLocation.name: " + K8S_NAME + ", got 'Default'"),
        row("    provider: aws\n", "", "backup.storageLocation.provider: must be set"),
        row("credential: {name: minio-backup-credentials, key: cloud}", "credential: {name: MinIO-Backup, key: cloud}",
            "backup.storageLocation.credential.name: " + K8S_NAME + ", got 'MinIO-Backup'"),
        row("credential: {name: minio-backup-credentials, key: cloud}",
            "credential: {name: minio-backup-credentials, key: cloud credentials}",
            "backup.storageLocation.credential.key: must be a Secret key (letters, digits, '-', '_', '.'), got 'cloud credentials'"),
        row("    canaryNamespace: backup-canary", "    canaryNamespace: Backup-Canary",
            "backup.rehearsal.canaryNamespace: " + K8S_LABEL + ", got 'Backup-Canary'"),
        row("    canaryNamespace: backup-canary", "    canaryNamespace: velero",
            "backup.rehearsal.canaryNamespace: must not be a platform namespace (the rehearsal deletes it)"),
        row("    canaryConfigMap: backup-canary", "    canaryConfigMap: Backup-Canary",
            "backup.rehearsal.canaryConfigMap: " + K8S_NAME + ", got 'Backup-Canary'"),
        row("    scratchNamespace: restore-test ", "    scratchNamespace: restore.test ",
            "backup.rehearsal.scratchNamespace: " + K8S_LABEL + ", got 'restore.test'"),
        row("    scratchNamespace: restore-test ", "    scratchNamespace: backup-canary ",
            "backup.rehearsal.scratchNamespace: must differ from canaryNamespace (the restore must not overwrite the canary)"),
        row("      velero.254carbon.com/purpose: rehearsal", "      velero.254carbon.com/purpose: rehearsal run",
            "backup.rehearsal.labels[\"velero.254carbon.com/purpose\"]: 'rehearsal run' is not a valid label value "
                + "(at most 63 letters, digits, '-', '_', '.')"),
        row("      velero.254carbon.com/purpose: rehearsal", "      velero_254carbon/purpose: rehearsal",
            "backup.rehearsal.labels.velero_254carbon/purpose: 'velero_254carbon/purpose' is not a valid label key"),
        row("    existingResourcePolicy: update", "    existingResourcePolicy: overwrite",
            "backup.rehearsal.existingResourcePolicy: must be none or update"),
        row("    existingResourcePolicy: update", "    existingResourcePolicy: none"),
        row("    backupTtl: 24h", "    backupTtl: 1d",
            "backup.rehearsal.backupTtl: '1d' uses days, which Velero does not accept; use hours (e.g. 24h)"),
        row("    timeout: 30m", "    timeout: 30 min", "backup.rehearsal.timeout: '30 min' is not a duration " + EXAMPLES),
        row("  - name: postgres-backup", "  - name: Postgres-Backup",
            "backup.schedules[2].name: " + K8S_NAME + ", got 'Postgres-Backup'"),
        row("      includedNamespaces: [data-platform]\n", "      includedNamespaces: []\n",
            "backup.schedules[2].includedNamespaces: must not be empty"),
        row("        app: postgres-shared", "        app: postgres shared",
            "backup.schedules[2].labelSelector.app: 'postgres shared' is not a valid label value "
                + "(at most 63 letters, digits, '-', '_', '.')"));
  }

  static Stream<Arguments> ha() {
    return Stream.of(
        row("    - hostname: worker-node-3", "    - hostname: Worker_3",
            "ha.workers[2].hostname: " + K8S_NAME + ", got 'Worker_3'"),
        row("  nodeReadyTimeout: 72h ", "  nodeReadyTimeout: three days ",
            "ha.nodeReadyTimeout: 'three days' is not a duration " + EXAMPLES),
        row("    namespace: data-platform\n    name: postgres-shared", "    namespace: Data-Platform\n    name: postgres-shared",
            "ha.postgres.namespace: " + K8S_LABEL + ", got 'Data-Platform'"),
        row("    name: postgres-shared\n", "    name: postgres_shared\n",
            "ha.postgres.name: " + K8S_LABEL + ", got 'postgres_shared'"),
        row("    image: postgres:15\n", "    image: Postgres:15\n",
            "ha.postgres.image: must be an image reference like registry/repository:tag, got 'Postgres:15'"),
        row("    port: 5432", "    port: 65536", "ha.postgres.port: must be a port number 1-65535, got 65536"),
        row("    superuser: postgres\n", "", "ha.postgres.superuser: must be set"),
        row("superuserPassword: {namespace: data-platform, name: postgres-shared-secret, key: postgres-password}",
            "superuserPassword: {key: postgres-password}",
            "ha.postgres.superuserPassword: namespace, name and key must all be set (missing: namespace, name)"),
        row("  replicationUser: replicator", "  replicationUser: Replicator",
            "ha.postgres.replicationUser: must be a PostgreSQL role name (lowercase letters, digits, '_'), got 'Replicator'"),
        row("replicationPassword: {namespace: data-platform, name: postgres-replication-secret, key: password}",
            "replicationPassword: {env: 1PASSWORD}",
            "ha.postgres.replicationPassword.env: must be an environment variable name (letters, digits, '_'), got '1PASSWORD'"),
        row("    primaryService: postgres-shared-primary", "    primaryService: postgres-shared.primary",
            "ha.postgres.primaryService: " + K8S_LABEL + ", got 'postgres-shared.primary'"),
        row("    standbyService: postgres-shared-standby", "    standbyService: postgres-shared.standby",
            "ha.postgres.standbyService: " + K8S_LABEL + ", got 'postgres-shared.standby'"),
        row("    maxReplayLagBytes: 16777216", "    maxReplayLagBytes: -1", "ha.postgres.maxReplayLagBytes: must not be negative"),
        row("    maxReplayLagBytes: 16777216", "    maxReplayLagBytes: 0"),
        row("    maxReplayLagBytes: 16777216", "    maxReplayLagBytes: 5000000000"),
        row("  minio:\n    namespace: data-platform", "  minio:\n    namespace: Data-Platform",
            "ha.minio.namespace: " + K8S_LABEL + ", got 'Data-Platform'"),
        row("    statefulSet: minio-distributed\n", "    statefulSet: minio.distributed\n",
            "ha.minio.statefulSet: " + K8S_LABEL + ", got 'minio.distributed'"),
        row("    headlessService: minio-distributed-headless", "    headlessService: minio.headless",
            "ha.minio.headlessService: " + K8S_LABEL + ", got 'minio.headless'"),
        row("    drivesPerPod: 1", "    drivesPerPod: 0", "ha.minio.drivesPerPod: must be at least 1, got 0"),
        row("    drivesPerPod: 1\n", ""),
        row("    volumeSize: 100Gi", "    volumeSize: 100GB", "ha.minio.volumeSize: must be a storage quantity like 100Gi, got '100GB'"),
        row("    image: minio/minio:RELEASE.2024-01-11T08-13-15Z\n    standalone",
            "    image: minio/minio:latest@sha256:abc\n    standalone",
            "ha.minio.image: must be an image reference like registry/repository:tag, got 'minio/minio:latest@sha256:abc'"),
        row("    standaloneStatefulSet: minio ", "    standaloneStatefulSet: MinIO ",
            "ha.minio.standaloneStatefulSet: " + K8S_LABEL + ", got 'MinIO'"),
        row("    standaloneStatefulSet: minio ", "    standaloneStatefulSet: minio-distributed ",
            "ha.minio.statefulSet: must differ from standaloneStatefulSet (the standalone cannot be converted in place)"),
        row("    switchService: minio-service ", "    switchService: minio_service ",
            "ha.minio.switchService: " + K8S_LABEL + ", got 'minio_service'"));
  }

  static Stream<Arguments> hpaAndMonitoring() {
    return Stream.of(
        row("    namespace: kube-system\n    deployment: metrics-server", "    namespace: Kube-System\n    deployment: metrics-server",
            "hpa.metricsServer.namespace: " + K8S_LABEL + ", got 'Kube-System'"),
        row("    deployment: metrics-server", "    deployment: metrics_server",
            "hpa.metricsServer.deployment: " + K8S_NAME + ", got 'metrics_server'"),
        row("    apiService: v1beta1.metrics.k8s.io", "    apiService: v1beta1/metrics.k8s.io",
            "hpa.metricsServer.apiService: " + K8S_NAME + ", got 'v1beta1/metrics.k8s.io'"),
        row("    kubeletPreferredAddressTypes: [InternalIP, ExternalIP, Hostname]",
            "    kubeletPreferredAddressTypes: [InternalIP, PodIP, InternalIP]",
            "hpa.metricsServer.kubeletPreferredAddressTypes[1]: must be one of Hostname, InternalDNS, InternalIP, ExternalDNS,"
                + " ExternalIP, got 'PodIP'",
            "hpa.metricsServer.kubeletPreferredAddressTypes[2]: duplicate address type 'InternalIP'"),
        row("    kubeletPreferredAddressTypes: [InternalIP, ExternalIP, Hostname]", "    kubeletPreferredAddressTypes: []"),
        row("    - name: trino-worker-hpa", "    - name: trino_worker_hpa",
            "hpa.autoscalers[0].name: " + K8S_NAME + ", got 'trino_worker_hpa'"),
        row("    - name: superset-hpa", "    - name: trino-worker-hpa",
            "hpa.autoscalers[1]: duplicate namespace/name 'data-platform/trino-worker-hpa'"),
        row("      namespace: data-platform\n      targetKind: Deployment\n      targetName: trino-worker",
            "      namespace: kafka\n      targetKind: Deployment\n      targetName: trino-worker",
            "hpa.autoscalers[0].namespace: 'kafka' is not one of the platform namespaces " + NAMESPACES),
        row("      targetKind: Deployment\n      targetName: superset", "      targetKind: DaemonSet\n      targetName: superset",
            "hpa.autoscalers[1].targetKind: must be Deployment or StatefulSet, got 'DaemonSet'"),
        row("      targetKind: Deployment\n      targetName: superset", "      targetKind: StatefulSet\n      targetName: superset"),
        row("      targetName: trino-worker", "      targetName: trino_worker",
            "hpa.autoscalers[0].targetName: " + K8S_NAME + ", got 'trino_worker'"),
        row("      minReplicas: 2\n      maxReplicas: 5", "      minReplicas: 0\n      maxReplicas: -1",
            "hpa.autoscalers[0].minReplicas: must be at least 1, got 0"),
        row("      minReplicas: 2\n      maxReplicas: 4", "      minReplicas: 2\n      maxReplicas: 2"),
        row("      cpuUtilization: 70", "      cpuUtilization: 0",
            "hpa.autoscalers[0].cpuUtilization: must be a percentage of the CPU request, at least 1, got 0"),
        row("monitoring:\n  namespace: monitoring", "monitoring:\n  namespace: Monitoring",
            "monitoring.namespace: " + K8S_LABEL + ", got 'Monitoring'"),
        row("  prometheusService: prometheus-operator-prometheus", "  prometheusService: prometheus.operator",
            "monitoring.prometheusService: " + K8S_LABEL + ", got 'prometheus.operator'"),
        row("  prometheusService: prometheus-operator-prometheus   # reached through the API server's service proxy\n", "",
            "monitoring.prometheusService: must be set (or monitoring.prometheusUrl)"),
        row("  prometheusPort: 9090", "  prometheusPort: 0", "monitoring.prometheusPort: must be a port number 1-65535, got 0"),
        row("  prometheusPort: 9090\n", "", "monitoring.prometheusPort: must be set"),
        row("  # prometheusUrl: https://prometheus.example.internal", "  prometheusUrl: https://prometheus.example.internal"),
        row("  # prometheusUrl: https://prometheus.example.internal", "  prometheusUrl: prometheus.example.internal:9090",
            "monitoring.prometheusUrl: must be an http:// or https:// URL with a host, got 'prometheus.example.internal:9090'"),
        row("  minActiveTargets: 16", "  minActiveTargets: -1", "monitoring.minActiveTargets: must be at least 0, got -1"),
        row("  minLoggedPods: 66", "  minLoggedPods: -1", "monitoring.minLoggedPods: must be at least 0, got -1"));
  }

  static Stream<Arguments> approvalsAndNotifications() {
    return Stream.of(
        row("    sre-oncall: [dave, erin]", "    sre-oncall: []", "approvals.groups.sre-oncall: a group must have at least one member"),
        row("    sre-oncall: [dave, erin]", "    sre-oncall: [dave, \" \"]", "approvals.groups.sre-oncall[1]: must be a user name"),
        row("    sre-oncall: [dave, erin]", "    SRE: [dave, erin]",
            "approvals.groups.SRE: group names must be lowercase letters, digits and '-', got 'SRE'",
            "approvals.defaults.approvers[1]: unknown group 'sre-oncall' (groups: SRE, platform-admins)",
            "approvals.gates.backup-activation/activate-schedules.approvers[0]: unknown group 'sre-oncall' "
                + "(groups: SRE, platform-admins)"),
        row("    approvers: [group:platform-admins, group:sre-oncall]", "    approvers: [group:platform-admins, \"\"]",
            "approvals.defaults.approvers[1]: must be a user name or group:<name>"),
        row("    reminderEvery: 24h", "    reminderEvery: daily",
            "approvals.defaults.reminderEvery: 'daily' is not a duration " + EXAMPLES),
        row("    reminderEvery: 24h", "    reminderEvery: 72h",
            "approvals.defaults.reminderEvery: must be shorter than the deadline (72h), or no reminder would ever be sent"),
        row("    reminderEvery: 24h", "    reminderEvery: 71h59m"),
        // a malformed key is still checked against the defaults it inherits: 6 of the 5 people of both groups
        row("    backup-activation/activate-schedules:\n      approvers: [group:sre-oncall, group:platform-admins]",
            "    backup_activation/activate-schedules:\n      requiredApprovals: 6",
            "approvals.gates.backup_activation/activate-schedules: a gate override key must be <gate-id> or "
                + "<runbook>/<gate-id> in lowercase letters, digits and '-'",
            "approvals.gates.backup_activation/activate-schedules.requiredApprovals: requires 6 approvals but only 5 "
                + "distinct people may approve (alice, bob, carol, dave, erin)"),
        row("    - name: platform-ops", "    - name: Platform Ops",
            "notifications.webhooks[0].name: must be lowercase letters, digits and '-', got 'Platform Ops'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"topLevelAndCluster", "services", "sso", "harbor", "backup", "ha", "hpaAndMonitoring",
      "approvalsAndNotifications"})
  void eachRuleReportsExactlyItsProblemWithItsPath(String change, String old, String replacement, List<String> expected) {
    assertRow(old, replacement, expected);
  }
}
