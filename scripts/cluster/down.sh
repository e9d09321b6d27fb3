#!/usr/bin/env bash
# npm run cluster:down — stops what cluster:up started (by the pids it recorded) and removes its folder.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/cluster/env.sh
[ -d "$CLUSTER_DIR" ] || { echo "no cluster in $CLUSTER_DIR"; exit 0; }

stop_pid() { # name signal
  local file="$CLUSTER_DIR/run/$1.pid"
  [ -f "$file" ] || return 0
  local pid; pid="$(cat "$file")"
  kill -"${2:-TERM}" "$pid" 2>/dev/null || true
  for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null || true
}
for api in "$CLUSTER_DIR"/run/api*.pid; do [ -f "$api" ] && stop_pid "$(basename "$api" .pid)"; done
stop_pid haproxy
for node in node2 node1 monitor; do
  if [ -f "$CLUSTER_DIR/$node/postmaster.pid" ] || [ -f "$CLUSTER_DIR/run/$node.pid" ]; then
    as_pg pg_autoctl stop --pgdata "$CLUSTER_DIR/$node" --immediate >/dev/null 2>&1 || true
    stop_pid "$node"
    # pg_autoctl's stop asks its supervisor; a keeper already gone leaves PostgreSQL to pg_ctl.
    [ -f "$CLUSTER_DIR/$node/postmaster.pid" ] &&
      as_pg "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/$node" -m immediate stop >/dev/null 2>&1 || true
  fi
done
rm -rf "$CLUSTER_DIR"
echo "cluster down, $CLUSTER_DIR removed"
