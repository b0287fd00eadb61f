#!/usr/bin/env bash
# A three-datacenter Kvorum cluster on one machine, with simulated WAN latency between the
# datacenters, measured with `kvorum bench`. Not part of CI: it takes a few minutes.
#
#   deploy/local/wan.sh            start, measure, stop (data in ./data-wan, wiped first)
#
# Layout: voters 1, 2, 3 in dc1, dc2, dc3 (--leader-preference dc1), and observer 4 alone in
# dc4 (a read-only site). Each raft message between two datacenters is held ONE_WAY_MS (25)
# milliseconds by the sending node (-Dkvorum.debug.peer-delay-ms, a benchmark-only switch of the
# peer transport; tc netem would need root), so a round trip between datacenters costs
# 2 x ONE_WAY_MS. Client links are not delayed: a "client in dcN" is a client that routes its
# reads to dcN's members (--local-datacenter dcN) and its writes to the leader.
#
# Knobs: ONE_WAY_MS (25), DURATION (10s per run), CLIENTS (4), HEARTBEAT_MS (100), ELECTION_MS
# (1000), KVORUM_DATA (./data-wan). Ports 27379 + 10 (N-1) (client), +1 (peer), +2 (admin): not
# the default local cluster's. Prints one line per measurement; each run's JSON is kept in
# $KVORUM_DATA/wan-*.json. Processes are tracked by PID files and stopped by those ids alone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${KVORUM_DATA:-$root/data-wan}"
ONE_WAY_MS="${ONE_WAY_MS:-25}" DURATION="${DURATION:-10s}" CLIENTS="${CLIENTS:-4}"
HEARTBEAT_MS="${HEARTBEAT_MS:-100}" ELECTION_MS="${ELECTION_MS:-1000}"
dc=(none dc1 dc2 dc3 dc4)

client_port() { echo $(( 27379 + 10 * ($1 - 1) )); }
peer_port() { echo $(( 27380 + 10 * ($1 - 1) )); }
admin_port() { echo $(( 27381 + 10 * ($1 - 1) )); }
endpoints() { local s="" i; for i in "$@"; do s="$s${s:+,}127.0.0.1:$(client_port "$i")"; done; echo "$s"; }
kv() { "$root/bin/kvorum" --endpoints "$(endpoints 1 2 3 4)" "$@"; }
kv_at() { local ids=$1; shift; "$root/bin/kvorum" --endpoints "$(endpoints $ids)" "$@"; }

# The delays node N applies to messages for the other nodes: every node outside its datacenter.
delays() {
  local n=$1 s="" j
  for j in 1 2 3 4; do
    if [ "$j" != "$n" ] && [ "${dc[$j]}" != "${dc[$n]}" ]; then s="$s${s:+,}$j=$ONE_WAY_MS"; fi
  done
  echo "$s"
}

# The founders list themselves; the joining observer lists them and itself.
initial_cluster() {
  local s="" i last=3
  [ "$1" -le 3 ] || last=$1
  for i in $(seq 1 "$last"); do s="$s${s:+,}$i=127.0.0.1:$(peer_port "$i")"; done
  echo "$s"
}

start_node() { # start_node N [--join]
  local n=$1; shift
  mkdir -p "$data/node-$n"
  JAVA_OPTS="-Xms64m -Xmx256m -XX:+UseSerialGC -Dkvorum.debug.peer-delay-ms=$(delays "$n")" \
    nohup "$root/bin/kvorum-server" --id "$n" --cluster-id wan --data-dir "$data/node-$n" \
    --client-listen "127.0.0.1:$(client_port "$n")" --peer-listen "127.0.0.1:$(peer_port "$n")" \
    --admin-listen "127.0.0.1:$(admin_port "$n")" \
    --initial-cluster "$(initial_cluster "$n")" \
    --datacenter "${dc[$n]}" --leader-preference dc1 \
    --heartbeat-ms "$HEARTBEAT_MS" --election-ms "$ELECTION_MS" "$@" \
    >>"$data/node-$n/server.log" 2>&1 </dev/null &
  echo $! >"$data/node-$n/pid"
}

stop_all() {
  local f pid
  for f in "$data"/node-*/pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

leader() { kv -o json member list 2>/dev/null | sed -n 's/.*"leaderId":\([0-9]*\).*/\1/p'; }

await() { # await DESCRIPTION COMMAND...: up to 60 s
  local what=$1; shift
  for _ in $(seq 1 120); do if "$@" >/dev/null 2>&1; then return 0; fi; sleep 0.5; done
  echo "wan.sh: $what did not happen within 60 s; logs in $data/node-*/server.log" >&2; exit 1
}

leader_is() { [ "$(leader)" = "$1" ]; }
has_leader() { local l; l=$(leader); [ -n "$l" ] && [ "$l" != 0 ]; }

bench() { # bench LABEL [kvorum global flags] -- [bench flags]
  local label=$1; shift
  local global=() json
  while [ "$1" != -- ]; do global+=("$1"); shift; done; shift
  json=$(kv "${global[@]}" --timeout 30s -o json bench --clients "$CLIENTS" --duration "$DURATION" --warmup 2s \
    --keys 1000 "$@" 2>/dev/null)
  echo "$json" >"$data/wan-$label.json"
  python3 - "$label" "$json" <<'PY'
import json, sys
o = json.loads(sys.argv[2]); l = o["latencyMillis"]
print(f'{sys.argv[1]:34s} {o["opsPerSecond"]:8.0f} {l["p50"]:9.2f} {l["p99"]:9.2f} {o["errors"]:7d}')
PY
}

trap stop_all EXIT
stop_all
rm -rf "$data"
mkdir -p "$data"
for n in 1 2 3; do start_node "$n"; done
await "a leader" has_leader
kv member add --observer 4 "127.0.0.1:$(peer_port 4)" >/dev/null
start_node 4 --join
await "leadership in dc1 (node 1)" leader_is 1
await "the observer serving" kv_at 4 --consistency serializable get /
echo "cluster: $(kv member list | tr -s ' ' | paste -sd ';' -)" >&2
echo "one-way delay between datacenters ${ONE_WAY_MS} ms (round trip $((2 * ONE_WAY_MS)) ms); $CLIENTS clients, $DURATION each"

# Keys created, JITs warm.
kv --timeout 30s bench --workload write --clients "$CLIENTS" --duration 3s --warmup 1s --keys 1000 >/dev/null 2>&1
printf '%-34s %8s %9s %9s %7s\n' measurement ops/s p50_ms p99_ms errors
bench write -- --workload write
for d in dc1 dc2 dc3 dc4; do
  bench "read-linearizable-from-$d" --local-datacenter "$d" -- --workload read
  bench "read-serializable-from-$d" --local-datacenter "$d" --consistency serializable -- --workload read
done

# Losing the leader's datacenter: stop node 1 (SIGSTOP: a partition-like silence, no connection
# reset), then time how long until a write through the others succeeds. Each try is a CLI run
# (a JVM start, about half a second here), so the figure is an upper bound.
kv create /failover x >/dev/null
leader_pid=$(cat "$data/node-1/pid")
t0=$(date +%s%N)
kill -STOP "$leader_pid"
until kv_at "2 3" --timeout 1s set /failover x >/dev/null 2>&1; do :; done
t1=$(date +%s%N)
echo "writes again $(( (t1 - t0) / 1000000 )) ms after dc1 (the leader's datacenter) went silent"
kill -CONT "$leader_pid"
await "leadership back in dc1 after it returned" leader_is 1
echo "leadership back in dc1 after it returned"
