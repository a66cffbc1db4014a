"""Killing a writer with SIGKILL at random moments never leaves a torn or mixed state file: what
is on disk always parses, passes strict validation and verifies against its checksum."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from odibi_core.contracts.state import parse_state
from odibi_core.state.integrity import seal
from odibi_core.testing.state_contract import counter_value, payload_value
from odibi_state_local.atomic import leftover_temps
from odibi_state_local.backend import LocalStateBackend

WORKER = Path(__file__).with_name("state_worker.py")
TRIALS = 100
PAYLOAD_BYTES = 20_000  # a few ms per update: kills land in every phase of a write


def _worker_module():  # the payload function, shared with the worker process
    spec = importlib.util.spec_from_file_location("odibi_state_test_worker", WORKER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")
def test_a_hundred_sigkilled_writers_leave_the_previous_or_the_next_version(tmp_path: Path) -> None:
    payload_for = _worker_module().payload_for
    state = tmp_path / "state.json"
    zygote = subprocess.Popen(
        [sys.executable, str(WORKER), "zygote", str(state), str(PAYLOAD_BYTES)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    assert zygote.stdin is not None
    assert zygote.stdout is not None
    rng = random.Random(20240611)
    committed = 0  # serial of the last version a writer reported as written
    outcomes = {"previous": 0, "next": 0}

    def fork(progress: Path) -> int:
        zygote.stdin.write(f"fork {progress}\n")  # type: ignore[union-attr]
        zygote.stdin.flush()  # type: ignore[union-attr]
        words = zygote.stdout.readline().split()  # type: ignore[union-attr]
        assert words[0] == "child", words
        return int(words[1])

    def kill(pid: int) -> None:
        os.kill(pid, signal.SIGKILL)
        assert zygote.stdout.readline().split() == ["exited", str(int(signal.SIGKILL))]  # type: ignore[union-attr]

    try:
        # calibrate: how long one update takes on this machine now, so kills land at random
        # points of a few updates whatever the disk's speed
        calibration = tmp_path / "calibration"
        pid = fork(calibration)
        began = time.monotonic()
        first_commit = None
        while (done := len(calibration.read_text().split()) if calibration.exists() else 0) < 10:
            assert time.monotonic() - began < 60, "a writer made no progress in 60 s"
            if done and first_commit is None:
                first_commit = time.monotonic() - began  # a fresh writer's start-up plus one write
            time.sleep(0.005)
        per_update = (time.monotonic() - began - (first_commit or 0.0)) / 9
        window = (first_commit or per_update) + 4 * per_update
        kill(pid)
        committed = parse_state(state.read_bytes(), location=str(state)).serial
        for trial in range(TRIALS):
            progress = tmp_path / f"progress-{trial}"
            pid = fork(progress)
            time.sleep(rng.uniform(0.0, window))
            kill(pid)

            reported = progress.read_text().split() if progress.exists() else []
            if reported:
                committed = int(reported[-1])
            raw = state.read_bytes() if state.exists() else None
            if raw is None:
                assert committed == 0, f"trial {trial}: state vanished after serial {committed}"
                continue
            stored = json.loads(raw)  # always parses...
            doc = parse_state(
                raw, location=str(state)
            )  # ...verifies its checksum, is strictly valid
            assert stored["version"] == 2
            assert stored["checksum"] == doc.checksum
            assert seal(doc) == raw, f"trial {trial}: the bytes are not exactly what a writer wrote"
            assert counter_value(doc) == doc.serial, f"trial {trial}: counter and serial disagree"
            assert payload_value(doc) == payload_for(doc.serial, PAYLOAD_BYTES), (
                f"trial {trial}: mixed payload"
            )
            assert doc.serial in (committed, committed + 1), (
                f"trial {trial}: file at serial {doc.serial}, last committed {committed}"
            )
            outcomes["previous" if doc.serial == committed else "next"] += 1
            committed = doc.serial
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=30)
    assert committed >= 10 + TRIALS // 5, (
        f"writers committed only {committed} versions in {TRIALS} trials"
    )
    # the lock was never left stuck, and the next writer clears the dead writers' temp files
    final = LocalStateBackend(state).update(lambda doc: None, timeout=2)
    assert final.serial == committed + 1
    assert leftover_temps(state) == []
    print(
        f"{TRIALS} kills: file at the previous version {outcomes['previous']} times, "
        f"at the next {outcomes['next']} times; {committed} versions committed; "
        f"{per_update * 1000:.1f} ms per update"
    )
