#!/bin/sh
# Temporal's schema steps: the `temporal` and `temporal_visibility` databases created when missing
# and brought to the schema of the Temporal version whose files are in $TEMPORAL_SCHEMA_DIR.
#
# docker-compose.yml's temporal-schema service runs this file in temporalio/admin-tools (whose
# schema files are in /etc/temporal/schema), and the production-topology tests run this very file
# with the natively built temporal-sql-tool and the schema files of its module source
# (.tools/temporal-server-<version>/, made by scripts/install-test-tools).
#
# Safe to re-run: `create` keeps an existing database, `setup-schema -v 0.0` skips a database that
# has a schema, and `update-schema` applies only the migrations it has not applied yet. Upgrading
# Temporal = running this with the new version's files before the new server starts.
#
# Environment: SQL_HOST, SQL_PORT (5432), SQL_USER, SQL_PASSWORD (read by temporal-sql-tool itself,
# so it is never on a command line), SQL_PLUGIN (postgres12), TEMPORAL_SCHEMA_DIR
# (/etc/temporal/schema), TEMPORAL_SQL_TOOL (temporal-sql-tool).
set -eu
: "${SQL_HOST:?the PostgreSQL host}" "${SQL_USER:?the PostgreSQL user}"
tool="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
versioned="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema}/postgresql/v12"
sql() { "$tool" --plugin "${SQL_PLUGIN:-postgres12}" --ep "$SQL_HOST" -p "${SQL_PORT:-5432}" -u "$SQL_USER" "$@"; }

sql --db temporal create
sql --db temporal setup-schema -v 0.0
sql --db temporal update-schema -d "$versioned/temporal/versioned"
sql --db temporal_visibility create
sql --db temporal_visibility setup-schema -v 0.0
sql --db temporal_visibility update-schema -d "$versioned/visibility/versioned"
echo "temporal schema ready"
