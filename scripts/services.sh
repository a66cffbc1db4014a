#!/usr/bin/env bash
# Start or stop every service the tests need. Each service is a script in scripts/services/
# with `start` and `stop`; `start` reuses what the machine already runs when it can, otherwise
# starts its own instance, and appends the variables the tests read to .services/env.
# Only what was started here is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
action="${1:?usage: scripts/services.sh start|stop}"
mkdir -p .services
case "$action" in
  start)
    : > .services/env
    for svc in scripts/services/*.sh; do
      [ -e "$svc" ] || continue  # no service scripts yet
      bash "$svc" start
    done
    ;;
  stop)
    for svc in $(ls -r scripts/services/*.sh 2>/dev/null); do
      bash "$svc" stop || true
    done
    ;;
  *) echo "usage: scripts/services.sh start|stop" >&2; exit 2 ;;
esac
