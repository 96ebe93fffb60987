#!/usr/bin/env bash
# Starts `klaxon-sync serve` on a loopback port and runs the public SCIM 2.0 conformance suite scim2-tester (PyPI)
# against it, then 10,000 seeded random and mutated requests (scripts/scim_fuzz.py: no 5xx, every error an RFC 7644
# body, the server still up). Fails if any check fails.
# Usage: scripts/conformance.sh [path/to/klaxon-sync] [database]
#   (default: the debug build, on a throwaway SQLite file; pass an empty postgres:// database to test PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-.build/debug/klaxon-sync}"
database="${2:-}"
venv="${CONFORMANCE_VENV:-/tmp/klaxon-conformance-venv}"
if ! "$venv/bin/python" -c 'import scim2_tester, httpx2, scim2_client' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    scim2-tester==0.5.2 scim2-client==0.13.2 scim2-models==0.12.3 httpx2==2.16.2
fi

work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
"$binary" serve --host 127.0.0.1 --port 0 --database "${database:-$work/klaxon.sqlite}" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  grep -q '^Token: ' "$work/serve.log" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; echo "klaxon-sync serve exited" >&2; exit 1; }
  sleep 0.1
done
url="$(sed -n 's/^Endpoint URL: //p' "$work/serve.log" | head -1)"
token="$(sed -n 's/^Token: //p' "$work/serve.log" | head -1)"
[ -n "$url" ] && [ -n "$token" ] || { cat "$work/serve.log"; echo "no Endpoint URL or Token printed" >&2; exit 1; }
echo "conformance: $url"
"$venv/bin/python" scripts/scim_conformance.py "$url" "$token"
python3 scripts/scim_fuzz.py "$url" "$token" --requests "${FUZZ_REQUESTS:-10000}" --seed "${FUZZ_SEED:-1}"
