#!/usr/bin/env bash
# A local Kvorum cluster on loopback. Data, logs and PID files live under <repo>/data/node-N
# (or $KVORUM_DATA/node-N), whatever directory this is run from.
#   start [3|5] [--secure]   build when needed and start (or resume) the cluster; --secure
#                 makes a throw-away CA and certificates under <data>/tls (with openssl, or with
#                 the JDK's keytool when there is no openssl or KVORUM_CERT_TOOL=keytool), starts
#                 every port with TLS only and turns auth on (user root, password in <data>/tls)
#   stop          stop every node (SIGTERM: a leader hands off first; SIGKILL after 10 s)
#   status        each node's role, term, commit and applied index, and who leads
#   kill N        SIGKILL node N          restart N   stop and start node N again, wait until healthy
#   rolling-restart   restart every node in turn, followers first, each once the previous is healthy
#   pause N       SIGSTOP node N          resume N    SIGCONT node N
#   wipe          stop everything and delete the data directory
# Node N listens on client 7379+10(N-1), peer 7380+10(N-1), admin 7381+10(N-1), HTTP API
# 7382+10(N-1) (7379 is $KVORUM_PORT_BASE when set). Processes are tracked by their PID files
# and signalled by those ids alone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${KVORUM_DATA:-$root/data}"
base="${KVORUM_PORT_BASE:-7379}"
tls="$data/tls"

# port N P: port P of node 1 (7379 client, 7380 peer, 7381 admin) for node N.
port() { echo $(( $2 - 7379 + base + 10 * ($1 - 1) )); }
# The cluster in $data was started with --secure: TLS on every port, auth on.
secure() { [ -f "$data/secure" ]; }
# The client endpoints of an N-node cluster, comma-separated.
endpoints() {
  local n=$1 i out=""
  for i in $(seq 1 "$n"); do out="$out${out:+,}127.0.0.1:$(port "$i" 7379)"; done
  echo "$out"
}
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
  local tls_flags=()
  if secure; then tls_flags=(--tls-cert "$tls/node-$i.pem" --tls-key "$tls/node-$i-key.pem" --tls-ca "$tls/ca.pem"); fi
  nohup "$root/bin/kvorum-server" --id "$i" --data-dir "$data/node-$i" \
    --client-listen "127.0.0.1:$(port "$i" 7379)" --peer-listen "127.0.0.1:$(port "$i" 7380)" \
    --admin-listen "127.0.0.1:$(port "$i" 7381)" --http-listen "127.0.0.1:$(port "$i" 7382)" \
    --initial-cluster "$(initial_cluster "$n")" ${tls_flags[@]+"${tls_flags[@]}"} \
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

# GET http://127.0.0.1:PORT/PATH with bash alone (no curl needed); prints the body. A secure
# cluster's admin port is HTTPS only: then curl, or openssl, or the JDK alone (LocalTls.java),
# trusting the cluster's CA.
http_get() {
  local body
  if secure; then
    if command -v curl >/dev/null; then
      curl -sS --max-time 2 --cacert "$tls/ca.pem" "https://127.0.0.1:$1$2"
    elif command -v openssl >/dev/null; then
      body=$(printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$2" \
        | timeout 2 openssl s_client -quiet -verify_return_error -CAfile "$tls/ca.pem" -connect "127.0.0.1:$1" 2>/dev/null) || true
      printf '%s\n' "${body#*$'\r\n\r\n'}"
    else
      local_tls get "$tls/ca.pem" "https://127.0.0.1:$1$2"
    fi
    return
  fi
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

# Signs certificate NAME (CN=NAME) with the local CA; SANS (may be empty) as openssl writes them.
issue_cert() {
  local name=$1 sans=$2
  { [ -z "$sans" ] || echo "subjectAltName=$sans"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"; } >"$tls/$name.ext"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$tls/$name-key.pem" -out "$tls/$name.csr" 2>/dev/null
  openssl x509 -req -in "$tls/$name.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca-key.pem" -CAcreateserial -days 30 \
    -extfile "$tls/$name.ext" -out "$tls/$name.pem" 2>/dev/null
  rm -f "$tls/$name.csr" "$tls/$name.ext"
}

# The JDK-only helper (deploy/local/LocalTls.java), compiled once into <data>/tls/bin.
local_tls() {
  if [ ! -f "$tls/bin/LocalTls.class" ]; then
    mkdir -p "$tls/bin"
    javac -d "$tls/bin" "$root/deploy/local/LocalTls.java" \
      || { echo "cannot compile deploy/local/LocalTls.java: a JDK (javac) is needed" >&2; return 1; }
  fi
  timeout 10 java -cp "$tls/bin" LocalTls "$@"
}

# As issue_cert, with the JDK's keytool: a key pair in a PKCS#12 store, signed by the CA's
# store; the key written out as PEM by LocalTls (keytool cannot). SANS in keytool's syntax.
issue_cert_keytool() {
  local name=$1 sans=$2 pass=$3 san_ext=()
  [ -z "$sans" ] || san_ext=(-ext "san=$sans")
  keytool -genkeypair -alias "$name" -keyalg RSA -keysize 2048 -dname "CN=$name" -validity 30 \
    -keystore "$tls/$name.p12" -storetype PKCS12 -storepass "$pass" >/dev/null 2>&1
  keytool -certreq -alias "$name" -keystore "$tls/$name.p12" -storepass "$pass" -file "$tls/$name.csr" 2>/dev/null
  keytool -gencert -alias ca -keystore "$tls/ca.p12" -storepass "$pass" -infile "$tls/$name.csr" -rfc \
    -validity 30 ${san_ext[@]+"${san_ext[@]}"} -ext "ku:c=digitalSignature,keyEncipherment" \
    -ext "eku=serverAuth,clientAuth" -outfile "$tls/$name.pem" 2>/dev/null
  local_tls pem-key "$tls/$name.p12" "$pass" "$name" "$tls/$name-key.pem"
  rm -f "$tls/$name.csr" "$tls/$name.p12"
}

# The throw-away CA and certificates with keytool alone (no openssl on this machine).
make_certs_keytool() {
  local n=$1 i pass
  command -v keytool >/dev/null && command -v javac >/dev/null || {
    echo "--secure needs openssl, or a JDK (keytool and javac), to make the throw-away certificates" >&2; exit 2; }
  pass=$(random_hex)
  keytool -genkeypair -alias ca -keyalg RSA -keysize 2048 -dname "CN=kvorum local throw-away CA" -validity 30 \
    -ext "bc:c=ca:true" -ext "ku:c=keyCertSign,cRLSign" -keystore "$tls/ca.p12" -storetype PKCS12 \
    -storepass "$pass" >/dev/null 2>&1
  keytool -exportcert -rfc -alias ca -keystore "$tls/ca.p12" -storepass "$pass" -file "$tls/ca.pem" 2>/dev/null
  for i in $(seq 1 "$n"); do issue_cert_keytool "node-$i" "dns:node-$i,dns:localhost,ip:127.0.0.1" "$pass"; done
  issue_cert_keytool root "" "$pass"
  rm -f "$tls/ca.p12" # a throw-away CA signs nothing more
}

# 16 random bytes as hex, from the kernel (no openssl needed).
random_hex() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

# A throw-away CA, a certificate per node (DNS node-N as peers check it, and loopback for
# clients), a client certificate for user root, and root's password. Valid 30 days; for this
# machine only.
make_certs() {
  local n=$1 i
  mkdir -p "$tls"; chmod 700 "$tls"
  if [ "${KVORUM_CERT_TOOL:-}" = keytool ] || ! command -v openssl >/dev/null; then
    make_certs_keytool "$n"
  else
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=kvorum local throw-away CA" \
      -keyout "$tls/ca-key.pem" -out "$tls/ca.pem" 2>/dev/null
    for i in $(seq 1 "$n"); do issue_cert "node-$i" "DNS:node-$i,DNS:localhost,IP:127.0.0.1"; done
    issue_cert root ""
  fi
  (umask 077; random_hex >"$tls/root.password")
  echo "made a throw-away CA and certificates in $tls"
}

# The CLI against this cluster over TLS.
cli() { "$root/bin/kvorum" --endpoints "$(endpoints "$(size)")" --cacert "$tls/ca.pem" "$@"; }

# User root with the role root, then auth on; each step skipped when already done, so an
# interrupted start finishes the job next time.
enable_auth() {
  if cli auth status 2>/dev/null | grep -q '^auth enabled'; then return; fi
  if ! cli user get root >/dev/null 2>&1; then
    KVORUM_NEW_PASSWORD="$(cat "$tls/root.password")" cli user add root >/dev/null
  fi
  if ! cli user get root 2>/dev/null | grep -qw 'roles:.*root'; then cli user grant-role root root >/dev/null; fi
  cli auth enable >/dev/null
  echo "auth enabled: user root, password in $tls/root.password"
}

secure_hints() {
  cat <<HINTS
TLS on every port and auth on (throw-away certificates in $tls). The CLI connects with:
  export KVORUM_ENDPOINTS=$(endpoints "$1")
  bin/kvorum --cacert $tls/ca.pem --user root --password-file $tls/root.password member list
  bin/kvorum --cacert $tls/ca.pem --cert $tls/root.pem --key $tls/root-key.pem ls /    # root, by certificate
  curl --cacert $tls/ca.pem https://127.0.0.1:$(port 1 7381)/status
HINTS
}

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
    n=3; want_secure=false
    for a in "${@:2}"; do
      case "$a" in
        3|5) n=$a ;;
        --secure) want_secure=true ;;
        *) echo "usage: $0 start [3|5] [--secure]" >&2; exit 2 ;;
      esac
    done
    if [ -f "$data/cluster.size" ] && [ "$(size)" != "$n" ]; then
      echo "data/ holds a $(size)-node cluster; run '$0 wipe' first to start a $n-node one" >&2; exit 2
    fi
    if [ "$want_secure" = true ] && [ -f "$data/cluster.size" ] && ! secure; then
      echo "data/ holds a plaintext cluster; run '$0 wipe' first to start a secure one" >&2; exit 2
    fi
    build_if_needed
    mkdir -p "$data"; echo "$n" >"$data/cluster.size"
    if [ "$want_secure" = true ] && ! secure; then make_certs "$n"; touch "$data/secure"; fi
    for i in $(seq 1 "$n"); do start_node "$i"; done
    echo "waiting for a leader..."
    for _ in $(seq 1 60); do
      for i in $(seq 1 "$n"); do
        s=$(http_get "$(port "$i" 7381)" /status 2>/dev/null || true)
        if [ "$(field "$s" leaderId)" != "" ] && [ "$(field "$s" leaderId)" != "0" ]; then
          echo "cluster up: leader is node $(field "$s" leaderId); client endpoints $(for j in $(seq 1 "$n"); do printf '127.0.0.1:%s ' "$(port "$j" 7379)"; done)"
          if secure; then enable_auth; secure_hints "$n"; fi
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
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
