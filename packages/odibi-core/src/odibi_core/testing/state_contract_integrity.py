"""Contract tests of state integrity: strict validation, checksums, the version 1 upgrade.

Every backend stores bytes and hands them back; the kernel's parsing decides what is refused. These
tests check that the backend really routes every read and every update through it: a refused
document raises :class:`~odibi_core.errors.StateCorruptError` (exit 6) naming the location, and the
stored bytes stay exactly as they were.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from odibi_core.contracts.state import RunRecord, StateDocument
from odibi_core.errors import StateCorruptError, StateError
from odibi_core.state.integrity import CHECKSUM_PLACEHOLDER, seal, seal_bytes
from odibi_core.testing.state_contract_hooks import (
    MakeBackend,
    StateContractHooks,
    bump,
    counter_value,
)

LINEAGE = "0123456789abcdef" * 2


def sample_document(*, serial: int = 5) -> dict[str, Any]:
    """A realistic stored document as JSON data (a run, node records, a mark per environment)."""
    node = {
        "status": "success",
        "fingerprint": "0123456789abcdef",
        "rows_in": 3,
        "rows_out": 3,
        "rows_written": 3,
        "rows_total": 3,
        "duration_s": 0.25,
        "output": "lake:events.parquet",
        "error": None,
        "started_at": "2026-01-02T03:04:05.000+00:00",
        "finished_at": "2026-01-02T03:04:06.000+00:00",
        "run_id": "20260102T030405Z-1a2b3c4d",
        "environment": "(default)",
        "source_fingerprint": "files:1:00112233445566778899aabbccddeeff",
    }
    run = {
        "run_id": "20260102T030405Z-1a2b3c4d",
        "status": "success",
        "started_at": "2026-01-02T03:04:05.000+00:00",
        "finished_at": "2026-01-02T03:04:06.000+00:00",
        "user": "etl",
        "host": "box",
        "pid": 4242,
        "environment": None,
        "odibi_version": "0.1.0",
        "nodes": {"events": dict(node)},
    }
    mark = {
        "target": "lake:events.parquet",
        "type": "datetime",
        "value": "2026-01-01T10:00:00",
        "run_id": run["run_id"],
        "updated_at": "2026-01-02T03:04:06.000+00:00",
    }
    return {
        "version": 2,
        "lineage": LINEAGE,
        "serial": serial,
        "checksum": CHECKSUM_PLACEHOLDER,
        "project": "contract",
        "pipelines": {
            "events": {
                "runs": [run],
                "nodes": {"events": dict(node)},
                "high_water_marks": {"(default)": {"events": mark}},
            }
        },
    }


def stored_bytes(data: dict[str, Any]) -> bytes:
    """``data`` written the way Odibi writes documents, sealed with a valid checksum (if it has
    a checksum field)."""
    text = (json.dumps(data, indent=2) + "\n").encode()
    return seal_bytes(text) if "checksum" in data else text


def _text_edit(old: bytes, new: bytes) -> bytes:
    """The sample document with ``old`` replaced by ``new`` in its text, then sealed."""
    text = (json.dumps(sample_document(), indent=2) + "\n").encode()
    assert old in text
    return seal_bytes(text.replace(old, new, 1))


def _edit(change: Callable[[dict[str, Any]], None]) -> bytes:
    data = sample_document()
    change(data)
    return stored_bytes(data)


def _events(data: dict[str, Any]) -> dict[str, Any]:
    events: dict[str, Any] = data["pipelines"]["events"]
    return events


def _legacy(change: Callable[[dict[str, Any]], None] = lambda d: None) -> bytes:
    data = {
        "version": 1,
        "lineage": LINEAGE,
        "serial": 3,
        "project": "old",
        "pipelines": {
            "events": {
                "runs": [
                    {
                        "run_id": "r-dev",
                        "status": "success",
                        "started_at": "2026-01-01T00:00:00+00:00",
                        "finished_at": "2026-01-01T00:00:01+00:00",
                        "environment": "dev",
                        "nodes": {},
                    }
                ],
                "nodes": {
                    "events": {
                        "status": "success",
                        "fingerprint": "0123456789abcdef",
                        "rows_out": 2,
                        "output": "lake:events.parquet",
                        "run_id": "r-dev",
                    }
                },
                "high_water_marks": {"events": {"type": "int", "value": 41}},
            }
        },
    }
    change(data)
    return (json.dumps(data, indent=2) + "\n").encode()


# Documents a buggy tool or a careless edit could leave behind. The checksum of each is valid, so
# only strict validation can refuse them.
CORRUPTIONS: dict[str, Callable[[], bytes]] = {
    "negative-serial": lambda: _edit(lambda d: d.update(serial=-1)),
    "huge-serial": lambda: _edit(lambda d: d.update(serial=10**20)),
    "empty-lineage": lambda: _edit(lambda d: d.update(lineage="")),
    "short-lineage": lambda: _edit(lambda d: d.update(lineage="abc")),
    "unknown-run-status": lambda: _edit(lambda d: _events(d)["runs"][0].update(status="exploded")),
    "unknown-node-status": lambda: _edit(
        lambda d: _events(d)["nodes"]["events"].update(status="meh")
    ),
    "garbage-mark-value": lambda: _edit(
        lambda d: _events(d)["high_water_marks"]["(default)"]["events"].update(value="yesterday")
    ),
    "mark-int-as-text": lambda: _edit(
        lambda d: _events(d)["high_water_marks"]["(default)"]["events"].update(
            type="int", value="41"
        )
    ),
    "unknown-mark-type": lambda: _edit(
        lambda d: _events(d)["high_water_marks"]["(default)"]["events"].update(type="blob")
    ),
    "bare-mark": lambda: _edit(
        lambda d: _events(d)["high_water_marks"]["(default)"].update(events=41)
    ),
    "unknown-key": lambda: _edit(lambda d: d.update(surprise=True)),
    "negative-rows": lambda: _edit(lambda d: _events(d)["nodes"]["events"].update(rows_out=-3)),
    "bad-time": lambda: _edit(lambda d: _events(d)["runs"][0].update(started_at="last tuesday")),
    "duplicate-run-id": lambda: _edit(
        lambda d: _events(d)["runs"].append(dict(_events(d)["runs"][0]))
    ),
    "runs-not-a-list": lambda: _edit(lambda d: _events(d).update(runs={})),
    "bad-node-name": lambda: _edit(
        lambda d: _events(d)["nodes"].update({"no such name!": {"status": "success"}})
    ),
    "duplicate-json-key": lambda: _text_edit(b'"serial": 5,', b'"serial": 5,\n  "serial": 6,'),
    "nan": lambda: _text_edit(b'"duration_s": 0.25', b'"duration_s": NaN'),
    "infinite-number": lambda: _text_edit(b'"duration_s": 0.25', b'"duration_s": 1e999'),
    "version-2-without-checksum": lambda: _edit(lambda d: d.pop("checksum")),
    "version-1-with-checksum": lambda: _edit(lambda d: d.update(version=1)),
    "version-1-garbage-mark": lambda: _legacy(
        lambda d: d["pipelines"]["events"]["high_water_marks"].update(
            events={"type": "date", "value": "soon"}
        )
    ),
    "version-1-bare-mark": lambda: _legacy(
        lambda d: d["pipelines"]["events"]["high_water_marks"].update(events=7)
    ),
    "version-1-negative-serial": lambda: _legacy(lambda d: d.update(serial=-4)),
    "version-1-unknown-status": lambda: _legacy(
        lambda d: d["pipelines"]["events"]["runs"][0].update(status="ok")
    ),
}


class StateIntegrityTests(StateContractHooks):
    """Corrupt documents are refused and left in place; version 1 documents are upgraded once."""

    def assert_refused(self, make_backend: MakeBackend, data: bytes) -> StateCorruptError:
        """Plant ``data``; reading and updating must both refuse it and leave it untouched."""
        backend = make_backend()
        self.write_raw(backend, data)
        with pytest.raises(StateCorruptError) as caught:
            backend.read()
        assert backend.location in caught.value.message
        assert caught.value.exit_code == 6
        with pytest.raises(StateCorruptError):
            make_backend().update(bump)
        assert self.read_raw(backend) == data
        return caught.value

    def test_the_sample_document_itself_is_accepted(self, make_backend: MakeBackend) -> None:
        backend = make_backend()
        self.write_raw(backend, stored_bytes(sample_document()))
        doc = backend.read()
        assert doc is not None
        assert (
            doc.pipelines["events"].high_water_marks["(default)"]["events"].value
            == "2026-01-01T10:00:00"
        )
        assert make_backend().update(bump).serial == 6

    @pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
    def test_a_hand_corrupted_document_is_refused_and_left_in_place(
        self, make_backend: MakeBackend, corruption: str
    ) -> None:
        self.assert_refused(make_backend, CORRUPTIONS[corruption]())

    def test_a_flipped_byte_anywhere_is_refused(self, make_backend: MakeBackend) -> None:
        writer = make_backend()
        writer.update(bump)
        writer.update(
            lambda doc: doc.pipeline("events").runs.append(
                RunRecord.model_validate(
                    {
                        "run_id": "run-1",
                        "status": "interrupted",
                        "started_at": "2026-01-01T00:00:00+00:00",
                    }
                )
            )
        )
        good = self.read_raw(writer)
        assert good is not None
        # a spread of positions: header, digits, keys, strings, whitespace, the checksum itself
        positions = sorted(
            {
                1,
                5,
                14,
                30,
                60,
                len(good) // 3,
                len(good) // 2,
                len(good) - 10,
                good.index(b'"serial"') + 10,
                good.index(b"sha256:") + 12,
            }
        )
        for position in positions:
            flipped = bytearray(good)
            flipped[position] ^= 0x04
            error = self.assert_refused(make_backend, bytes(flipped))
            assert (
                "checksum" in error.message or "JSON" in error.message or "version" in error.message
            )
        self.write_raw(writer, good)
        assert counter_value(make_backend().read()) == 1

    def test_status_interrupted_is_valid_for_runs_and_nodes(
        self, make_backend: MakeBackend
    ) -> None:
        data = sample_document()
        _events(data)["runs"][0]["status"] = "interrupted"
        _events(data)["runs"][0]["nodes"]["events"]["status"] = "interrupted"
        backend = make_backend()
        self.write_raw(backend, stored_bytes(data))
        doc = backend.read()
        assert doc is not None
        assert doc.pipelines["events"].runs[0].status == "interrupted"

    def test_an_update_that_would_write_an_invalid_document_writes_nothing(
        self, make_backend: MakeBackend
    ) -> None:
        backend = make_backend()
        backend.update(bump)
        before = self.read_raw(backend)

        def spoil(doc: StateDocument) -> None:
            doc.pipeline("p").runs.append(
                RunRecord.model_construct(
                    run_id="r", status="bogus", started_at="2026-01-01T00:00:00+00:00", nodes={}
                )
            )

        with pytest.raises(StateError, match="invalid"):
            make_backend().update(spoil)
        assert self.read_raw(backend) == before

    def test_a_version_1_document_is_accepted_once_and_sealed_by_the_next_write(
        self, make_backend: MakeBackend
    ) -> None:
        backend = make_backend()
        legacy = _legacy()
        self.write_raw(backend, legacy)
        doc = backend.read()
        assert doc is not None
        assert (doc.version, doc.serial) == (2, 3)
        events = doc.pipelines["events"]
        # the mark moves under the environment of the run that set it, with that run's target
        mark = events.high_water_marks["dev"]["events"]
        assert (mark.target, mark.type, mark.value) == ("lake:events.parquet", "int", 41)
        assert events.nodes["events"].environment == "dev"
        assert self.read_raw(backend) == legacy, "reading alone never rewrites"
        written = make_backend().update(bump)
        assert written.serial == 4
        raw = self.read_raw(backend)
        assert raw is not None
        stored = json.loads(raw)
        assert stored["version"] == 2
        assert stored["checksum"].startswith("sha256:")
        flipped = raw.replace(b'"value": 41', b'"value": 47', 1)
        self.assert_refused(make_backend, flipped)

    def test_what_a_backend_writes_verifies(self, make_backend: MakeBackend) -> None:
        backend = make_backend()
        written = backend.update(bump)
        raw = self.read_raw(backend)
        assert raw is not None
        assert written.checksum == json.loads(raw)["checksum"]
        resealed = StateDocument.model_validate_json(raw)
        assert seal(resealed) == raw, "a stored document is exactly what Odibi's serialiser writes"
