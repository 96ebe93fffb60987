#!/usr/bin/env bash
# The server benchmark: release builds, everything on loopback, figures printed side by side.
#   1. a bare Hummingbird route (the machine's ceiling), measured by the same load generator;
#   2. `klaxon-sync serve` on a fresh SQLite file at 10k users, then at 100k users, and its memory;
#   3. with --peer, python-scim's scim2-server under uvicorn (PyPI) at 10k users.
# Usage: scripts/benchmark-server.sh [--peer] [--seconds N] [--concurrency N] [--large N]
set -euo pipefail
cd "$(dirname "$0")/.."
peer=0; seconds=5; concurrency=16; large=100000
while [ $# -gt 0 ]; do
  case "$1" in
    --peer) peer=1 ;;
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
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

ceiling_port=$(free_port)
"$bin/klaxon-bench" ceiling-server --port "$ceiling_port" >/dev/null 2>&1 & ceiling=$!; pids+=($ceiling)
wait_http "http://127.0.0.1:$ceiling_port/ping"

"$bin/klaxon-sync" serve --port 0 --database "$work/klaxon.sqlite" > "$work/serve.log" 2>&1 & server=$!; pids+=($server)
for _ in $(seq 1 100); do grep -q '^Token: ' "$work/serve.log" && break; sleep 0.1; done
url="$(sed -n 's/^Endpoint URL: //p' "$work/serve.log" | head -1)"
token="$(sed -n 's/^Token: //p' "$work/serve.log" | head -1)"

bench() { "$bin/klaxon-bench" scim --seconds "$seconds" --concurrency "$concurrency" "$@"; }
bench --url "$url" --token "$token" --users 10000 --label "klaxon-sync (SQLite)" --server-pid "$server" \
  --ceiling-url "http://127.0.0.1:$ceiling_port/ping" --ceiling-pid "$ceiling"
bench --url "$url" --token "$token" --users "$large" --label "klaxon-sync (SQLite)" --server-pid "$server"
echo
echo "klaxon-sync memory with $large users: $(grep -E 'VmRSS|VmHWM' /proc/$server/status | tr -s ' \t' ' ' | paste -sd' ')"
echo "database file: $(du -sh "$work" | cut -f1)"

if [ "$peer" = 1 ]; then
  venv="${PEER_VENV:-/tmp/klaxon-peer-venv}"
  "$venv/bin/python" -c 'import scim2_server, uvicorn' 2>/dev/null || {
    python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check scim2-server uvicorn; }
  peer_port=$(free_port)
  (cd scripts/peer && exec "$venv/bin/uvicorn" scim2_server_app:app --host 127.0.0.1 --port "$peer_port" --log-level warning) & peer_pid=$!; pids+=($peer_pid)
  wait_http "http://127.0.0.1:$peer_port/v2/ServiceProviderConfig"
  bench --url "http://127.0.0.1:$peer_port/v2" --users 10000 --server-pid "$peer_pid" --label "scim2-server $("$venv/bin/pip" show scim2-server | sed -n 's/^Version: //p') (uvicorn)"
fi
