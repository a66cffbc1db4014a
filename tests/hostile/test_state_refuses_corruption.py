"""Promise: a damaged state file is refused, named, and left exactly as it was (exit 6).

Hypothesis flips bytes and rewrites values of real state documents by the hundred, in-process;
the CLI tests show what a user meets: ``odibi run`` and ``odibi state show`` exit 6 naming the
file, and nothing is written over it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odibi_core.contracts.state import RunRecord, StateDocument, parse_state
from odibi_core.errors import StateCorruptError
from odibi_core.state.integrity import seal, seal_bytes
from odibi_core.state.marks import encode_mark
from odibi_core.testing.cli import run_odibi
from odibi_core.testing.state_contract_integrity import sample_document, stored_bytes
from odibi_core.testing.state_files import pipeline_document_path

LOCATION = "/srv/project/.odibi/state.json"


def _written_document() -> bytes:
    """A document as a real backend writes it: several runs, node records, marks."""
    import datetime as dt

    from odibi_core.contracts.state import HighWaterMark, NodeRecord

    doc = StateDocument.new("hostile")
    state = doc.pipeline("daily_sales")
    for i in range(3):
        run = RunRecord(
            run_id=f"20260101T00000{i}Z-0000000{i}",
            status=("success", "failed", "interrupted")[i],
            started_at=f"2026-01-01T00:00:0{i}.000+00:00",
            user="etl",
            host="box",
            pid=100 + i,
        )
        run.nodes["orders"] = NodeRecord(
            status="success",
            fingerprint="0123456789abcdef",
            rows_out=42,
            rows_written=42,
            rows_total=42,
            output="lake:orders.parquet",
            source_fingerprint="files:1:0123456789abcdef0123456789abcdef",
        )
        state.runs.append(run)
    state.nodes["orders"] = state.runs[0].nodes["orders"]
    for environment, value in (("(default)", dt.datetime(2026, 1, 1, 9)), ("prod", 17)):
        encoded = encode_mark(value)
        assert encoded is not None
        state.high_water_marks[environment] = {
            "orders": HighWaterMark(target="lake:orders.parquet", **encoded)
        }
    return seal(doc)


WRITTEN = _written_document()


def test_the_documents_used_below_are_accepted() -> None:
    assert (
        parse_state(WRITTEN, location=LOCATION).pipelines["daily_sales"].runs[2].status
        == "interrupted"
    )
    parse_state(stored_bytes(sample_document()), location=LOCATION)


@settings(max_examples=400, deadline=None, database=None)
@given(
    position=st.integers(min_value=0, max_value=len(WRITTEN) - 1),
    mask=st.integers(min_value=1, max_value=255),
)
def test_any_changed_byte_is_refused_naming_the_file(position: int, mask: int) -> None:
    damaged = bytearray(WRITTEN)
    damaged[position] ^= mask
    with pytest.raises(StateCorruptError) as caught:
        parse_state(bytes(damaged), location=LOCATION)
    assert LOCATION in caught.value.message
    assert caught.value.exit_code == 6


@settings(max_examples=150, deadline=None, database=None)
@given(cut=st.integers(min_value=0, max_value=len(WRITTEN) - 1))
def test_a_truncated_document_is_refused(cut: int) -> None:
    with pytest.raises(StateCorruptError):
        parse_state(WRITTEN[:cut], location=LOCATION)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


PATHS = _paths(json.loads(WRITTEN))


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(where=st.sampled_from(PATHS), value=JSON_VALUES)
def test_a_value_rewritten_with_a_valid_checksum_is_accepted_only_if_odibi_could_have_written_it(
    where: tuple[Any, ...], value: Any
) -> None:
    """A tool that recomputes the checksum still cannot slip in a document Odibi would not write:
    either strict validation refuses it, or it reads back and round-trips unchanged."""
    data = json.loads(WRITTEN)
    target = data
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    data["checksum"] = "sha256:" + "0" * 64
    edited = seal_bytes((json.dumps(data, indent=2) + "\n").encode())
    try:
        doc = parse_state(edited, location=LOCATION)
    except StateCorruptError as error:
        refused: StateCorruptError | None = error
    else:
        refused = None
    if refused is not None:
        assert LOCATION in refused.message
        return
    again = parse_state(seal(doc), location=LOCATION)
    assert again.model_dump() == doc.model_dump()
    for state in doc.pipelines.values():
        for run in state.runs:
            assert run.status in ("running", "success", "failed", "interrupted")
        for marks in state.high_water_marks.values():
            for mark in marks.values():
                mark.decoded()  # every accepted mark decodes


# --- what a user meets --------------------------------------------------------------------

PROJECT = """
project: corrupt
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: p
    nodes:
      - name: n
        read: {connection: raw, path: n.csv}
        write: {connection: lake, path: n.parquet}
"""


def test_a_flipped_byte_stops_run_and_state_show_with_exit_6_and_the_file_untouched(
    write_project: Callable[..., Path],
) -> None:
    project = write_project(PROJECT, files={"data/n.csv": "n\n1\n2\n"})
    assert run_odibi(["run", str(project)]).returncode == 0
    state = pipeline_document_path(project.parent / ".odibi" / "state.json", "p")  # p's history
    good = state.read_bytes()
    at = good.index(b'"rows_out": 2') + len(b'"rows_out": ')
    damaged = good[:at] + b"3" + good[at + 1 :]  # still valid JSON, still a plausible document
    state.write_bytes(damaged)
    for command in (
        ["run", str(project)],
        ["run", str(project), "--resume"],
        ["state", "show", str(project)],
    ):
        result = run_odibi(command)
        assert result.returncode == 6, (command, result.stderr)
        assert "does not match its checksum" in result.stderr
        assert str(state) in result.stderr or ".odibi/state.pipelines/p.json" in result.stderr
        assert state.read_bytes() == damaged
    state.write_bytes(good)
    assert run_odibi(["run", str(project), "--resume"]).returncode == 0


def test_a_state_file_from_before_checksums_is_accepted_once_and_sealed(
    write_project: Callable[..., Path],
) -> None:
    project = write_project(PROJECT, files={"data/n.csv": "n\n1\n"})
    state = project.parent / ".odibi" / "state.json"
    state.parent.mkdir()
    legacy = {
        "version": 1,
        "lineage": "ab" * 16,
        "serial": 7,
        "project": "corrupt",
        "pipelines": {},
    }
    state.write_text(json.dumps(legacy, indent=2))
    assert run_odibi(["run", str(project)]).returncode == 0
    stored = json.loads(state.read_text())
    # one write: the run lists its pipeline (its history goes to the pipeline's own document)
    assert (stored["version"], stored["lineage"], stored["serial"]) == (2, "ab" * 16, 8)
    assert stored["checksum"].startswith("sha256:")
