#!/usr/bin/env bash
# Starts `klaxon-sync serve` on a loopback port and runs the public SCIM 2.0 conformance suite scim2-tester (PyPI)
# against it. Fails if any check fails.
# Usage: scripts/conformance.sh [path/to/klaxon-sync] [database]
#   (default: the debug build, on a throwaway SQLite file; pass an empty postgres:// database to test PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/serve.sh
binary="${1:-.build/debug/klaxon-sync}"
database="${2:-}"
venv="${CONFORMANCE_VENV:-/tmp/klaxon-conformance-venv}"
if ! "$venv/bin/python" -c 'import scim2_tester, httpx2, scim2_client' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    scim2-tester==0.5.2 scim2-client==0.13.2 scim2-models==0.12.3 httpx2==2.16.2
fi

work="$(mktemp -d)"
SERVE_PID=""
trap 'kill $SERVE_PID 2>/dev/null || true; wait $SERVE_PID 2>/dev/null || true; rm -rf "$work"' EXIT
start_serve "$binary" "${database:-$work/klaxon.sqlite}" "$work/serve.log"
echo "conformance: $SERVE_URL"
"$venv/bin/python" scripts/scim_conformance.py "$SERVE_URL" "$SERVE_TOKEN"
