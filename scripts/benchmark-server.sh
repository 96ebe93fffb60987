#!/usr/bin/env bash
# The server benchmark: release builds, everything on loopback, figures printed side by side.
#   1. a bare Hummingbird route (the machine's ceiling), measured by the same load generator;
#   2. `klaxon-sync serve` on a fresh SQLite file at 10k users, then at 100k users, and its memory;
#   3. `klaxon-sync serve` on PostgreSQL (a throwaway cluster with its durable defaults) at 10k users, measured
#      after ANALYZE, then two instances on that one database with the requests spread over both, as behind a
#      load balancer;
#   4. with --peer, python-scim's scim2-server under uvicorn with uvloop and httptools (its fastest set-up) at 10k users.
# The last table shows every run side by side: req/s, its share of the ceiling measured in this run, and p99.
# Usage: scripts/benchmark-server.sh [--peer] [--no-postgres] [--seconds N] [--concurrency N] [--large N]
set -euo pipefail
cd "$(dirname "$0")/.."
peer=0; postgres=1; seconds=5; concurrency=16; large=100000
while [ $# -gt 0 ]; do
  case "$1" in
    --peer) peer=1 ;;
    --no-postgres) postgres=0 ;;
    --seconds) seconds="$2"; shift ;;
    --concurrency) concurrency="$2"; shift ;;
    --large) large="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

swift build -c release --scratch-path .build-release --product klaxon-sync >&2
swift build -c release --scratch-path .build-release --product klaxon-bench >&2
bin=.build-release/release
work="$(mktemp -d)"
# The cluster's own folder: it runs as the postgres user, who cannot enter $work.
pgdir="$(mktemp -d /tmp/klaxon-benchmark-postgres.XXXXXX)"
results="$work/results.tsv"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/postgres-cluster.sh stop "$pgdir"
  rm -rf "$work" "$pgdir"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

# Starts `klaxon-sync serve` on a database and waits for it; sets $server, $url, and $token when it made one.
serve() {
  local log="$work/serve-${#pids[@]}.log"
  "$bin/klaxon-sync" serve --port 0 --database "$1" > "$log" 2>&1 & server=$!; pids+=($server)
  for _ in $(seq 1 300); do
    grep -q '^Endpoint URL: ' "$log" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; echo "klaxon-sync serve exited" >&2; exit 1; }
    sleep 0.1
  done
  sleep 0.2  # the token follows the Endpoint URL
  url="$(sed -n 's/^Endpoint URL: //p' "$log" | head -1)"
  local printed
  printed="$(sed -n 's/^Token: //p' "$log" | head -1)"
  token="${printed:-$token}"
}

ceiling_port=$(free_port)
"$bin/klaxon-bench" ceiling-server --port "$ceiling_port" >/dev/null 2>&1 & ceiling=$!; pids+=($ceiling)
wait_http "http://127.0.0.1:$ceiling_port/ping"

bench() { "$bin/klaxon-bench" scim --seconds "$seconds" --concurrency "$concurrency" --results "$results" "$@"; }

token=""
serve "$work/klaxon.sqlite"
sqlite=$server
bench --url "$url" --token "$token" --users 10000 --label "SQLite, 1 instance" --server-pid "$sqlite" \
  --ceiling-url "http://127.0.0.1:$ceiling_port/ping" --ceiling-pid "$ceiling"
bench --url "$url" --token "$token" --users "$large" --label "SQLite, 1 instance, $large users" --server-pid "$sqlite"
echo
echo "klaxon-sync memory with $large users: $(grep -E 'VmRSS|VmHWM' /proc/$sqlite/status | tr -s ' \t' ' ' | paste -sd' ')"
echo "database file: $(du -sh "$work" | cut -f1)"
kill "$sqlite"; wait "$sqlite" 2>/dev/null || true

if [ "$postgres" = 1 ]; then
  # A port below Linux's ephemeral range (32768–60999): after the SQLite runs' thousands of client connections, a
  # port in it may still be held by one of them, and the cluster could not bind 54330 twice in a row.
  cluster="$(scripts/postgres-cluster.sh start "$pgdir" 25430 durable)"
  psql -q "$cluster" -c 'CREATE DATABASE klaxon_bench'
  database="$(echo "$cluster" | sed 's|/postgres?|/klaxon_bench?|')"
  token=""
  serve "$database"; first=$server; first_url="$url"
  # Seed first, then gather PostgreSQL's statistics as autovacuum would within a minute, so the measurements see
  # the planner's steady state (SQLite's are written by its migrations).
  "$bin/klaxon-bench" scim --url "$first_url" --token "$token" --users 10000 --seconds 0.1 --skip-members --label seeding > /dev/null
  psql -q "$database" -c 'ANALYZE'
  bench --url "$first_url" --token "$token" --users 10000 --label "PostgreSQL, 1 instance" --server-pid "$first"
  serve "$database"; second=$server
  bench --url "$first_url" --url "$url" --token "$token" --users 10000 --label "PostgreSQL, 2 instances" \
    --server-pid "$first" --server-pid "$second"
  kill "$first" "$second"; wait "$first" "$second" 2>/dev/null || true
fi

if [ "$peer" = 1 ]; then
  venv="${PEER_VENV:-/tmp/klaxon-peer-venv}"
  "$venv/bin/python" -c 'import scim2_server, uvicorn, uvloop, httptools' 2>/dev/null || {
    python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check scim2-server 'uvicorn[standard]'; }
  peer_port=$(free_port)
  (cd scripts/peer && exec "$venv/bin/uvicorn" scim2_server_app:app --host 127.0.0.1 --port "$peer_port" --log-level warning) & peer_pid=$!; pids+=($peer_pid)
  wait_http "http://127.0.0.1:$peer_port/v2/ServiceProviderConfig"
  bench --url "http://127.0.0.1:$peer_port/v2" --users 10000 --server-pid "$peer_pid" --label "scim2-server $("$venv/bin/pip" show scim2-server | sed -n 's/^Version: //p') (uvicorn)"
fi

echo
"$bin/klaxon-bench" report "$results"
