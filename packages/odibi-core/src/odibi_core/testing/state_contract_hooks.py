"""Hooks and helpers shared by the state contract test classes.

See :mod:`odibi_core.testing.state_contract` for how a backend's tests use them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import pytest

from odibi_core.contracts.state import HighWaterMark, HolderInfo, StateBackend, StateDocument
from odibi_core.state.integrity import seal

MakeBackend = Callable[..., StateBackend]
"""``make_backend(store="default", *, run_id=None, lock_timeout=60.0, history=50) ->
StateBackend``."""


COUNTER_PIPELINE = "counter"
"""Pipeline holding the contract counter (a mark ``n`` under the environment key ``contract``)."""


def contract_marks(doc: StateDocument) -> dict[str, HighWaterMark]:
    """The marks of the contract counter's pipeline (created empty if missing)."""
    return doc.pipeline(COUNTER_PIPELINE).high_water_marks.setdefault("contract", {})


def bump(doc: StateDocument) -> None:
    """Add one to the contract counter (mark ``n`` of pipeline ``counter``): an ``update`` function
    for the contract tests, stress tests and benchmarks."""
    marks = contract_marks(doc)
    marks["n"] = HighWaterMark(target="contract", type="int", value=counter_value(doc) + 1)


def counter_value(doc: StateDocument | None) -> int:
    """The contract counter in ``doc`` (0 for no document)."""
    if doc is None or COUNTER_PIPELINE not in doc.pipelines:
        return 0
    mark = doc.pipelines[COUNTER_PIPELINE].high_water_marks.get("contract", {}).get("n")
    return int(mark.value) if mark is not None else 0


def set_payload(doc: StateDocument, payload: str) -> None:
    """Store ``payload`` beside the contract counter (to make documents big, or recognisable)."""
    contract_marks(doc)["payload"] = HighWaterMark(target="contract", type="str", value=payload)


def payload_value(doc: StateDocument) -> str | None:
    """The payload stored by :func:`set_payload`, or ``None``."""
    mark = doc.pipelines.get(COUNTER_PIPELINE)
    stored = mark.high_water_marks.get("contract", {}).get("payload") if mark is not None else None
    return str(stored.value) if stored is not None else None


def make_document_bytes(*, lineage: str, serial: int, counter: int = 0, payload: str = "") -> bytes:
    """A valid stored document, sealed with its checksum (for planting and for comparing
    against what a writer wrote)."""
    doc = StateDocument(lineage=lineage, serial=serial, checksum=None, project="contract")
    contract_marks(doc)["n"] = HighWaterMark(target="contract", type="int", value=counter)
    if payload:
        set_payload(doc, payload)
    return seal(doc)


class StateContractHooks:
    """What a backend's test class provides (override the fixture and the three methods)."""

    breaks_live_locks: ClassVar[bool] = False
    """Whether :meth:`~odibi_core.contracts.state.StateBackend.force_unlock` can break a lock whose
    holder is alive. A lease (Azure) can be broken; an OS file lock cannot be taken from a live
    process, so such a backend refuses with an error naming the holder and the lock stays held."""

    timing_slack: ClassVar[float] = 2.0
    """Seconds of slack allowed on top of a lock timeout before the wait counts as too long."""

    # --- hooks a subclass provides ---------------------------------------------------------

    @pytest.fixture
    def make_backend(self) -> MakeBackend:
        """Override: the backend factory described in the module docstring."""
        raise NotImplementedError(
            "subclass StateBackendContract and override the make_backend fixture"
        )

    def write_raw(self, backend: StateBackend, data: bytes) -> None:
        """Override: replace ``backend``'s stored document with ``data``, bypassing the backend."""
        raise NotImplementedError

    def read_raw(self, backend: StateBackend) -> bytes | None:
        """Override: the bytes stored for ``backend`` (``None`` if nothing is stored)."""
        raise NotImplementedError

    def abandon_lock(self, backend: StateBackend, name: str, *, run_id: str) -> HolderInfo:
        """Override: take lock ``name`` as a holder that dies without releasing it; return its
        info."""
        raise NotImplementedError

    # --- helpers ---------------------------------------------------------------------------

    def stored_document(
        self, *, lineage: str = "cafe" * 8, serial: int = 1, counter: int = 0
    ) -> bytes:
        """Bytes of a valid document, for planting with :meth:`write_raw`."""
        return make_document_bytes(lineage=lineage, serial=serial, counter=counter)
