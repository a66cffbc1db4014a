"""Local backend specifics: stable sidecars, atomic replace, refusing foreign writers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from odibi_core.contracts.state import STATE_LOCK_NAME, StateDocument, lock_timeout_error
from odibi_core.errors import StateConflictError, StateError, StateLockTimeout
from odibi_core.testing.state_contract import bump, counter_value
from odibi_state_local.atomic import leftover_temps, temp_name
from odibi_state_local.backend import LocalStateBackend
from odibi_state_local.locks import SidecarLocks, read_record


@pytest.fixture
def backend(tmp_path: Path) -> LocalStateBackend:
    return LocalStateBackend(tmp_path / ".odibi" / "state.json", project="p", run_id="run-1")


def test_the_lock_file_is_never_replaced_while_the_state_file_is(
    backend: LocalStateBackend,
) -> None:
    backend.update(bump)
    sidecar = backend.path.parent / "state.json.lock"
    lock_inode, state_inode = sidecar.stat().st_ino, backend.path.stat().st_ino
    for _ in range(3):
        backend.update(bump)
    assert sidecar.stat().st_ino == lock_inode
    assert backend.path.stat().st_ino != state_inode  # replaced whole, never rewritten in place


def test_the_holder_record_is_in_the_sidecar_only_while_held(backend: LocalStateBackend) -> None:
    sidecar = SidecarLocks(backend.path).path_of("pipeline.daily")
    with backend.lock("pipeline.daily", timeout=1, run_id="run-xyz") as holder:
        record = json.loads(sidecar.read_text())
        assert (record["lock_id"], record["run_id"], record["pid"]) == (
            holder.lock_id,
            "run-xyz",
            os.getpid(),
        )
        assert read_record(sidecar) == holder
    assert sidecar.read_text() == ""
    assert sidecar.exists()  # never deleted


def test_lock_names_map_to_safe_sidecar_names(backend: LocalStateBackend) -> None:
    locks = SidecarLocks(backend.path)
    assert locks.path_of(STATE_LOCK_NAME).name == "state.json.lock"
    assert locks.path_of("pipeline.daily-sales_2").name == "state.json.pipeline.daily-sales_2.lock"
    assert locks.path_of("../evil name").name == "state.json...%2Fevil%20name.lock"
    assert locks.path_of("../evil name").parent == backend.path.parent


def test_writes_leave_no_temp_files_and_clean_up_dead_writers_temps(
    backend: LocalStateBackend,
) -> None:
    backend.update(bump)
    assert leftover_temps(backend.path) == []
    dead = temp_name(backend.path)
    dead.write_bytes(b'{"half": "writ')  # what a writer killed before its rename leaves
    assert leftover_temps(backend.path) == [dead]
    backend.update(bump)
    assert leftover_temps(backend.path) == []
    assert counter_value(backend.read()) == 2


def test_a_write_by_someone_not_holding_the_lock_is_detected(backend: LocalStateBackend) -> None:
    backend.update(bump)
    intruder = StateDocument(lineage=backend.read().lineage, serial=50).to_json().encode()  # type: ignore[union-attr]

    def race(doc: StateDocument) -> None:
        bump(doc)
        backend.path.write_bytes(intruder)  # another writer ignoring the lock, mid-update

    with pytest.raises(StateConflictError, match="did not hold the state lock"):
        backend.update(race)
    assert backend.path.read_bytes() == intruder


def test_a_state_file_deleted_during_a_run_is_not_recreated(backend: LocalStateBackend) -> None:
    backend.update(bump)
    backend.path.unlink()
    with pytest.raises(StateConflictError, match="disappeared"):
        backend.update(bump)
    assert not backend.path.exists()
    fresh = LocalStateBackend(backend.path)  # a new run starts a new history
    assert fresh.update(bump).serial == 1


def test_an_unreadable_state_path_is_a_clear_error(backend: LocalStateBackend) -> None:
    backend.path.mkdir(parents=True)
    with pytest.raises(StateError, match=r"cannot read state at .*state\.json"):
        backend.read()


def test_timeout_message_without_a_holder_record() -> None:
    error = lock_timeout_error("state", location="/x/state.json", waited=1.5, holder=None)
    assert isinstance(error, StateLockTimeout)
    assert error.message.startswith("gave up after waiting 1.5s for lock state at /x/state.json")
    assert "left no record" in error.message


def test_a_same_process_second_instance_is_excluded(backend: LocalStateBackend) -> None:
    # flock locks belong to open files, not processes: two runners in one process exclude too
    other = LocalStateBackend(backend.path)
    with (
        backend.lock("pipeline.p", timeout=1),
        pytest.raises(StateLockTimeout),
        other.lock("pipeline.p", timeout=0.1),
    ):
        pass  # pragma: no cover
