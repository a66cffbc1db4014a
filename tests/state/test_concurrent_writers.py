"""Many processes updating one local state file: nothing lost, nothing torn, never backwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from odibi_core.testing.state_contract import counter_value
from odibi_state_local.backend import LocalStateBackend

WORKER = Path(__file__).with_name("state_worker.py")


@pytest.mark.slow
def test_eight_processes_times_one_hundred_updates_count_exactly_800(tmp_path: Path) -> None:
    state = tmp_path / ".odibi" / "state.json"
    start = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), "update", str(state), "100", "--start-file", str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    time.sleep(1.0)  # let the interpreters start, so the writers really overlap
    start.touch()
    reads, parsed_serials, errors = 0, [], []
    reader = LocalStateBackend(state)
    while any(w.poll() is None for w in writers):
        try:
            raw = state.read_bytes()
        except FileNotFoundError:
            continue
        reads += 1
        try:
            serial = json.loads(raw)["serial"]
        except ValueError as exc:
            errors.append(f"unparseable state seen: {exc}: {raw[:80]!r}")
            break
        parsed_serials.append(serial)
        doc = reader.read()  # the backend's own checked read, too
        assert doc is not None
        parsed_serials.append(doc.serial)
        time.sleep(0.001)
    outputs = [w.communicate(timeout=120) for w in writers]
    assert all(w.returncode == 0 for w in writers), [err for _, err in outputs]
    assert not errors, errors
    assert reads > 20, f"the reader only managed {reads} reads: the test did not overlap"
    assert parsed_serials == sorted(parsed_serials), "a reader saw the serial go down"
    final = LocalStateBackend(state).read()
    assert final is not None
    assert (counter_value(final), final.serial) == (800, 800)
    assert sorted(p.name for p in state.parent.iterdir()) == ["state.json", "state.json.lock"]
    assert (
        os.path.getsize(state.parent / "state.json.lock") == 0
    )  # holder record cleared on release
