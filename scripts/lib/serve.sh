# Sourced by the scripts that test a running server. start_serve BINARY DATABASE LOG starts `BINARY serve` on a
# free loopback port (DATABASE: a SQLite file or a postgres:// URL) and waits until it prints its Endpoint URL and
# first token; it sets SERVE_PID, SERVE_URL and SERVE_TOKEN, or prints the log and fails.
start_serve() {
  local binary="$1" database="$2" log="$3"
  "$binary" serve --host 127.0.0.1 --port 0 --database "$database" > "$log" 2>&1 &
  SERVE_PID=$!
  for _ in $(seq 1 100); do
    grep -q '^Token: ' "$log" 2>/dev/null && break
    kill -0 "$SERVE_PID" 2>/dev/null || { cat "$log"; echo "klaxon-sync serve exited" >&2; return 1; }
    sleep 0.1
  done
  SERVE_URL="$(sed -n 's/^Endpoint URL: //p' "$log" | head -1)"
  SERVE_TOKEN="$(sed -n 's/^Token: //p' "$log" | head -1)"
  [ -n "$SERVE_URL" ] && [ -n "$SERVE_TOKEN" ] || { cat "$log"; echo "no Endpoint URL or Token printed" >&2; return 1; }
}
