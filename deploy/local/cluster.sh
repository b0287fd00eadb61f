#!/usr/bin/env bash
# A local Kvorum cluster on loopback. Data, logs and PID files live under <repo>/data/node-N
# (or $KVORUM_DATA/node-N), whatever directory this is run from.
#   start [3|5]   build when needed and start (or resume) the cluster
#   stop          stop every node (SIGTERM: a leader hands off first; SIGKILL after 10 s)
#   status        each node's role, term, commit and applied index, and who leads
#   kill N        SIGKILL node N          restart N   stop and start node N again, wait until healthy
#   rolling-restart   restart every node in turn, followers first, each once the previous is healthy
#   pause N       SIGSTOP node N          resume N    SIGCONT node N
#   wipe          stop everything and delete the data directory
# Node N listens on client 7379+10(N-1), peer 7380+10(N-1), admin 7381+10(N-1), HTTP API 7382+10(N-1).
# Processes are tracked by their PID files and signalled by those ids alone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${KVORUM_DATA:-$root/data}"

port() { echo $(( $2 + 10 * ($1 - 1) )); }
pidfile() { echo "$data/node-$1/pid"; }
size() { cat "$data/cluster.size" 2>/dev/null || echo 3; }

alive() {
  local f; f=$(pidfile "$1")
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

initial_cluster() {
  local n=$1 spec="" i
  for i in $(seq 1 "$n"); do spec="$spec${spec:+,}$i=127.0.0.1:$(port "$i" 7380)"; done
  echo "$spec"
}

start_node() {
  local i=$1 n; n=$(size)
  if alive "$i"; then echo "node $i already running (pid $(cat "$(pidfile "$i")"))"; return; fi
  mkdir -p "$data/node-$i"
  nohup "$root/bin/kvorum-server" --id "$i" --data-dir "$data/node-$i" \
    --client-listen "127.0.0.1:$(port "$i" 7379)" --peer-listen "127.0.0.1:$(port "$i" 7380)" \
    --admin-listen "127.0.0.1:$(port "$i" 7381)" --http-listen "127.0.0.1:$(port "$i" 7382)" \
    --initial-cluster "$(initial_cluster "$n")" \
    >>"$data/node-$i/server.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$i")"
  echo "node $i started (pid $!), log $data/node-$i/server.log"
}

stop_node() {
  local i=$1 f pid; f=$(pidfile "$i")
  if ! alive "$i"; then rm -f "$f"; return; fi
  pid=$(cat "$f")
  kill -CONT "$pid" 2>/dev/null || true
  kill -TERM "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  rm -f "$f"
  echo "node $i stopped"
}

# GET http://127.0.0.1:PORT/PATH with bash alone (no curl needed); prints the body.
http_get() {
  local body
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$2" >&3
  body=$(timeout 2 cat <&3) || true
  exec 3<&-
  printf '%s\n' "${body#*$'\r\n\r\n'}"
}

field() { sed -n "s/.*\"$2\":\\(\"[^\"]*\"\\|[0-9-]*\\).*/\\1/p" <<<"$1" | tr -d '"'; }

# Waits until node N answers /health with 200 (a leader known, applied caught up), up to 60 s.
await_healthy() {
  local i=$1
  for _ in $(seq 1 120); do
    if http_get "$(port "$i" 7381)" /health 2>/dev/null | grep -q '"ok":true'; then echo "node $i healthy"; return 0; fi
    sleep 0.5
  done
  echo "node $i not healthy after 60 s; see $data/node-$i/server.log" >&2; return 1
}

# The id of the leader as node N sees it, or nothing.
leader_of() { field "$(http_get "$(port "$1" 7381)" /status 2>/dev/null || true)" leaderId; }

build_if_needed() {
  if ! ls "$root"/kv-server/target/kv-server-*.jar >/dev/null 2>&1 || [ ! -d "$root/kv-server/target/lib" ]; then
    echo "building Kvorum..."
    (cd "$root" && mvn -q -B -ntp -DskipTests package)
  fi
}

# Signals node N's process; a node that is not running is an error the caller should see.
signal_node() {
  local sig=$1 i=$2 verb=$3
  if ! alive "$i"; then
    rm -f "$(pidfile "$i")"
    echo "node $i is not running: nothing to $4" >&2; exit 1
  fi
  kill "-$sig" "$(cat "$(pidfile "$i")")"
  echo "node $i $verb"
}

need_node() {
  [[ "${1:-}" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le "$(size)" ] \
    || { echo "usage: $0 $2 N   (N from 1 to $(size))" >&2; exit 2; }
}

cmd="${1:-}"
case "$cmd" in
  start)
    n="${2:-3}"
    [[ "$n" == 3 || "$n" == 5 ]] || { echo "usage: $0 start [3|5]" >&2; exit 2; }
    if [ -f "$data/cluster.size" ] && [ "$(size)" != "$n" ]; then
      echo "data/ holds a $(size)-node cluster; run '$0 wipe' first to start a $n-node one" >&2; exit 2
    fi
    build_if_needed
    mkdir -p "$data"; echo "$n" >"$data/cluster.size"
    for i in $(seq 1 "$n"); do start_node "$i"; done
    echo "waiting for a leader..."
    for _ in $(seq 1 60); do
      for i in $(seq 1 "$n"); do
        s=$(http_get "$(port "$i" 7381)" /status 2>/dev/null || true)
        if [ "$(field "$s" leaderId)" != "" ] && [ "$(field "$s" leaderId)" != "0" ]; then
          echo "cluster up: leader is node $(field "$s" leaderId); client endpoints $(for j in $(seq 1 "$n"); do printf '127.0.0.1:%s ' "$(port "$j" 7379)"; done)"
          exit 0
        fi
      done
      sleep 0.5
    done
    echo "no leader after 30 s; see $data/node-*/server.log" >&2; exit 1 ;;
  stop)
    # Followers first: the leader, stopped last, has no live voter to hand off to and goes at once.
    leader=""
    for i in $(seq 1 "$(size)"); do alive "$i" && leader=$(leader_of "$i") && [ -n "$leader" ] && break; done
    for i in $(seq 1 "$(size)"); do [ "$i" = "$leader" ] || stop_node "$i"; done
    if [ -n "$leader" ] && [ "$leader" != 0 ]; then stop_node "$leader"; fi ;;
  status)
    printf '%-5s %-8s %-10s %-7s %-8s %-8s %-8s\n' NODE PID ROLE TERM COMMIT APPLIED LEADER
    for i in $(seq 1 "$(size)"); do
      pid=$(cat "$(pidfile "$i")" 2>/dev/null || echo -)
      if ! alive "$i"; then printf '%-5s %-8s %-10s\n' "$i" - down; continue; fi
      s=$(http_get "$(port "$i" 7381)" /status 2>/dev/null || true)
      if [ -z "$s" ]; then printf '%-5s %-8s %-10s\n' "$i" "$pid" unresponsive; continue; fi
      printf '%-5s %-8s %-10s %-7s %-8s %-8s %-8s\n' "$i" "$pid" "$(field "$s" role)" "$(field "$s" term)" \
        "$(field "$s" commitIndex)" "$(field "$s" appliedIndex)" "$(field "$s" leaderId)"
    done ;;
  kill)
    need_node "${2:-}" kill; signal_node KILL "$2" "killed (SIGKILL)" kill
    rm -f "$(pidfile "$2")" ;;
  restart)
    need_node "${2:-}" restart; stop_node "$2"; start_node "$2"; await_healthy "$2" ;;
  rolling-restart)
    # Followers first, the leader last: it is restarted once, handing off on SIGTERM.
    leader=""
    for i in $(seq 1 "$(size)"); do alive "$i" && leader=$(leader_of "$i") && [ -n "$leader" ] && break; done
    for i in $(seq 1 "$(size)"); do
      [ "$i" = "$leader" ] && continue
      stop_node "$i"; start_node "$i"; await_healthy "$i"
    done
    if [ -n "$leader" ] && [ "$leader" != 0 ]; then stop_node "$leader"; start_node "$leader"; await_healthy "$leader"; fi ;;
  pause)
    need_node "${2:-}" pause; signal_node STOP "$2" paused pause ;;
  resume)
    need_node "${2:-}" resume; signal_node CONT "$2" resumed resume ;;
  wipe)
    if [ -d "$data" ]; then for i in $(seq 1 "$(size)"); do stop_node "$i"; done; fi
    rm -rf "$data"; echo "wiped $data" ;;
  *)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
