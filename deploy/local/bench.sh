#!/usr/bin/env bash
# Benchmarks a fresh local 3-node cluster with `kvorum bench` and reports, per workload, what
# the client saw (ops/s, latency) beside what the servers spent: CPU per operation, context
# switches per operation (voluntary + involuntary, all three servers), and each node's RSS.
#
#   deploy/local/bench.sh                       the default set (below), 15 s each
#   DURATION=5s deploy/local/bench.sh write:1 write:64   a quick partial run
#
# A workload is WORKLOAD:CLIENTS[:CONSISTENCY]: write:64, read:64:serializable, mixed:64.
# Knobs: DURATION (15s), WARMUP (3s), CONNECTIONS (3: one client instance per node), KEYS
# (10000), VALUE_SIZE (256), KVORUM_DATA (default ./data-bench, wiped first), SECURE (1: start the
# cluster with `cluster.sh start 3 --secure`, so TLS on every port and auth on, and bench as root
# over TLS; run once with and once without to see what security costs). Output: one line per
# workload on stdout, and each run's JSON in $KVORUM_DATA/bench-*.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export KVORUM_DATA="${KVORUM_DATA:-$root/data-bench}"
export KVORUM_ENDPOINTS=127.0.0.1:7379,127.0.0.1:7389,127.0.0.1:7399
DURATION="${DURATION:-15s}" WARMUP="${WARMUP:-3s}" CONNECTIONS="${CONNECTIONS:-3}"
KEYS="${KEYS:-10000}" VALUE_SIZE="${VALUE_SIZE:-256}" SECURE="${SECURE:-0}"
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(write:1 write:16 write:64 write:256 read:1 read:64 read:256
  read:1:serializable read:64:serializable mixed:64)

cluster="$root/deploy/local/cluster.sh"
"$cluster" wipe >/dev/null
trap '"$cluster" stop >/dev/null 2>&1 || true' EXIT
security=()
if [ "$SECURE" = 1 ]; then
  "$cluster" start 3 --secure >&2
  tls="$KVORUM_DATA/tls"
  security=(--cacert "$tls/ca.pem" --user root --password-file "$tls/root.password")
else
  "$cluster" start 3 >&2
fi
pids=$(cat "$KVORUM_DATA"/node-*/pid)
hz=$(getconf CLK_TCK)

# Sum over the servers of: CPU ticks (user + system), and context switches.
cpu_ticks() { for p in $pids; do awk '{print $14 + $15}' "/proc/$p/stat"; done | awk '{s += $1} END {print s}'; }
# A process's own status counts its main thread's switches only: sum over its threads.
switches() { for p in $pids; do cat /proc/"$p"/task/*/status 2>/dev/null; done | awk '/ctxt_switches/ {s += $2} END {print s}'; }
rss_mb() { for p in $pids; do awk '/VmRSS/ {printf "%d ", $2 / 1024}' "/proc/$p/status"; done; }

bench() { # bench WORKLOAD CLIENTS CONSISTENCY DURATION WARMUP [extra args]
  local w=$1 c=$2 cons=$3 d=$4 wu=$5; shift 5
  local conns=$(( c < CONNECTIONS ? c : CONNECTIONS ))
  "$root/bin/kvorum" "${security[@]}" bench --workload "$w" --clients "$c" --connections "$conns" --consistency "$cons" \
    --duration "$d" --warmup "$wu" --keys "$KEYS" --value-size "$VALUE_SIZE" --timeout 30s -o json "$@" 2>/dev/null
}

# Keys are created once, and the JIT of servers and client warmed, before anything is measured.
bench write 64 linearizable 5s 1s >/dev/null
printf '%-24s %10s %9s %9s %9s %7s %13s %13s  %s\n' workload ops/s p50_ms p99_ms p999_ms errors \
  cpu_ms/op ctxsw/op rss_mb
for spec in "${workloads[@]}"; do
  IFS=: read -r w c cons <<<"$spec"
  cons=${cons:-linearizable}
  t0=$(cpu_ticks); s0=$(switches)
  json=$(bench "$w" "$c" "$cons" "$DURATION" "$WARMUP")
  t1=$(cpu_ticks); s1=$(switches)
  echo "$json" >"$KVORUM_DATA/bench-$w-$c-$cons.json"
  # The servers' counters span the warm-up too: per operation, divide by all operations run
  # (measured ops at the measured rate over warm-up + duration).
  python3 - "$json" "$((t1 - t0))" "$((s1 - s0))" "$hz" "$spec" "$(rss_mb)" <<'PY'
import json, sys
o = json.loads(sys.argv[1]); ticks, sw, hz = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
total = o["opsPerSecond"] * (o["warmupSeconds"] + o["durationSeconds"])
l = o["latencyMillis"]
print(f'{sys.argv[5]:24s} {o["opsPerSecond"]:10.0f} {l["p50"]:9.2f} {l["p99"]:9.2f} {l["p999"]:9.2f} '
      f'{o["errors"]:7d} {ticks * 1000 / hz / max(total, 1):13.3f} {sw / max(total, 1):13.1f}  {sys.argv[6]}')
PY
done
