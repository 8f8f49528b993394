# The Temporal server and temporal-sql-tool at the version docker-compose.yml pins (its
# temporalio/server and temporalio/admin-tools images), built once per version from the Go module
# proxy into .tools/temporal-server-<version>/ (bin/temporal-server, bin/temporal-sql-tool, and
# schema/ laid out as /etc/temporal/schema in the admin-tools image). The production-topology
# tests run them on PostgreSQL with the compose file's own set-up steps (deploy/temporal/).
# Also the schema of the previous pinned version, for the upgrade test: its schema files only
# (the schema steps of that version are the same commands on those files).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

# The version the compose file's images pin: one source of truth.
TEMPORAL_SERVER_VERSION="$(sed -n 's/^ *image: temporalio\/server:\([0-9][0-9.]*\) *$/\1/p' docker-compose.yml)"
admin_tools="$(sed -n 's/^ *image: temporalio\/admin-tools:\([0-9][0-9.]*\) *$/\1/p' docker-compose.yml | sort -u)"
if [[ -z "$TEMPORAL_SERVER_VERSION" || "$admin_tools" != "$TEMPORAL_SERVER_VERSION" ]]; then
  echo "docker-compose.yml must pin temporalio/server and temporalio/admin-tools to one version" \
    "(server: '${TEMPORAL_SERVER_VERSION}', admin-tools: '${admin_tools//$'\n'/ }')" >&2
  exit 1
fi
# The version installations upgrade from (the upgrade test): keep it one minor below the above.
TEMPORAL_PREVIOUS_VERSION=1.30.4

go=go
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then go=/usr/local/go/bin/go; fi
if ! command -v "$go" >/dev/null; then
  echo "building the Temporal server needs Go (1.21 or later; it fetches the toolchain the server's go.mod asks for):" \
    "https://go.dev/doc/install, or put it in /usr/local/go" >&2
  exit 1
fi
# An older Go fetches the toolchain the module asks for through the module proxy.
export GOTOOLCHAIN="${GOTOOLCHAIN_FOR_TEMPORAL:-auto}" CGO_ENABLED=0

module=go.temporal.io/server
# The schema files of a version, from the module source, laid out as in the admin-tools image.
copy_schema() {
  local version=$1 target=$2 source
  source="$("$go" mod download -json "$module@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$source/schema/postgresql" ]] || { echo "no schema in $source" >&2; return 1; }
  mkdir -p "$target.tmp"
  cp -r "$source/schema/postgresql" "$target.tmp/"
  chmod -R u+w "$target.tmp"
  mv "$target.tmp" "$target"
}

dir=".tools/temporal-server-${TEMPORAL_SERVER_VERSION}"
if [[ ! -x "$dir/bin/temporal-server" || ! -x "$dir/bin/temporal-sql-tool" || ! -d "$dir/schema/postgresql" ]]; then
  echo "building the Temporal server ${TEMPORAL_SERVER_VERSION} and temporal-sql-tool into $dir (a few minutes the first time)"
  rm -rf "$dir" "$dir.tmp"
  mkdir -p "$dir.tmp/bin"
  start=$SECONDS
  for cmd in cmd/tools/sql cmd/server; do
    # Quiet unless it fails: the module downloads alone are a few hundred lines.
    if ! GOBIN="$PWD/$dir.tmp/bin" "$go" install -trimpath -ldflags "-s -w" "$module/$cmd@v${TEMPORAL_SERVER_VERSION}" \
      >"$dir.tmp/build.log" 2>&1; then
      cat "$dir.tmp/build.log" >&2
      exit 1
    fi
  done
  rm "$dir.tmp/build.log"
  mv "$dir.tmp/bin/sql" "$dir.tmp/bin/temporal-sql-tool"
  mv "$dir.tmp/bin/server" "$dir.tmp/bin/temporal-server"
  copy_schema "$TEMPORAL_SERVER_VERSION" "$dir.tmp/schema"
  mv "$dir.tmp" "$dir"
  echo "built in $((SECONDS - start)) s"
fi
previous=".tools/temporal-server-${TEMPORAL_PREVIOUS_VERSION}"
if [[ ! -d "$previous/schema/postgresql" ]]; then
  echo "fetching the schema of the previous Temporal version ${TEMPORAL_PREVIOUS_VERSION} into $previous/schema"
  rm -rf "$previous"
  mkdir -p "$previous"
  copy_schema "$TEMPORAL_PREVIOUS_VERSION" "$previous/schema"
fi
first_line "$dir/bin/temporal-server" --version
first_line "$dir/bin/temporal-sql-tool" --version
echo "previous version's schema: $previous/schema"
