# PostgreSQL from Debian for the production-topology tests (Temporal's persistence and
# visibility on PostgreSQL). The tests run its binaries (initdb, postgres) as the `postgres` user
# the package creates, on a loopback port and a temporary data directory; the system service is
# not used.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
debian_packages postgresql
first_line "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/postgres" --version
