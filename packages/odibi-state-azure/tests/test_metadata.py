"""Holder info survives the trip through blob metadata (HTTP headers: ASCII only)."""

from __future__ import annotations

from odibi_core.contracts.state import HolderInfo
from odibi_state_azure.metadata import holder_from_metadata, holder_to_metadata


def test_holder_round_trips_through_metadata() -> None:
    holder = HolderInfo(
        lock_name="pipeline.sales",
        run_id="20240101-abc",
        user="ana",
        host="ci-7",
        pid=4242,
        odibi_version="0.1.0",
        lease_seconds=30,
    )
    meta = holder_to_metadata(holder)
    assert meta["odibi_lock_id"] == holder.lock_id
    assert meta["odibi_run_id"] == "20240101-abc"
    assert all(key.isidentifier() for key in meta)
    back = holder_from_metadata(meta)
    assert back == holder
    assert back is not None
    assert back.lease_seconds == 30


def test_non_ascii_and_percent_are_encoded_and_decoded() -> None:
    holder = HolderInfo(lock_name="state", user="jürgen 100%", host="hôte", pid=1)
    meta = holder_to_metadata(holder)
    assert all(value.isascii() and " " not in value for value in meta.values())
    assert holder_from_metadata(meta) == holder


def test_missing_run_id_is_left_out_and_comes_back_as_none() -> None:
    meta = holder_to_metadata(HolderInfo(lock_name="state", run_id=None))
    assert "odibi_run_id" not in meta
    back = holder_from_metadata(meta)
    assert back is not None
    assert back.run_id is None


def test_keys_are_matched_case_insensitively() -> None:
    # the service may hand metadata keys back in another case
    meta = {
        k.upper(): v for k, v in holder_to_metadata(HolderInfo(lock_name="state", pid=9)).items()
    }
    back = holder_from_metadata(meta)
    assert back is not None
    assert back.pid == 9


def test_metadata_without_holder_info_is_none() -> None:
    assert holder_from_metadata({}) is None
    assert holder_from_metadata(None) is None
    assert holder_from_metadata({"owner": "someone", "odibi_user": "x"}) is None
