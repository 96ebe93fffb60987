#!/usr/bin/env bash
# Measures `klaxon-sync serve` over loopback on each backend and prints the figures side by side, each as a share
# of a bare Hummingbird route measured in the same run: SQLite with one instance, PostgreSQL with one instance,
# and PostgreSQL with two instances on one database, the requests spread over both (as behind a load balancer).
# Usage: scripts/benchmark-server.sh [users] [seconds] [concurrency]   (defaults: 10000 users, 5 s, 16)
# Builds in release first; not part of CI. PostgreSQL runs in a throwaway cluster with its durable defaults
# (fsync and synchronous_commit on); SQLite runs in WAL mode with synchronous=NORMAL.
set -euo pipefail
cd "$(dirname "$0")/.."
users="${1:-10000}"
seconds="${2:-5}"
concurrency="${3:-16}"

swift build -c release --product klaxon-sync
swift build -c release --product klaxon-bench
bin="$(swift build -c release --show-bin-path)"

work="$(mktemp -d /tmp/klaxon-benchmark.XXXXXX)"
# Its own folder: the cluster runs as the postgres user, who cannot enter $work.
pgdir="$(mktemp -d /tmp/klaxon-benchmark-postgres.XXXXXX)"
results="$work/results.tsv"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  scripts/postgres-cluster.sh stop "$pgdir"
  rm -rf "$work" "$pgdir"
}
trap cleanup EXIT

free_port() {
  local port="$1"
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# Starts `klaxon-sync serve` on a database and waits for it; sets $url, and $token when it created one.
serve() {
  local log="$work/serve-${#pids[@]}.log"
  "$bin/klaxon-sync" serve --host 127.0.0.1 --port 0 --database "$1" > "$log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 300); do
    grep -q '^Endpoint URL: ' "$log" 2>/dev/null && break
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$log" >&2; echo "klaxon-sync serve exited" >&2; exit 1; }
    sleep 0.1
  done
  url="$(sed -n 's/^Endpoint URL: //p' "$log" | head -1)"
  local printed
  printed="$(sed -n 's/^Token: //p' "$log" | head -1)"
  token="${printed:-$token}"
  [ -n "$url" ] || { cat "$log" >&2; echo "serve printed no Endpoint URL" >&2; exit 1; }
}

# Stops the most recently started server, so that the next measurement has the cores to itself.
stop_last() {
  kill "${pids[-1]}"
  wait "${pids[-1]}" 2>/dev/null || true
  unset 'pids[-1]'
}

bench() {
  local label="$1"
  shift
  "$bin/klaxon-bench" scim "$@" --token "$token" --users "$users" --seconds "$seconds" --concurrency "$concurrency" \
    --label "$label" --results "$results"
}

ceiling_port="$(free_port 9090)"
"$bin/klaxon-bench" ceiling-server --port "$ceiling_port" &
pids+=("$!")
until (exec 3<>"/dev/tcp/127.0.0.1/$ceiling_port") 2>/dev/null; do sleep 0.1; done
ceiling="http://127.0.0.1:$ceiling_port/ping"

token=""
serve "$work/klaxon.sqlite"
bench "SQLite, 1 instance" --url "$url" --ceiling-url "$ceiling"
stop_last

postgres="$(scripts/postgres-cluster.sh start "$pgdir" 54330 durable)"
psql -q "$postgres" -c 'CREATE DATABASE klaxon_bench'
database="$(echo "$postgres" | sed 's|/postgres?|/klaxon_bench?|')"
token=""
serve "$database"
first="$url"
bench "PostgreSQL, 1 instance" --url "$first"
serve "$database"
bench "PostgreSQL, 2 instances" --url "$first" --url "$url"

echo
"$bin/klaxon-bench" report "$results"
