#!/usr/bin/env bash
# Azurite (the Azure Storage emulator), blob service only, for the odibi-state-azure tests.
#   scripts/services/azurite.sh start   install the pinned version if needed (npm ci in
#                                        scripts/azurite/), start it on 127.0.0.1 and a free port,
#                                        wait for an HTTP answer, append its variables to .services/env
#   scripts/services/azurite.sh stop    stop the process that `start` started (and nothing else)
#
# The version is pinned in scripts/azurite/package-lock.json (3.35.0, the last release that runs on
# Node.js 20). The account is Azurite's well-known development account `devstoreaccount1` with the
# public emulator key from the Azurite documentation: it protects nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROOT="$PWD"
AZ_DIR="$ROOT/scripts/azurite"
SERVICES="$ROOT/.services"
PID_FILE="$SERVICES/azurite.pid"
PORT_FILE="$SERVICES/azurite.port"
LOG_FILE="$SERVICES/azurite.log"
DATA_DIR="$SERVICES/azurite-data"
MAIN_JS="$AZ_DIR/node_modules/azurite/dist/src/blob/main.js"
ACCOUNT="devstoreaccount1"
ACCOUNT_KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

is_ours() {
  # The recorded pid is alive and is still the Azurite we started (pids get reused).
  local pid="$1"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null \
    && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "azurite/dist/src/blob/main.js"
}

installed_version() {
  node -e 'console.log(require(process.argv[1]).version)' \
    "$AZ_DIR/node_modules/azurite/package.json" 2>/dev/null || true
}

wanted_version() {
  node -e 'const l=require(process.argv[1]); console.log(l.packages["node_modules/azurite"].version)' \
    "$AZ_DIR/package-lock.json"
}

install() {
  command -v node >/dev/null || { echo "azurite: node (Node.js 20) is not installed" >&2; exit 1; }
  command -v npm >/dev/null || { echo "azurite: npm is not installed" >&2; exit 1; }
  if [ "$(installed_version)" != "$(wanted_version)" ] || [ ! -f "$MAIN_JS" ]; then
    echo "azurite: installing $(wanted_version) with npm ci (about 30 s)"
    (cd "$AZ_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

answers() {
  # Any HTTP status (Azurite answers 400 to a bare GET) means the server is up.
  python3 - "$1" <<'PY'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=1)
except urllib.error.HTTPError:
    pass
except Exception:
    sys.exit(1)
PY
}

write_env() {
  local port="$1"
  local url="http://127.0.0.1:$port/$ACCOUNT"
  {
    echo "ODIBI_TEST_AZURITE_BLOB_URL=$url"
    echo "ODIBI_TEST_AZURITE_ACCOUNT_NAME=$ACCOUNT"
    echo "ODIBI_TEST_AZURITE_ACCOUNT_KEY=$ACCOUNT_KEY"
    echo "ODIBI_TEST_AZURITE_CONNECTION_STRING='DefaultEndpointsProtocol=http;AccountName=$ACCOUNT;AccountKey=$ACCOUNT_KEY;BlobEndpoint=$url;'"
  } >> "$SERVICES/env"
}

start() {
  mkdir -p "$SERVICES"
  if [ -f "$PID_FILE" ] && is_ours "$(cat "$PID_FILE")"; then
    port="$(cat "$PORT_FILE")"
    echo "azurite: already running (pid $(cat "$PID_FILE"), port $port)"
    write_env "$port"
    return 0
  fi
  install
  rm -rf "$DATA_DIR"
  mkdir -p "$DATA_DIR"
  port="$(free_port)"
  # node started directly (no npx, no shell wrapper) so the recorded pid is the server itself
  nohup node "$MAIN_JS" --blobHost 127.0.0.1 --blobPort "$port" --location "$DATA_DIR" \
    --skipApiVersionCheck --disableTelemetry --silent >"$LOG_FILE" 2>&1 &
  pid=$!
  echo "$pid" > "$PID_FILE"
  echo "$port" > "$PORT_FILE"
  for _ in $(seq 1 150); do
    if answers "http://127.0.0.1:$port/"; then
      echo "azurite: blob service on 127.0.0.1:$port (pid $pid)"
      write_env "$port"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "azurite: exited during start-up; log follows" >&2
      cat "$LOG_FILE" >&2
      rm -f "$PID_FILE"
      exit 1
    fi
    sleep 0.2
  done
  echo "azurite: no answer on 127.0.0.1:$port after 30 s; stopping it" >&2
  kill "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
  exit 1
}

stop() {
  [ -f "$PID_FILE" ] || return 0
  pid="$(cat "$PID_FILE")"
  if is_ours "$pid"; then
    kill "$pid"
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    echo "azurite: stopped (pid $pid)"
  fi
  rm -f "$PID_FILE" "$PORT_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: scripts/services/azurite.sh start|stop" >&2; exit 2 ;;
esac
