"""Two ``odibi run`` processes on one state blob; a holder killed by SIGKILL (real processes)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

import pytest
from odibi_core.state.pipeline_documents import read_pipeline

pytestmark = [pytest.mark.azurite, pytest.mark.slow]

T = TypeVar("T")


def wait_for(probe: Callable[[], T | None], *, timeout: float, what: str) -> T:
    """Poll ``probe`` until it returns something truthy; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def history(observer: Any) -> list[Any]:
    """The recorded runs of pipeline ``daily`` (from its own state document)."""
    state = read_pipeline(observer, "daily")
    assert state is not None
    return state.runs


def running_holder(project: Any, observer: Any) -> Any:
    """Wait until a run holds ``pipeline.daily`` and recorded itself running; return the holder."""

    def probe() -> Any:
        holders = [h for h in observer.holders() if h.lock_name == "pipeline.daily"]
        if not holders:
            return None
        state = read_pipeline(observer, "daily")
        runs = state.runs if state is not None else []
        return (
            holders[0]
            if any(r.run_id == holders[0].run_id and r.status == "running" for r in runs)
            else None
        )

    return wait_for(
        probe, timeout=60, what="the first run to hold pipeline.daily and record itself"
    )


def test_a_second_runner_waits_and_then_succeeds_after_the_first_releases(
    gated_project: Any,
) -> None:
    observer = gated_project.backend()
    first = gated_project.start_run(name="first")
    holder = running_holder(gated_project, observer)
    second = gated_project.start_run("--lock-timeout", "120", name="second")
    time.sleep(3)
    assert second.poll() is None, f"the second run did not wait:\n{gated_project.output('second')}"
    assert [h.run_id for h in observer.holders() if h.lock_name == "pipeline.daily"] == [
        holder.run_id
    ]
    released_at = datetime.now(timezone.utc)
    gated_project.open_gate()
    assert first.wait(60) == 0, gated_project.output("first")
    assert second.wait(60) == 0, gated_project.output("second")
    runs = history(observer)
    assert [r.status for r in runs] == ["success", "success"]
    assert runs[0].run_id == holder.run_id
    assert datetime.fromisoformat(runs[1].started_at) >= datetime.fromisoformat(runs[0].finished_at)
    assert datetime.fromisoformat(runs[1].started_at) >= released_at
    assert observer.holders() == []


def test_a_second_runner_with_a_short_timeout_fails_naming_the_first_and_changes_nothing(
    gated_project: Any,
) -> None:
    observer = gated_project.backend()
    first = gated_project.start_run(name="first")
    holder = running_holder(gated_project, observer)
    before = gated_project.raw_state()
    started = time.monotonic()
    second = gated_project.start_run("--lock-timeout", "2", name="second")
    assert second.wait(60) == 5, gated_project.output("second")
    output = gated_project.output("second")
    assert time.monotonic() - started >= 2
    assert holder.run_id in output
    assert socket.gethostname() in output
    assert f"odibi state unlock {holder.lock_id}" in output
    assert "Traceback" not in output
    assert gated_project.raw_state() == before  # byte-identical: the loser wrote nothing
    assert first.poll() is None
    gated_project.open_gate()
    assert first.wait(60) == 0, gated_project.output("first")
    runs = history(observer)
    assert [(r.run_id, r.status) for r in runs] == [(holder.run_id, "success")]


def test_a_killed_holder_frees_its_lock_within_the_lease_without_a_manual_step(
    gated_project: Any,
) -> None:
    observer = gated_project.backend()
    victim = gated_project.start_run(name="victim")
    holder = running_holder(gated_project, observer)
    victim.kill()  # SIGKILL mid-run: no release, no cleanup; only the finite lease frees the lock
    victim.wait(30)
    killed_at = datetime.now(timezone.utc)
    gated_project.open_gate()
    successor = gated_project.start_run(
        "--lock-timeout", str(gated_project.lease_seconds + 30), name="successor"
    )
    assert successor.wait(120) == 0, gated_project.output("successor")
    runs = history(observer)
    # the crash stays visible: the next run that holds the lock marks it interrupted
    assert (runs[0].run_id, runs[0].status) == (holder.run_id, "interrupted")
    assert runs[1].status == "success"
    # a run records its start right after taking the pipeline lock
    took = (datetime.fromisoformat(runs[1].started_at) - killed_at).total_seconds()
    print(
        f"successor took the lock {took:.1f}s after SIGKILL (lease {gated_project.lease_seconds}s)"
    )
    assert took <= gated_project.lease_seconds + 5, (
        f"the successor took the lock {took:.1f}s after SIGKILL"
    )
    assert observer.holders() == []
