"""A separate process that uses the local state backend, for the cross-process tests.

Run as ``python state_worker.py MODE ...``:

``update PATH COUNT [--start-file F] [--payload-bytes N]``
    Wait until ``F`` exists (a start barrier), then ``COUNT`` times add one to the contract
    counter under the state lock; print ``done`` at the end.
``hold PATH LOCK_NAME RUN_ID``
    Take the named lock (``state`` or ``pipeline.<name>``), print ``locked <lock_id> <pid>``, hold
    it until a line (or EOF) arrives on stdin, then release it and print ``released``.
``zygote PATH PAYLOAD_BYTES``
    Import everything once, then for each ``fork PROGRESS_FILE`` line on stdin fork a writer child
    (printing ``child <pid>``) that updates forever, appending ``<serial>\\n`` to PROGRESS_FILE
    after each committed update; when the child dies print ``exited <signal>``. Forking from a
    warm process makes 100 kill trials take seconds instead of minutes.
"""

from __future__ import annotations

import os
import sys
import time

from odibi_core.contracts.state import StateDocument
from odibi_core.testing.state_contract import bump, counter_value, set_payload
from odibi_state_local.backend import LocalStateBackend


def payload_for(n: int, size: int) -> str:
    """The payload stored with counter value ``n`` (so a mixed-up file is detectable)."""
    if size <= 0:
        return ""
    unit = f"<{n}>"
    return (unit * (size // len(unit) + 1))[:size]


def _bump_with_payload(size: int) -> object:
    def fn(doc: StateDocument) -> None:
        bump(doc)
        set_payload(doc, payload_for(counter_value(doc), size))

    return fn


def update(path: str, count: int, start_file: str | None, payload: int) -> None:
    backend = LocalStateBackend(
        path, project="stress", run_id=f"writer-{os.getpid()}", lock_timeout=120
    )
    if start_file:
        while not os.path.exists(start_file):
            time.sleep(0.005)
    fn = _bump_with_payload(payload)
    for _ in range(count):
        backend.update(fn)  # type: ignore[arg-type]
    print("done", flush=True)


def hold(path: str, name: str, run_id: str) -> None:
    backend = LocalStateBackend(path, project="holder", run_id=run_id)
    with backend.lock(name, timeout=30, run_id=run_id) as holder:
        print(f"locked {holder.lock_id} {os.getpid()}", flush=True)
        sys.stdin.readline()
    print("released", flush=True)


def zygote(path: str, payload: int) -> None:
    fn = _bump_with_payload(payload)
    for line in sys.stdin:
        command, _, progress = line.strip().partition(" ")
        if command != "fork":
            continue
        pid = os.fork()
        if pid == 0:  # the writer child: update until killed
            try:
                backend = LocalStateBackend(path, project="stress", run_id=f"victim-{os.getpid()}")
                out = os.open(progress, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                while True:
                    written = backend.update(fn)  # type: ignore[arg-type]
                    os.write(out, f"{written.serial}\n".encode())
            finally:
                os._exit(3)
        print(f"child {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(
            f"exited {os.WTERMSIG(status) if os.WIFSIGNALED(status) else -os.WEXITSTATUS(status)}",
            flush=True,
        )


def main(argv: list[str]) -> None:
    mode = argv[0]
    if mode == "update":
        start = argv[argv.index("--start-file") + 1] if "--start-file" in argv else None
        size = int(argv[argv.index("--payload-bytes") + 1]) if "--payload-bytes" in argv else 0
        update(argv[1], int(argv[2]), start, size)
    elif mode == "hold":
        hold(argv[1], argv[2], argv[3])
    elif mode == "zygote":
        zygote(argv[1], int(argv[2]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
