#!/usr/bin/env bash
# Overload test, by hand: measures a fresh local 3-node cluster's write capacity, offers far
# more than that, then drops back, and reports per second what the clients got and what the
# servers did: throughput, the admitted writes' p99 at the server's door, the writes refused
# RESOURCE_EXHAUSTED/OVERLOADED, and each node's RSS against a bound.
#
#   deploy/local/overload.sh
#   OVER_FACTOR=20 deploy/local/overload.sh     offer twenty times the capacity
#
# Phases (each a `kvorum bench --workload write` run, 256-byte values over KEYS keys):
#   capacity  CAP_CLIENTS (256) closed-loop writers over 3 client instances for CAP_DURATION
#             (20s): the measured capacity C, in writes/s.
#   overload  an open-loop generator (io.kvorum.cli.bench.OpenLoopWrites) offers OVER_FACTOR (10)
#             times C for OVER_DURATION (60s) over OVER_STREAMS (2) Batch streams per node,
#             whatever the answers: no retries, no per-write futures, requests pre-encoded, so
#             that the generator, on the same machine, costs far less per write than a server.
#             Each node admits its write limit at once (AdmissionLimits, 384 by default) and
#             refuses the rest at its door (RESOURCE_EXHAUSTED / OVERLOADED). The load offered at the door is what the
#             servers admitted plus what they refused, per second; the generator reports what it
#             sent against its target, what it could not send (a stream's flow control said
#             wait), and its writes answered ok with their latency from send to answer.
#   recovery  as capacity, right after: throughput must come back to C.
#
# Knobs: KEYS (10000), TIMEOUT (10s; the generator's items: OVER_TIMEOUT_MS, 5000), KVORUM_DATA (default ./data-overload, wiped first),
# KVORUM_PORT_BASE (24679: not the default local cluster's ports), SERVER_JAVA_OPTS (the servers' JVM flags; unset, the
# launcher's own defaults, not the caller's JAVA_OPTS), RSS_BOUND_MB (512: twice the heap, the ratio
# the Kubernetes manifest gives a member's memory limit). Output: a summary on stdout, and in
# $KVORUM_DATA/overload/: samples.csv (per second and node: RSS, door counters and the admitted
# writes' latency buckets), <phase>.json and <phase>.progress (the bench's result and its
# per-second lines). Exit 0 when the nodes stayed up, under the bound, and throughput recovered.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export KVORUM_DATA="${KVORUM_DATA:-$root/data-overload}"
export KVORUM_PORT_BASE="${KVORUM_PORT_BASE:-24679}"
base=$KVORUM_PORT_BASE
export KVORUM_ENDPOINTS="127.0.0.1:$base,127.0.0.1:$((base + 10)),127.0.0.1:$((base + 20))"
# Empty JAVA_OPTS makes bin/kvorum-server use its defaults, so they are written in one place.
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:-}"
RSS_BOUND_MB="${RSS_BOUND_MB:-512}"
CAP_CLIENTS="${CAP_CLIENTS:-256}" CAP_DURATION="${CAP_DURATION:-20s}"
TIMEOUT="${TIMEOUT:-10s}" KEYS="${KEYS:-10000}"
OVER_FACTOR="${OVER_FACTOR:-10}" OVER_STREAMS="${OVER_STREAMS:-2}" OVER_DURATION="${OVER_DURATION:-60}"
OVER_TIMEOUT_MS="${OVER_TIMEOUT_MS:-5000}"

cluster="$root/deploy/local/cluster.sh"
"$cluster" wipe >/dev/null
out="$KVORUM_DATA/overload"
mkdir -p "$out"
trap '"$cluster" stop >/dev/null 2>&1 || true; [ -z "${sampler:-}" ] || kill "$sampler" 2>/dev/null || true' EXIT
# cluster.sh gives up after 30 s without a leader; a loaded machine may take longer to start
# three JVMs, so the wait below decides.
JAVA_OPTS="$SERVER_JAVA_OPTS" "$cluster" start 3 >&2 || echo "overload: no leader yet; waiting for one" >&2
pids=()
for n in 1 2 3; do pids+=("$(cat "$KVORUM_DATA/node-$n/pid")"); done
admin_port() { echo $((base + 2 + 10 * ($1 - 1))); }

# Once a second until killed: per node, RSS and the door's figures from /metrics.
sample_loop() {
  echo "time,phase,node,pid,rss_kb,refused_writes,admitted_writes,in_flight_writes,admitted_buckets" > "$out/samples.csv"
  while true; do
    local now phase
    now=$(date +%s.%N)
    phase=$(cat "$out/phase" 2>/dev/null || echo setup)
    for n in 1 2 3; do
      local pid=${pids[$((n - 1))]} rss m
      if [ ! -d "/proc/$pid" ]; then echo "$now,$phase,$n,$pid,down,,,," >> "$out/samples.csv"; continue; fi
      rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo "")
      m=$(curl -s --max-time 1 "http://127.0.0.1:$(admin_port "$n")/metrics" || true)
      # Cumulative counts of the admitted writes' latency buckets, "le=count" joined by ";".
      echo "$now,$phase,$n,$pid,$rss,$(awk '
        $1 == "kvorum_admission_refused_total{kind=\"write\"}" {r = $2}
        $1 == "kvorum_admission_admitted_duration_seconds_count{kind=\"write\"}" {c = $2}
        $1 == "kvorum_admission_in_flight{kind=\"write\"}" {f = $2}
        $1 ~ /^kvorum_admission_admitted_duration_seconds_bucket\{kind="write",le=/ {
          le = $1; sub(/.*le="/, "", le); sub(/".*/, "", le); b = b (b == "" ? "" : ";") le "=" $2 }
        END {if (c == "") printf ",,,"; else printf "%d,%d,%d,%s", r, c, f, b}' <<< "$m")" >> "$out/samples.csv"
    done
    sleep 1
  done
}

bench() { # bench PHASE CLIENTS CONNECTIONS DURATION WARMUP [TIMEOUT]
  echo "$1" > "$out/phase"
  JAVA_OPTS= "$root/bin/kvorum" bench --workload write --clients "$2" --connections "$3" --duration "$4" \
    --warmup "$5" --keys "$KEYS" --timeout "${6:-$TIMEOUT}" -o json > "$out/$1.json" 2> "$out/$1.progress" || true
}

# A leader is not yet a node that answers (a loaded machine may take seconds to JIT the path):
# wait for a write to succeed, then create the keys and warm the servers' and client's JIT
# with a generous deadline, before anything counts.
ready=false
for _ in $(seq 1 24); do
  if JAVA_OPTS= "$root/bin/kvorum" --timeout 5s set /overload-ready ok >/dev/null 2>&1 \
    || JAVA_OPTS= "$root/bin/kvorum" --timeout 5s create /overload-ready ok >/dev/null 2>&1; then
    ready=true; break
  fi
done
[ "$ready" = true ] || { echo "overload: the cluster did not take a write; see $KVORUM_DATA/node-*/server.log" >&2; exit 2; }
bench setup 64 3 5s 1s 30s
sample_loop &
sampler=$!
bench capacity "$CAP_CLIENTS" 3 "$CAP_DURATION" 3s
cap=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["opsPerSecond"]))' "$out/capacity.json")
echo overload > "$out/phase"
jar=$(ls "$root"/kv-cli/target/kv-cli-*.jar | grep -v -- '-tests.jar' | head -n 1)
java -XX:+UseParallelGC -Xms256m -cp "$jar:$root/kv-cli/target/lib/*" io.kvorum.cli.bench.OpenLoopWrites \
  "$KVORUM_ENDPOINTS" $((cap * OVER_FACTOR)) "$OVER_DURATION" "$OVER_STREAMS" "$KEYS" 256 "$OVER_TIMEOUT_MS" \
  > "$out/overload.json" 2> "$out/overload.progress" || true
bench recovery "$CAP_CLIENTS" 3 "$CAP_DURATION" 0
echo done > "$out/phase"
sleep 2
kill "$sampler" 2>/dev/null || true
sampler=""
alive=0
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done

python3 - "$out" "$RSS_BOUND_MB" "$alive" <<'PY'
import csv, json, math, os, re, sys
out, bound_mb, alive = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
phases = ["capacity", "overload", "recovery"]
res = {}
for p in phases:
    try:
        res[p] = json.load(open(os.path.join(out, p + ".json")))
    except ValueError:
        last = [l.strip() for l in open(os.path.join(out, p + ".progress")) if l.strip()][-1:]
        sys.exit(f"the {p} phase did not finish: {last}")
cap = res["capacity"]["opsPerSecond"]
all_rows = [r for r in csv.DictReader(open(os.path.join(out, "samples.csv"))) if r["rss_kb"] not in ("", "down")]
# A scrape that timed out under load leaves the door's figures empty: RSS still counts.
rows = [r for r in all_rows if r["admitted_writes"] != ""]

def buckets(s):
    d = {}
    for part in filter(None, s.split(";")):
        le, v = part.split("=")
        d[math.inf if le == "+Inf" else float(le)] = float(v)
    return d

def p99(delta):
    total = delta.get(math.inf, 0)
    if total <= 0:
        return None
    for le in sorted(delta):
        if delta[le] >= 0.99 * total:
            return le
    return math.inf

# Per second of wall time and phase: the three nodes' counters summed, RSS per node.
by_tick = {}
for r in rows:
    t = int(float(r["time"]))
    by_tick.setdefault((t, r["phase"]), []).append(r)
ticks = sorted(by_tick)
series = []
prev = None
for t, phase in ticks:
    rs = by_tick[(t, phase)]
    if len(rs) < 3:
        continue
    refused = sum(int(r["refused_writes"]) for r in rs)
    admitted = sum(int(r["admitted_writes"]) for r in rs)
    b = {}
    for r in rs:
        for le, v in buckets(r["admitted_buckets"]).items():
            b[le] = b.get(le, 0) + v
    cur = dict(t=t, phase=phase, refused=refused, admitted=admitted, buckets=b,
               rss=[int(r["rss_kb"]) // 1024 for r in sorted(rs, key=lambda r: r["node"])],
               inflight=sum(int(r["in_flight_writes"]) for r in rs))
    if prev is not None and t > prev["t"]:
        dt = t - prev["t"]
        cur["refused_d"] = refused - prev["refused"]
        cur["admitted_d"] = admitted - prev["admitted"]
        cur["dt"] = dt
        cur["refused_s"] = cur["refused_d"] / dt
        cur["admitted_s"] = cur["admitted_d"] / dt
        cur["delta"] = {le: b.get(le, 0) - prev["buckets"].get(le, 0) for le in b}
    series.append(cur)
    prev = cur

def fmt_le(le):
    return "none" if le is None else ("> 10 s" if le == math.inf else f"<= {le * 1000:g} ms")

print(f"capacity: {cap:,.0f} writes/s ({res['capacity']['clients']} writers in flight), "
      f"p99 {res['capacity']['latencyMillis']['p99']:.0f} ms")
print("\nper second (servers' door, all nodes; RSS per node, MiB; bound %d MiB):" % bound_mb)
print(f"{'phase':9s} {'s':>4s} {'admitted/s':>10s} {'refused/s':>10s} {'offered/C':>9s} {'admitted p99':>14s} "
      f"{'in flight':>9s}  rss")
start = {}
for s in series:
    if "admitted_s" not in s or s["phase"] not in phases:
        continue
    k = start.setdefault(s["phase"], s["t"])
    offered = (s["admitted_s"] + s["refused_s"]) / cap if cap else 0
    print(f"{s['phase']:9s} {s['t'] - k:4d} {s['admitted_s']:10,.0f} {s['refused_s']:10,.0f} {offered:9.1f} "
          f"{fmt_le(p99(s['delta'])):>14s} {s['inflight']:9d}  {'/'.join(map(str, s['rss']))}")

print("\nclient side, per second (kvorum bench: writes completed ok, their p50/p99 including retries, errors;"
      " overload: the open-loop generator's writes sent, not sent, ok, RESOURCE_EXHAUSTED, other errors, ok p50/p99):")
for ph in phases:
    for line in open(os.path.join(out, ph + ".progress")):
        if "ops/s" in line or '"sent"' in line:
            print(f"  {ph:9s} {line.strip()}")

print("\nper phase:")
for ph in phases:
    ss = [s for s in series if s["phase"] == ph and "admitted_s" in s]
    if not ss:
        continue
    agg = {}
    for s in ss:
        for le, v in s["delta"].items():
            agg[le] = agg.get(le, 0) + v
    # Totals are the counters' deltas (a scrape may come seconds after the last under load),
    # the offered rate is over the seconds those deltas span.
    refused = sum(s["refused_d"] for s in ss)
    admitted = sum(s["admitted_d"] for s in ss)
    span = sum(s["dt"] for s in ss)
    j = res[ph]
    if "targetRate" in j:
        client = (f"generator: target {j['targetRate']:,.0f}/s, sent {j['offeredPerSecond']:,.0f}/s "
                  f"({j['notSent']:,} not sent), {j['okPerSecond']:,.0f} writes/s ok (p50 "
                  f"{j['okLatencyMillis']['p50']:.0f} ms, p99 {j['okLatencyMillis']['p99']:.0f} ms), "
                  f"{j['exhausted']:,} RESOURCE_EXHAUSTED, other errors {j['errorsByCode']}")
    else:
        client = (f"client saw {j['opsPerSecond']:,.0f} writes/s ok, p50 {j['latencyMillis']['p50']:.0f} ms, "
                  f"p99 {j['latencyMillis']['p99']:.0f} ms, errors {j['errors']} {j['errorsByType']}")
    print(f"  {ph}: {client}; door: "
          f"{admitted:,.0f} admitted, {refused:,.0f} refused RESOURCE_EXHAUSTED/OVERLOADED "
          f"(offered {(admitted + refused) / span / cap:.1f} x capacity over {span} s), admitted p99 {fmt_le(p99(agg))}, "
          f"max RSS {max(max(s['rss']) for s in ss)} MiB")
max_rss = max((int(r["rss_kb"]) // 1024 for r in all_rows), default=0)
missed = len(all_rows) - len(rows)
recovered = res["recovery"]["opsPerSecond"] / cap if cap else 0
print(f"\nnodes up at the end: {alive}/3; max RSS {max_rss} MiB (bound {bound_mb}); "
      f"recovery throughput {recovered:.2f} x capacity; {missed} of {len(all_rows)} scrapes timed out")
ok = alive == 3 and max_rss <= bound_mb and recovered >= 0.8
print("verdict:", "PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY
