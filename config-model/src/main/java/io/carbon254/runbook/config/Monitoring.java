package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the readiness check expects of monitoring.
 *
 * @param namespace the kube-prometheus-stack namespace
 * @param prometheusService the Prometheus Service, reached through the Kubernetes API service proxy
 * @param prometheusPort its port
 * @param prometheusUrl a direct URL instead of the service proxy; null: use the proxy
 * @param minActiveTargets fewer active Prometheus targets fails the check
 * @param minLoggedPods fewer pods with logs in Loki fails the check; null: not checked
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Monitoring(
    String namespace,
    String prometheusService,
    Integer prometheusPort,
    String prometheusUrl,
    Integer minActiveTargets,
    Integer minLoggedPods) {}
