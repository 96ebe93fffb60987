#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on a loopback port, for the test suites and benchmarks. Installs PostgreSQL from
# the Debian packages if it is missing.
#   scripts/postgres-cluster.sh start DIR [PORT] [durable]  starts a cluster in DIR on the first free port from PORT
#                                                          (default 54329) and prints its URL. Without "durable" it
#                                                          runs with fsync off: fast, and fine for data thrown away.
#   scripts/postgres-cluster.sh stop DIR                   stops it (DIR may then be removed).
set -euo pipefail
command="${1:?usage: postgres-cluster.sh start DIR [PORT] [durable] | stop DIR}"
dir="${2:?the folder of the cluster}"

pgbin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

# Runs a command as the postgres user when we are root (initdb refuses root), else as ourselves.
as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

case "$command" in
start)
  port="${3:-54329}"
  if [ -z "$(pgbin)" ] || [ ! -x "$(pgbin)/initdb" ]; then
    echo "PostgreSQL is not installed; installing it from the Debian packages" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  fi
  bin="$(pgbin)"
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  settings="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=400"
  [ "${4:-}" = durable ] || settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  as_owner "'$bin/initdb' -D '$dir/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" > "$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o '$settings' start" > /dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
  ;;
stop)
  [ -d "$dir/data" ] && as_owner "'$(pgbin)/pg_ctl' -D '$dir/data' -m fast -w stop" > /dev/null || true
  ;;
*)
  echo "usage: postgres-cluster.sh start DIR [PORT] [durable] | stop DIR" >&2
  exit 2
  ;;
esac
