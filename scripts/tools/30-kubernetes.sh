# A real Kubernetes control plane for the tests and the sandbox: kube-apiserver,
# kube-controller-manager and etcd, and kubectl (its `kustomize` renders deploy/), built from the Go module proxy at pinned versions (no
# Docker, no release downloads), plus the CRDs of the operators the runbooks talk to (Velero,
# prometheus-operator), taken from their Go modules at pinned versions. Everything goes into
# .tools/kubernetes-<version>/; a complete folder (its VERSIONS file) is reused as it is.
# Cold: about 4-6 minutes on 2 cores and ~2 GB of RAM, a 2.7 GB Go build cache.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

KUBERNETES_VERSION=v1.36.3
ETCD_VERSION=v3.6.8 # the etcd that Kubernetes ${KUBERNETES_VERSION}'s go.mod requires
VELERO_VERSION=v1.18.3
PROMETHEUS_OPERATOR_VERSION=v0.85.0
GO_MINIMUM=1.26.0 # Kubernetes ${KUBERNETES_VERSION}'s go.mod

tools="$PWD/.tools/kubernetes-${KUBERNETES_VERSION}"
binaries=(etcd kube-apiserver kube-controller-manager kubectl)
binaries_stamp="kubernetes ${KUBERNETES_VERSION}, etcd ${ETCD_VERSION}: ${binaries[*]}"
velero_crds=(backups backupstoragelocations deletebackuprequests restores schedules volumesnapshotlocations)
prometheus_crds=(servicemonitors podmonitors prometheusrules)
crds_stamp="velero ${VELERO_VERSION}: ${velero_crds[*]}; prometheus-operator ${PROMETHEUS_OPERATOR_VERSION}: ${prometheus_crds[*]}"

stamped() { [[ -f "$1/VERSIONS" && "$(cat "$1/VERSIONS")" == "$2" ]]; }

print_versions() {
  echo "kube-apiserver: $(first_line "$tools/bin/kube-apiserver" --version)"
  echo "kube-controller-manager: $(first_line "$tools/bin/kube-controller-manager" --version)"
  echo "kubectl: $(first_line "$tools/bin/kubectl" version --client)"
  first_line "$tools/bin/etcd" --version
  echo "CRDs in $tools/crds: $crds_stamp"
}

if stamped "$tools/bin" "$binaries_stamp" && stamped "$tools/crds" "$crds_stamp"; then
  print_versions
  exit 0
fi

# Go: the one on PATH or in /usr/local/go when it is recent enough (an older Go >= 1.21 fetches
# the toolchain the go.mod asks for by itself); otherwise Go's own toolchain module, from the
# module proxy, into .tools/go-<version>.
version_at_least() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]; }
go_bin=""
for candidate in "$(command -v go || true)" /usr/local/go/bin/go "$PWD/.tools/go-${GO_MINIMUM}/go/bin/go"; do
  [[ -n "$candidate" && -x "$candidate" ]] || continue
  found="$("$candidate" env GOVERSION 2>/dev/null || true)"
  if version_at_least "${found#go}" 1.21; then go_bin="$candidate"; break; fi
done
if [[ -z "$go_bin" ]]; then
  debian_packages curl unzip ca-certificates
  echo "installing Go ${GO_MINIMUM} (golang.org/toolchain from the module proxy) into .tools/go-${GO_MINIMUM}"
  rm -rf ".tools/go-${GO_MINIMUM}" && mkdir -p ".tools/go-${GO_MINIMUM}"
  zip=".tools/go-${GO_MINIMUM}/toolchain.zip"
  curl -fsSL -o "$zip" "${GOPROXY_URL:-https://proxy.golang.org}/golang.org/toolchain/@v/v0.0.1-go${GO_MINIMUM}.linux-amd64.zip"
  unzip -q "$zip" -d ".tools/go-${GO_MINIMUM}/unpacked"
  mv ".tools/go-${GO_MINIMUM}/unpacked/golang.org/toolchain@v0.0.1-go${GO_MINIMUM}.linux-amd64" ".tools/go-${GO_MINIMUM}/go"
  rm -rf "$zip" ".tools/go-${GO_MINIMUM}/unpacked"
  chmod +x ".tools/go-${GO_MINIMUM}"/go/bin/* ".tools/go-${GO_MINIMUM}"/go/pkg/tool/*/*
  go_bin="$PWD/.tools/go-${GO_MINIMUM}/go/bin/go"
fi
export GOTOOLCHAIN=auto GOFLAGS=-mod=mod CGO_ENABLED=0

# The CRDs, from the operators' own modules: their OpenAPI schemas validate what we write.
crds_of() { # module, version, folder in the module, file prefix, resources...
  local module=$1 version=$2 folder=$3 prefix=$4 dir resource
  shift 4
  dir="$("$go_bin" mod download -json "${module}@${version}" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  for resource in "$@"; do cp "$dir/$folder/${prefix}${resource}.yaml" "$tools/crds/"; done
}
if ! stamped "$tools/crds" "$crds_stamp"; then
  echo "fetching the CRDs of Velero ${VELERO_VERSION} and prometheus-operator ${PROMETHEUS_OPERATOR_VERSION} (Go modules)"
  rm -rf "$tools/crds" && mkdir -p "$tools/crds"
  crds_of github.com/vmware-tanzu/velero "${VELERO_VERSION}" config/crd/v1/bases velero.io_ "${velero_crds[@]}"
  crds_of github.com/prometheus-operator/prometheus-operator "${PROMETHEUS_OPERATOR_VERSION}" \
    example/prometheus-operator-crd monitoring.coreos.com_ "${prometheus_crds[@]}"
  chmod -R u+w "$tools/crds"
  echo "$crds_stamp" > "$tools/crds/VERSIONS"
fi

if stamped "$tools/bin" "$binaries_stamp"; then
  print_versions
  exit 0
fi
echo "building kube-apiserver, kube-controller-manager, kubectl ${KUBERNETES_VERSION} and etcd ${ETCD_VERSION} into $tools/bin with $("$go_bin" env GOVERSION) (several minutes, once)"

rm -rf "$tools/bin" "$tools/src" && mkdir -p "$tools/src" "$tools/bin"
cd "$tools/src"
# k8s.io/kubernetes cannot be `go install`ed (its go.mod replaces the staging modules with local
# folders), so a module of our own requires it and points every staging module at its release.
staging=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
  cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api
  cri-client cri-streaming csi-translation-lib dynamic-resource-allocation endpointslice
  externaljwt kms kube-aggregator kube-controller-manager kube-proxy kube-scheduler kubectl
  kubelet metrics mount-utils pod-security-admission sample-apiserver streaming)
staging_version="v0.${KUBERNETES_VERSION#v1.}"
{
  echo "module runbook.local/kubernetes-tools"
  echo
  echo "go ${GO_MINIMUM}"
  echo
  echo "require ("
  echo "	k8s.io/kubernetes ${KUBERNETES_VERSION}"
  echo "	go.etcd.io/etcd/server/v3 ${ETCD_VERSION}"
  echo ")"
  echo
  echo "replace ("
  for module in "${staging[@]}"; do echo "	k8s.io/${module} => k8s.io/${module} ${staging_version}"; done
  echo ")"
} > go.mod

main_of() { # folder, import, call
  mkdir -p "cmd/$1"
  cat > "cmd/$1/main.go" <<EOF
// The upstream main of $1 (cmd/$1 of its repository), built from the module proxy.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"$2"
)

func main() { os.Exit(cli.Run($3)) }
EOF
}
main_of kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver/app "app.NewAPIServerCommand()"
main_of kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager/app "app.NewControllerManagerCommand()"
main_of kubectl k8s.io/kubectl/pkg/cmd "cmd.NewDefaultKubectlCommand()"
mkdir -p cmd/etcd
cat > cmd/etcd/main.go <<'EOF'
// The upstream main of etcd (server/main.go of its repository), built from the module proxy.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF

"$go_bin" mod tidy

# The -X flags give `--version` the release's answer instead of v0.0.0-master.
version_flags="-X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION}"
version_flags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(cut -d. -f2 <<<"${KUBERNETES_VERSION}")"
version_flags+=" -X k8s.io/component-base/version.gitTreeState=clean"
version_flags+=" -X k8s.io/component-base/version/verflag.programName=kubernetes"
for binary in "${binaries[@]}"; do
  start=$SECONDS
  "$go_bin" build -trimpath -ldflags "-s -w ${version_flags}" -o "$tools/bin/$binary" "./cmd/$binary"
  echo "  $binary built in $((SECONDS - start)) s"
done

cd - >/dev/null
echo "$binaries_stamp" > "$tools/bin/VERSIONS"
print_versions
