#!/usr/bin/env bash
# The PostgreSQL outage tests (the database taken down behind a TCP proxy, then brought back), on their own and
# several times over: the full suite runs them once, and a rare stall shows only in repeated runs. Starts a throwaway
# cluster unless KLAXON_TEST_POSTGRES_URL is set.
#   scripts/outage-tests.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
cluster=""
if [ -z "${KLAXON_TEST_POSTGRES_URL:-}" ]; then
  cluster="$(mktemp -d /tmp/klaxon-outage-postgres.XXXXXX)"
  trap 'scripts/postgres-cluster.sh stop "$cluster"; rm -rf "$cluster"' EXIT
  KLAXON_TEST_POSTGRES_URL="$(scripts/postgres-cluster.sh start "$cluster" 54360)"
  export KLAXON_TEST_POSTGRES_URL
fi
swift build --build-tests >&2
for run in $(seq 1 "$runs"); do
  echo "run $run of $runs" >&2
  timeout 300 swift test --skip-build --filter 'DatabaseOutage'
done
