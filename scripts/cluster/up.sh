#!/usr/bin/env bash
# npm run cluster:up — a local highly available setup on loopback, from Debian's packages:
#   pg_auto_failover monitor + primary + standby (synchronous replication, fast failover settings),
#   HAProxy in front of PostgreSQL (routes to whichever node answers pg_is_in_recovery() = false)
#   and in front of three API instances (checked on /health/ready).
# Everything lives in $CLUSTER_DIR (default /tmp/orgs-cluster); `npm run cluster:down` removes it.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/cluster/env.sh

if [ -e "$CLUSTER_DIR/up" ]; then
  echo "a cluster is already up in $CLUSTER_DIR (npm run cluster:down first)" >&2
  exit 1
fi

need=()
command -v pg_autoctl >/dev/null || need+=(postgresql-15-auto-failover pg-auto-failover-cli)
command -v haproxy >/dev/null || need+=(haproxy)
[ -x "$PG_BIN/pg_ctl" ] || need+=(postgresql-15)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (Debian)"
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${need[@]}"
fi

mkdir -p "$CLUSTER_DIR"/{xdg/config,xdg/data,xdg/run,logs,run}
chmod 700 "$XDG_RUNTIME_DIR"
if [ "$(id -u)" = 0 ]; then chown -R postgres: "$CLUSTER_DIR"; chmod 755 "$CLUSTER_DIR"; fi
touch "$CLUSTER_DIR/up"
# A failed start leaves nothing behind.
completed=""
trap '[ -n "$completed" ] || { echo "cluster:up failed: stopping what it started" >&2; bash scripts/cluster/down.sh; }' EXIT

started=$(date +%s)
log() { printf '[cluster +%ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }

# Runs a long-lived process in the background, its pid in run/<name>.pid, its output in logs/.
background() {
  local name="$1"; shift
  nohup "$@" >"$CLUSTER_DIR/logs/$name.log" 2>&1 &
  echo $! >"$CLUSTER_DIR/run/$name.pid"
}

wait_for() {
  local what="$1" tries="$2"; shift 2
  for _ in $(seq "$tries"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "timed out waiting for $what" >&2
  exit 1
}

log "pg_auto_failover monitor on 127.0.0.1:$MONITOR_PORT"
as_pg pg_autoctl create monitor --pgdata "$CLUSTER_DIR/monitor" --pgport "$MONITOR_PORT" \
  --hostname 127.0.0.1 --auth trust --no-ssl --pgctl "$PG_BIN/pg_ctl" >"$CLUSTER_DIR/logs/create-monitor.log" 2>&1
background monitor "${PG_PREFIX[@]}" pg_autoctl run --pgdata "$CLUSTER_DIR/monitor"
wait_for "the monitor" 60 as_pg psql -h 127.0.0.1 -p "$MONITOR_PORT" -U autoctl_node -d pg_auto_failover -c 'select 1'
# Failover in seconds rather than the defaults' half minute: health checks every second, a node
# unhealthy after 2 s without checks or keeper reports, and a dead primary not waited for.
as_pg psql -h 127.0.0.1 -p "$MONITOR_PORT" -U postgres -d pg_auto_failover -q <<'SQL'
alter system set pgautofailover.health_check_period = 1000;
alter system set pgautofailover.health_check_timeout = 1000;
alter system set pgautofailover.health_check_max_retries = 1;
alter system set pgautofailover.health_check_retry_delay = 500;
alter system set pgautofailover.node_considered_unhealthy_timeout = 2000;
alter system set pgautofailover.primary_demote_timeout = 3000;
select pg_reload_conf();
SQL
MONITOR_URI="postgres://autoctl_node@127.0.0.1:$MONITOR_PORT/pg_auto_failover?sslmode=disable"

create_node() {
  local name="$1" port="$2"
  log "PostgreSQL node $name on 127.0.0.1:$port"
  as_pg pg_autoctl create postgres --pgdata "$CLUSTER_DIR/$name" --pgport "$port" --name "$name" \
    --hostname 127.0.0.1 --dbname "$DB_NAME" --auth trust --no-ssl --monitor "$MONITOR_URI" \
    --pgctl "$PG_BIN/pg_ctl" >"$CLUSTER_DIR/logs/create-$name.log" 2>&1
  background "$name" "${PG_PREFIX[@]}" pg_autoctl run --pgdata "$CLUSTER_DIR/$name"
}
node_state() { # name -> reported state on the monitor
  as_pg psql -h 127.0.0.1 -p "$MONITOR_PORT" -U autoctl_node -d pg_auto_failover -tAc \
    "select reportedstate from pgautofailover.node where nodename = '$1'"
}
state_is() { [ "$(node_state "$1")" = "$2" ]; }

create_node node1 "$NODE1_PORT"
wait_for "node1 to be a single primary" 120 state_is node1 single
create_node node2 "$NODE2_PORT"
wait_for "node2 to be a secondary" 240 state_is node2 secondary
wait_for "node1 to be primary" 60 state_is node1 primary

log "HAProxy: PostgreSQL primary on :$PG_PROXY_PORT, API on :$HTTP_PROXY_PORT (stats :$HAPROXY_STATS_PORT)"
cat >"$CLUSTER_DIR/check-primary.sh" <<CHECK
#!/bin/sh
# HAProxy external check: \$3 \$4 are the server's address and port. Up only on a primary that
# takes writes, as libpq's target_session_attrs=read-write: pg_auto_failover promotes a standby
# with default_transaction_read_only on until the old primary is known to be gone.
[ "\$("$PG_BIN/psql" "host=\$3 port=\$4 user=postgres dbname=postgres connect_timeout=1" -tAc "select pg_is_in_recovery() or current_setting('transaction_read_only')::bool" 2>/dev/null)" = f ]
CHECK
chmod 755 "$CLUSTER_DIR/check-primary.sh"
problem='{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"No instance can answer right now, try again shortly","code":"SERVICE_UNAVAILABLE","retryAfter":1}'
for code in 502 503 504; do
  # The balancer's own failures are the same 503 problem details, with Retry-After, as the service's.
  printf 'HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\n\r\n%s\n' \
    "$problem" >"$CLUSTER_DIR/$code.http"
done
api_servers=""
i=1
for port in $API_PORTS; do
  api_servers+="  server api$i 127.0.0.1:$port check inter 500 fall 2 rise 2"$'\n'
  i=$((i + 1))
done
cat >"$CLUSTER_DIR/haproxy.cfg" <<CFG
global
  external-check
  insecure-fork-wanted
  maxconn 2000
  pidfile $CLUSTER_DIR/run/haproxy.pid

defaults
  timeout connect 1s
  timeout client 60s
  timeout server 60s
  timeout check 2s
  errorfile 502 $CLUSTER_DIR/502.http
  errorfile 503 $CLUSTER_DIR/503.http
  errorfile 504 $CLUSTER_DIR/504.http

listen stats
  mode http
  bind 127.0.0.1:$HAPROXY_STATS_PORT
  stats enable
  stats uri /

# PostgreSQL: only the node that is not in recovery; sessions on a node that goes down are cut.
listen postgres
  mode tcp
  bind 127.0.0.1:$PG_PROXY_PORT
  option external-check
  external-check path "/usr/bin:/bin"
  external-check command $CLUSTER_DIR/check-primary.sh
  default-server inter 500 fall 1 rise 1 on-marked-down shutdown-sessions
  server node1 127.0.0.1:$NODE1_PORT check
  server node2 127.0.0.1:$NODE2_PORT check

# The API: ready instances only. A request whose instance died is sent to another: POSTs carry an
# Idempotency-Key, so a replay cannot write twice.
listen api
  mode http
  bind 127.0.0.1:$HTTP_PROXY_PORT
  option httpchk GET /health/ready
  option redispatch
  retries 3
  retry-on conn-failure empty-response response-timeout
  timeout server 20s
$api_servers
CFG
haproxy -c -q -f "$CLUSTER_DIR/haproxy.cfg"
background haproxy haproxy -db -f "$CLUSTER_DIR/haproxy.cfg"
wait_for "HAProxy to reach the primary" 40 "$PG_BIN/psql" "$DATABASE_URL" -c 'select 1'

log "building the API"
npx nest build
secret_file="$CLUSTER_DIR/jwt-secret"
[ -f "$secret_file" ] || head -c 48 /dev/urandom | base64 | tr -d '\n/+=' >"$secret_file"
# Every instance must read the webhook secrets the others wrote: one key for the cluster.
webhook_key_file="$CLUSTER_DIR/webhook-secret-key"
[ -f "$webhook_key_file" ] || head -c 32 /dev/urandom | base64 | tr -d '\n' >"$webhook_key_file"
# The instances run node as `npm run start:prod` does, with its flags (its heap limit), but without npm
# in between: chaos kills an instance's own process.
read -r -a node_flags <<<"$(node -e "process.stdout.write(require('./package.json').scripts['start:prod'].replace(/^node (.*)dist\/src\/main\.js$/, '\$1'))")"
i=1
for port in $API_PORTS; do
  log "API instance api$i on 127.0.0.1:$port"
  background "api$i" env NODE_ENV=production PORT="$port" HOST=127.0.0.1 DATABASE_URL="$DATABASE_URL" \
    JWT_SECRET="$(cat "$secret_file")" WEBHOOK_SECRET_KEY="$(cat "$webhook_key_file")" LOG_LEVEL=warn AUTH_RATE_LIMIT_PER_MINUTE=100000 \
    DB_POOL_ACQUIRE_TIMEOUT_MS=2000 SHUTDOWN_TIMEOUT_MS=5000 PUBLIC_URL="http://127.0.0.1:$HTTP_PROXY_PORT/" \
    node "${node_flags[@]}" dist/src/main.js
  i=$((i + 1))
done
wait_for "the API behind HAProxy" 360 curl -fsS "http://127.0.0.1:$HTTP_PROXY_PORT/health/ready"
for port in $API_PORTS; do wait_for "api on $port" 360 curl -fsS "http://127.0.0.1:$port/health/ready"; done
completed=yes
log "up: API http://127.0.0.1:$HTTP_PROXY_PORT  PostgreSQL $DATABASE_URL  (npm run cluster:down to stop)"
