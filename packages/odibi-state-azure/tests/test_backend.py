"""The azure_blob backend against Azurite: blob layout, leases, holder metadata, refused writers."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from odibi_core.contracts.state import STATE_LOCK_NAME, parse_state
from odibi_core.errors import StateConflictError, StateLockTimeout
from odibi_core.testing.state_contract import bump, counter_value, make_document_bytes
from odibi_state_azure.blobs import PLACEHOLDER_CONTENT_TYPE
from odibi_state_azure.errors import StateLockLost
from odibi_state_azure.leases import error_code
from odibi_state_azure.locking import UnknownHolder
from odibi_state_azure.metadata import holder_from_metadata

pytestmark = pytest.mark.azurite

MakeBackend = Callable[..., Any]


def test_reading_creates_nothing_and_the_first_lock_creates_container_and_placeholder(
    make_azure_backend: MakeBackend, raw_container: Any
) -> None:
    backend = make_azure_backend(project="sales")
    assert backend.read() is None
    assert backend.holders() == []
    assert not raw_container.exists()
    with backend.lock(STATE_LOCK_NAME, timeout=5):
        props = raw_container.get_blob_client("sales/state.json").get_blob_properties()
        assert props.size == 0
        assert props.content_settings.content_type == PLACEHOLDER_CONTENT_TYPE
    assert backend.read() is None
    backend.update(bump)
    props = raw_container.get_blob_client("sales/state.json").get_blob_properties()
    assert props.content_settings.content_type == "application/json"
    assert counter_value(backend.read()) == 1


def test_each_lock_is_a_finite_lease_on_its_own_blob_with_holder_metadata(
    make_azure_backend: MakeBackend, raw_container: Any
) -> None:
    backend = make_azure_backend(project="sales", lease_duration=20)
    lock_blob = raw_container.get_blob_client("sales/state.locks/pipeline.daily.lock")
    with backend.lock("pipeline.daily", timeout=5, run_id="run-1") as holder:
        props = lock_blob.get_blob_properties()
        assert (props.lease.state, props.lease.duration) == ("leased", "fixed")  # never infinite
        assert holder_from_metadata(props.metadata) == holder
        assert holder.lease_seconds == 20
        assert holder.run_id == "run-1"
        assert not raw_container.get_blob_client(
            "sales/state.json"
        ).exists()  # independent of state
    props = lock_blob.get_blob_properties()
    assert props.lease.state == "available"
    assert holder_from_metadata(props.metadata) is None  # holder info only while held


def test_a_writer_without_the_lease_is_rejected_and_the_state_is_unchanged(
    make_azure_backend: MakeBackend, raw_container: Any
) -> None:
    from azure.core.exceptions import HttpResponseError

    backend = make_azure_backend(project="sales")
    backend.update(bump)
    blob = raw_container.get_blob_client("sales/state.json")
    before = blob.download_blob().readall()
    refused: list[str] = []

    def intrude(doc: Any) -> None:
        for lease in (None, "00000000-0000-0000-0000-000000000000"):
            with pytest.raises(HttpResponseError) as caught:
                blob.upload_blob(b'{"hijacked": true}', overwrite=True, lease=lease)
            assert caught.value.status_code == 412
            refused.append(error_code(caught.value))
        assert blob.download_blob().readall() == before
        bump(doc)

    written = backend.update(intrude)
    assert refused == ["LeaseIdMissing", "LeaseIdMismatchWithBlobOperation"]
    assert (written.serial, counter_value(backend.read())) == (2, 2)


def test_a_write_with_a_stale_etag_is_rejected_and_not_retried(
    make_azure_backend: MakeBackend, raw_container: Any
) -> None:
    backend = make_azure_backend(project="sales")
    lineage = backend.update(bump).lineage
    blob = raw_container.get_blob_client("sales/state.json")
    sneaked = make_document_bytes(lineage=lineage, serial=7, counter=100)
    calls: list[int] = []

    def sneak(doc: Any) -> None:
        calls.append(1)
        # a writer holding the lease id but not the ETag this update read
        blob.upload_blob(sneaked, overwrite=True, lease=backend._held[STATE_LOCK_NAME].lease_id)
        bump(doc)

    with pytest.raises(StateConflictError, match="ETag") as caught:
        backend.update(sneak)
    assert "nothing was written" in caught.value.message
    assert calls == [1]  # the update function ran once: no blind retry
    assert blob.download_blob().readall() == sneaked


def test_holder_metadata_survives_50_consecutive_state_writes(
    make_azure_backend: MakeBackend, raw_container: Any
) -> None:
    backend = make_azure_backend(project="sales", run_id="run-50")
    blob = raw_container.get_blob_client("sales/state.json")
    with backend.lock(STATE_LOCK_NAME, timeout=5, run_id="run-50") as holder:
        for i in range(50):
            data, token = backend.load_document()
            doc = parse_state(data, location="x") if data else None
            serial = doc.serial if doc else 0
            lineage = doc.lineage if doc else "ab" * 16
            backend.store_document(
                make_document_bytes(lineage=lineage, serial=serial + 1, counter=i), token
            )
            props = blob.get_blob_properties()
            assert holder_from_metadata(props.metadata) == holder, (
                f"holder metadata lost at write {i + 1}"
            )
            assert props.lease.state == "leased"
    assert counter_value(backend.read()) == 49
    assert backend.read().serial == 50


def test_a_broken_run_lock_stops_state_writes_with_a_clear_error(
    make_azure_backend: MakeBackend, raw_container: Any
) -> None:
    runner, operator = (
        make_azure_backend(project="sales", run_id="run-a"),
        make_azure_backend(project="sales"),
    )
    runner.update(bump)
    blob = raw_container.get_blob_client("sales/state.json")
    before = blob.download_blob().readall()
    with runner.lock("pipeline.p", timeout=5, run_id="run-a") as holder:
        operator.force_unlock(holder.lock_id)
        for _ in range(2):  # and it stays stopped
            with pytest.raises(StateLockLost) as caught:
                runner.update(bump)
            assert "pipeline.p" in caught.value.message
            assert holder.lock_id in caught.value.message
            assert "nothing was written" in caught.value.message
            assert caught.value.exit_code == 6
        assert blob.download_blob().readall() == before
    with operator.lock("pipeline.p", timeout=0, run_id="run-b"):
        operator.update(bump)
    assert counter_value(operator.read()) == 2


def test_the_renewal_thread_notices_a_broken_lease(make_azure_backend: MakeBackend) -> None:
    runner, operator = make_azure_backend(lease_duration=15), make_azure_backend()
    with runner.lock("pipeline.p", timeout=5, run_id="run-a") as holder:
        operator.force_unlock(holder.lock_id)
        lease = runner._held["pipeline.p"]
        deadline = time.monotonic() + 15 / 3 + 5
        while not lease.lost and time.monotonic() < deadline:
            time.sleep(0.1)
        assert lease.lost, "renewal did not notice the broken lease"
        assert "renewal refused by the storage service" in (lease.lost_reason or "")


@pytest.mark.slow
def test_a_held_lease_is_renewed_beyond_its_duration(make_azure_backend: MakeBackend) -> None:
    holder_backend, waiter = make_azure_backend(lease_duration=15), make_azure_backend()
    with holder_backend.lock("pipeline.p", timeout=5, run_id="run-long"):
        time.sleep(19)  # longer than the lease: only renewals keep it
        with (
            pytest.raises(StateLockTimeout, match="run-long"),
            waiter.lock("pipeline.p", timeout=0),
        ):
            pass  # pragma: no cover
        assert holder_backend._held["pipeline.p"].renewals >= 3
        holder_backend.update(bump)
    assert counter_value(waiter.read()) == 1


def test_a_lease_without_holder_info_is_reported_as_an_unknown_holder(
    make_azure_backend: MakeBackend, raw_container: Any
) -> None:
    from azure.storage.blob import BlobLeaseClient

    backend = make_azure_backend(project="sales")
    with backend.lock("pipeline.p", timeout=5):
        pass
    lock_blob = raw_container.get_blob_client("sales/state.locks/pipeline.p.lock")
    BlobLeaseClient(lock_blob).acquire(lease_duration=-1)  # another tool's infinite lease
    with pytest.raises(StateLockTimeout) as caught, backend.lock("pipeline.p", timeout=0.3):
        pass  # pragma: no cover
    assert "unknown holder" in caught.value.message
    assert "sales/state.locks/pipeline.p.lock" in caught.value.message
    assert (
        caught.value.hint
        == "If nothing should hold it, break the lease: `odibi state unlock pipeline.p`"
    )
    [listed] = backend.holders()
    assert (listed.lock_id, listed.lock_name) == ("pipeline.p", "pipeline.p")
    assert "unknown holder" in listed.describe()
    broken = backend.force_unlock("pipeline.p")
    assert isinstance(broken, UnknownHolder)
    with backend.lock("pipeline.p", timeout=0):
        pass


def test_an_unknown_holder_of_the_state_blob_blocks_updates_with_guidance(
    make_azure_backend: MakeBackend, raw_container: Any
) -> None:
    from azure.storage.blob import BlobLeaseClient

    backend = make_azure_backend(project="sales")
    backend.update(bump)
    BlobLeaseClient(raw_container.get_blob_client("sales/state.json")).acquire(lease_duration=60)
    with pytest.raises(StateLockTimeout) as caught:
        backend.update(bump, timeout=0.3)
    assert "unknown holder" in caught.value.message
    assert "`odibi state unlock state`" in caught.value.hint
    backend.force_unlock("state")
    assert backend.update(bump, timeout=0).serial == 2


def test_force_unlock_breaks_the_lease_and_clears_the_stale_holder_info(
    make_azure_backend: MakeBackend, raw_container: Any
) -> None:
    dead, rescuer = make_azure_backend(project="sales"), make_azure_backend(project="sales")
    lease = dead._acquire("pipeline.p", timeout=5, run_id="run-dead")
    dead._keeper.discard(lease)  # what a killed process leaves: a lease nobody renews
    del dead._held["pipeline.p"]
    broken = rescuer.force_unlock(lease.holder.lock_id)
    assert broken == lease.holder
    props = raw_container.get_blob_client("sales/state.locks/pipeline.p.lock").get_blob_properties()
    assert props.lease.state != "leased"
    assert holder_from_metadata(props.metadata) is None
    assert rescuer.holders() == []


def test_close_releases_leases_still_held(make_azure_backend: MakeBackend) -> None:
    backend, other = make_azure_backend(), make_azure_backend()
    stack = contextlib.ExitStack()
    stack.enter_context(backend.lock("pipeline.p", timeout=5, run_id="run-open"))
    backend.close()
    with other.lock("pipeline.p", timeout=0):
        pass
    stack.pop_all()


def test_the_timeout_message_names_the_holder_and_the_exact_unlock_command(
    make_azure_backend: MakeBackend,
) -> None:
    import os
    import socket

    first, second = make_azure_backend(project="sales"), make_azure_backend(project="sales")
    with first.lock("pipeline.daily", timeout=5, run_id="run-first") as holder:
        start = time.monotonic()
        with (
            pytest.raises(StateLockTimeout) as caught,
            second.lock("pipeline.daily", timeout=1.5, run_id="run-second"),
        ):
            pass  # pragma: no cover
        waited = time.monotonic() - start
    assert 1.5 <= waited < 3.5
    message = caught.value.message
    for part in ("run-first", socket.gethostname(), str(os.getpid()), holder.lock_id, "within 15s"):
        assert part in message
    assert caught.value.hint.endswith(f"`odibi state unlock {holder.lock_id}`")
    assert caught.value.exit_code == 5


def test_the_stored_document_is_the_redacted_json(
    make_azure_backend: MakeBackend, raw_container: Any
) -> None:
    backend = make_azure_backend(project="sales")
    written = backend.update(bump)
    raw = raw_container.get_blob_client("sales/state.json").download_blob().readall()
    assert raw == written.to_json().encode()
    assert json.loads(raw)["serial"] == 1
