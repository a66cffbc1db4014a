#!/usr/bin/env bash
# A real Spark standalone cluster (one master, one worker, separate JVMs) for the cluster tests.
#   scripts/services/spark.sh start   starts the master and a worker (1 core, 1 GiB) on free ports of
#                                     127.0.0.1 from the scripts pyspark ships, waits until the worker
#                                     has registered, and appends ODIBI_TEST_SPARK_MASTER (spark://...)
#                                     and ODIBI_TEST_SPARK_MASTER_UI (the master's web UI) to
#                                     .services/env
#   scripts/services/spark.sh stop    stops the worker (and the executors it launched) and the master
#                                     started here, and removes their folder
# SPARK_HOME is the pyspark package folder of .venv (scripts/setup.sh installs it, and Java 17).
# Without Java 17+ or pyspark nothing starts: the reason goes to .services/env as
# ODIBI_TEST_SPARK_UNAVAILABLE, the other services still start, and the cluster tests fail saying why.
set -euo pipefail
cd "$(dirname "$0")/../.."

SERVICE_DIR=.services/spark
PYTHON=.venv/bin/python
WAIT_SECONDS=120

running() {
  [ -f "$SERVICE_DIR/$1.pid" ] && kill -0 "$(cat "$SERVICE_DIR/$1.pid")" 2>/dev/null
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

java_major() {
  command -v java >/dev/null 2>&1 || { echo 0; return; }
  java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

write_env() {
  sed -i '/^ODIBI_TEST_SPARK_/d' .services/env
  if [ -f "$SERVICE_DIR/unavailable" ]; then
    # single-quoted: .services/env is sourced by shells (the reason holds no single quote)
    echo "ODIBI_TEST_SPARK_UNAVAILABLE='$(tr -d "'" < "$SERVICE_DIR/unavailable")'" >> .services/env
    return 0
  fi
  echo "ODIBI_TEST_SPARK_MASTER=spark://127.0.0.1:$(cat "$SERVICE_DIR/master.port")" >> .services/env
  echo "ODIBI_TEST_SPARK_MASTER_UI=http://127.0.0.1:$(cat "$SERVICE_DIR/master_ui.port")" >> .services/env
}

unavailable() {
  echo "spark: $1; not starting the cluster (the Spark cluster tests will fail until it is fixed)" >&2
  echo "$1" > "$SERVICE_DIR/unavailable"
  write_env
  exit 0
}

# Polls the master's JSON status until a worker is ALIVE; prints the worker count or fails.
wait_for_worker() {
  "$PYTHON" - "$1" "$WAIT_SECONDS" <<'PY'
import json, sys, time, urllib.request
url, limit = sys.argv[1] + "/json/", float(sys.argv[2])
deadline = time.monotonic() + limit
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            status = json.load(response)
        alive = [w for w in status.get("workers", []) if w.get("state") == "ALIVE"]
        if alive:
            print(len(alive))
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.5)
sys.exit(f"no worker registered with the master within {limit:.0f} s")
PY
}

start() {
  mkdir -p .services
  touch .services/env
  if running master && running worker; then
    echo "spark: reusing the cluster started earlier (master pid $(cat "$SERVICE_DIR/master.pid"))"
    write_env
    return 0
  fi
  stop_processes
  rm -rf "$SERVICE_DIR"
  mkdir -p "$SERVICE_DIR"
  local major
  major="$(java_major)"
  if [ "${major:-0}" -lt 17 ]; then
    unavailable "Spark needs Java 17 or newer, java -version found ${major:-0} (0: no java on PATH); scripts/setup.sh installs openjdk-17"
  fi
  local spark_home
  # find_spec locates the package without importing it (pyspark's import takes seconds)
  if ! spark_home="$("$PYTHON" -c 'import importlib.util as u; print(u.find_spec("pyspark").submodule_search_locations[0])' 2>/dev/null)"; then
    unavailable "pyspark is not installed in .venv (run scripts/setup.sh)"
  fi
  local root
  root="$(cd "$SERVICE_DIR" && pwd)"
  free_port > "$SERVICE_DIR/master.port"
  free_port > "$SERVICE_DIR/master_ui.port"
  # no REST submission server: it would take the fixed port 6066 on a shared machine
  printf 'spark.master.rest.enabled false\nspark.ui.showConsoleProgress false\n' > "$root/spark.conf"
  export SPARK_HOME="$spark_home" SPARK_LOCAL_IP=127.0.0.1 SPARK_DAEMON_MEMORY=256m
  # small daemons: the client compiler only and one GC thread start faster on a busy machine
  export SPARK_DAEMON_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
  export SPARK_LOG_DIR="$root" SPARK_WORKER_DIR="$root/work" SPARK_NO_DAEMONIZE=1
  # spark-class execs java, so the recorded pid is the JVM's own
  nohup "$spark_home/bin/spark-class" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$(cat "$SERVICE_DIR/master.port")" \
    --webui-port "$(cat "$SERVICE_DIR/master_ui.port")" --properties-file "$root/spark.conf" \
    >"$root/master.log" 2>&1 &
  echo $! > "$SERVICE_DIR/master.pid"
  nohup "$spark_home/bin/spark-class" org.apache.spark.deploy.worker.Worker \
    "spark://127.0.0.1:$(cat "$SERVICE_DIR/master.port")" --host 127.0.0.1 --cores 1 --memory 1g \
    --port "$(free_port)" --webui-port "$(free_port)" --work-dir "$root/work" \
    --properties-file "$root/spark.conf" >"$root/worker.log" 2>&1 &
  echo $! > "$SERVICE_DIR/worker.pid"
  if ! wait_for_worker "http://127.0.0.1:$(cat "$SERVICE_DIR/master_ui.port")" >/dev/null; then
    echo "spark: the cluster did not come up; master and worker logs follow" >&2
    tail -n 30 "$root/master.log" "$root/worker.log" >&2 || true
    stop_processes
    exit 1
  fi
  write_env
  echo "spark: standalone cluster at spark://127.0.0.1:$(cat "$SERVICE_DIR/master.port")" \
       "(master pid $(cat "$SERVICE_DIR/master.pid"), worker pid $(cat "$SERVICE_DIR/worker.pid"))"
}

# Stops one recorded JVM and the processes it started (a worker's executors): TERM, then KILL.
stop_pid() {
  local pid="$1" children child
  kill -0 "$pid" 2>/dev/null || return 0
  children="$(pgrep -P "$pid" || true)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
  for child in $children; do
    kill -KILL "$child" 2>/dev/null || true
  done
}

stop_processes() {
  local name
  for name in worker master; do
    if [ -f "$SERVICE_DIR/$name.pid" ]; then
      stop_pid "$(cat "$SERVICE_DIR/$name.pid")"
      rm -f "$SERVICE_DIR/$name.pid"
      echo "spark: stopped the $name"
    fi
  done
}

stop() {
  stop_processes
  rm -rf "$SERVICE_DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: scripts/services/spark.sh start|stop" >&2; exit 2 ;;
esac
