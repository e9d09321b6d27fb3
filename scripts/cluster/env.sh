# Shared by cluster-up.sh, cluster-down.sh and the chaos test: where the local cluster lives and
# which loopback ports it takes. Every value may be overridden from the environment.
CLUSTER_DIR="${CLUSTER_DIR:-/tmp/orgs-cluster}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
MONITOR_PORT="${MONITOR_PORT:-56431}"
NODE1_PORT="${NODE1_PORT:-56432}"
NODE2_PORT="${NODE2_PORT:-56433}"
# HAProxy: PostgreSQL's current primary, and the HTTP front of the API instances.
PG_PROXY_PORT="${PG_PROXY_PORT:-56430}"
HTTP_PROXY_PORT="${HTTP_PROXY_PORT:-56100}"
API_PORTS="${API_PORTS:-56101 56102 56103}"
HAPROXY_STATS_PORT="${HAPROXY_STATS_PORT:-56199}"
DB_NAME=orgs
DATABASE_URL="postgres://postgres@127.0.0.1:${PG_PROXY_PORT}/${DB_NAME}"
export CLUSTER_DIR PG_BIN MONITOR_PORT NODE1_PORT NODE2_PORT PG_PROXY_PORT HTTP_PROXY_PORT API_PORTS \
  HAPROXY_STATS_PORT DB_NAME DATABASE_URL
# pg_autoctl keeps its configuration and state under XDG folders: inside the cluster's folder.
export XDG_CONFIG_HOME="$CLUSTER_DIR/xdg/config" XDG_DATA_HOME="$CLUSTER_DIR/xdg/data" \
  XDG_RUNTIME_DIR="$CLUSTER_DIR/xdg/run"

# PostgreSQL refuses to run as root: as root, its tools run as the postgres system user (setpriv
# execs them in place, so a recorded pid is the program's own).
if [ "$(id -u)" = 0 ]; then
  PG_PREFIX=(setpriv --reuid postgres --regid postgres --init-groups env HOME="$CLUSTER_DIR"
    XDG_CONFIG_HOME="$XDG_CONFIG_HOME" XDG_DATA_HOME="$XDG_DATA_HOME" XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR"
    PATH="$PG_BIN:$PATH")
else
  PG_PREFIX=(env PATH="$PG_BIN:$PATH")
fi
as_pg() { "${PG_PREFIX[@]}" "$@"; }
