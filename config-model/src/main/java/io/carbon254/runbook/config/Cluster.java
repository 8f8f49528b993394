package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The Kubernetes cluster.
 *
 * @param clusterName kubeadm cluster name
 * @param controlPlaneEndpoint {@code host:port} of the API server for {@code kubeadm join}; null:
 *     read it from {@code kube-public/cluster-info}
 * @param podCidr pod network CIDR
 * @param serviceCidr service network CIDR
 * @param cni the pod network add-on (informational)
 * @param ingressClass the IngressClass of the SSO ingresses
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Cluster(
    String clusterName,
    String controlPlaneEndpoint,
    String podCidr,
    String serviceCidr,
    String cni,
    String ingressClass) {}
