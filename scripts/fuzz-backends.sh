#!/usr/bin/env bash
# Starts `klaxon-sync serve` twice, on a throwaway SQLite file and on an empty PostgreSQL database, and sends both
# the same seeded random and mutated requests (scripts/scim_fuzz.py --compare): no 5xx, every error an RFC 7644
# body, and the two backends answering every request with the same status and the same number of matches.
# Usage: scripts/fuzz-backends.sh path/to/klaxon-sync postgres://…/empty_database [requests] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/serve.sh
binary="$1"; postgres="$2"; requests="${3:-10000}"; seed="${4:-1}"

work="$(mktemp -d)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
start_serve "$binary" "$work/klaxon.sqlite" "$work/sqlite.log"; pids+=("$SERVE_PID")
sqlite_url="$SERVE_URL"; sqlite_token="$SERVE_TOKEN"
start_serve "$binary" "$postgres" "$work/postgres.log"; pids+=("$SERVE_PID")
echo "fuzz: $sqlite_url (SQLite) and $SERVE_URL (PostgreSQL)"
python3 scripts/scim_fuzz.py "$sqlite_url" "$sqlite_token" --compare "$SERVE_URL" "$SERVE_TOKEN" --requests "$requests" --seed "$seed"
