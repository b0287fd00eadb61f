#!/usr/bin/env bash
# The HTTP/JSON API beside gRPC on a fresh local 3-node cluster: GET and PUT of VALUE_SIZE-byte
# values over KEYS keys at 1 and 64 connections, through wrk (HTTP/1.1 keep-alive, one
# connection per request in flight, spread over the three nodes' HTTP ports) and through
# `kvorum bench` (gRPC, kv-client, spread over the three nodes the same way), one after the
# other against the same cluster. Per row: ops/s, latency, and the three servers' CPU per
# operation (which is what the API costs; the load generators differ: wrk is C, kv-client Java).
#
#   deploy/local/http-bench.sh                   needs wrk (apt-get install wrk)
#   DURATION=5s deploy/local/http-bench.sh       shorter rows
#
# Knobs: DURATION (10s), KEYS (10000), VALUE_SIZE (256), KVORUM_DATA (default ./data-bench,
# wiped first). HTTP GETs are linearizable, as gRPC reads are by default.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
command -v wrk >/dev/null || { echo "http-bench.sh needs wrk (apt-get install wrk)" >&2; exit 2; }
export KVORUM_DATA="${KVORUM_DATA:-$root/data-bench}"
export KVORUM_ENDPOINTS=127.0.0.1:7379,127.0.0.1:7389,127.0.0.1:7399
http_ports=(7382 7392 7402)
DURATION="${DURATION:-10s}" KEYS="${KEYS:-10000}" VALUE_SIZE="${VALUE_SIZE:-256}"

cluster="$root/deploy/local/cluster.sh"
"$cluster" wipe >/dev/null
work=$(mktemp -d)
trap '"$cluster" stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$cluster" start 3 >&2
pids=$(cat "$KVORUM_DATA"/node-*/pid)
hz=$(getconf CLK_TCK)
cpu_ticks() { for p in $pids; do awk '{print $14 + $15}' "/proc/$p/stat"; done | awk '{s += $1} END {print s}'; }

# The keys `kvorum bench` uses (/bench/k0000000 and up), so both APIs read and write the same nodes.
cat >"$work/get.lua" <<LUA
request = function() return wrk.format("GET", string.format("/v1/nodes/bench/k%07d", math.random(0, $KEYS - 1))) end
LUA
cat >"$work/put.lua" <<LUA
local body = string.rep("x", $VALUE_SIZE)
request = function()
  return wrk.format("PUT", string.format("/v1/nodes/bench/k%07d", math.random(0, $KEYS - 1)),
    {["Content-Type"] = "application/octet-stream"}, body)
end
LUA
# wrk's summary as JSON: requests, errors (socket errors and non-2xx), latency percentiles in ms.
cat >>"$work/get.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests":%d,"errors":%d,"p50":%.3f,"p99":%.3f}\n', summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
sed -n '/^done = /,$p' "$work/get.lua" >>"$work/put.lua"

grpc() { # grpc WORKLOAD CLIENTS: one kvorum bench run, its JSON
  local conns=$(( $2 < 3 ? $2 : 3 ))
  "$root/bin/kvorum" bench --workload "$1" --clients "$2" --connections "$conns" --duration "$DURATION" \
    --warmup 2s --keys "$KEYS" --value-size "$VALUE_SIZE" --timeout 30s -o json 2>/dev/null
}

http() { # http SCRIPT CONNECTIONS: wrk on each node's HTTP port at once, their summaries
  local n=$(( $2 < 3 ? $2 : 3 )) i
  for ((i = 0; i < n; i++)); do
    local c=$(( $2 / n + (i < $2 % n ? 1 : 0) ))
    wrk -t1 -c"$c" -d"$DURATION" -s "$work/$1.lua" "http://127.0.0.1:${http_ports[$i]}" | grep '^WRK' &
  done
  wait
}

report() { # report ROW TICKS SECONDS, the run's output on stdin
  python3 -c '
import json, sys
row, ticks, hz, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
lines = [l[4:] if l.startswith("WRK ") else l for l in sys.stdin.read().splitlines() if l.strip()]
runs = [json.loads(l) for l in lines]
if "opsPerSecond" in runs[0]:
    o = runs[0]; ops = o["opsPerSecond"]; total = ops * (o["warmupSeconds"] + o["durationSeconds"])
    p50, p99, errors = o["latencyMillis"]["p50"], o["latencyMillis"]["p99"], o["errors"]
else:
    total = sum(r["requests"] for r in runs); ops = total / seconds; errors = sum(r["errors"] for r in runs)
    p50, p99 = max(r["p50"] for r in runs), max(r["p99"] for r in runs)
print(f"{row:22s} {ops:9.0f} {p50:8.2f} {p99:8.2f} {errors:7d} {ticks * 1000 / hz / max(total, 1):10.3f}")
' "$1" "$2" "$hz" "$3"
}

seconds=$(echo "$DURATION" | sed 's/s$//')
# Keys created once, and the servers' JIT warmed through both APIs, before anything is measured.
grpc write 64 >/dev/null
http get 64 >/dev/null
http put 64 >/dev/null
printf '%-22s %9s %8s %8s %7s %10s\n' row ops/s p50_ms p99_ms errors cpu_ms/op
for c in 1 64; do
  for spec in "GET grpc read" "GET http get" "PUT grpc write" "PUT http put"; do
    read -r verb api what <<<"$spec"
    t0=$(cpu_ticks)
    if [ "$api" = grpc ]; then out=$(grpc "$what" "$c"); else out=$(http "$what" "$c"); fi
    t1=$(cpu_ticks)
    echo "$out" | report "$verb $api, $c" "$((t1 - t0))" "$seconds"
  done
done
