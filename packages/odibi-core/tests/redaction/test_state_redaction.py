"""The state document never holds a secret and always reads back (DocumentStateBackend)."""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odibi_core.contracts.state import (
    DocumentStateBackend,
    HighWaterMark,
    HolderInfo,
    LoadedDocument,
    NodeRecord,
    RunRecord,
    StateDocument,
    parse_state,
)
from odibi_core.redaction import MASK, register_secret

pytestmark = pytest.mark.usefixtures("clean_redaction")

SECRET = 'st@te "secret" value'


class FileBackend(DocumentStateBackend):
    """The smallest real backend: one JSON file, no cross-process locking (tests only)."""

    def __init__(self, path: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = path

    @property
    def location(self) -> str:
        return str(self.path)

    def load_document(self) -> LoadedDocument:
        return LoadedDocument(self.path.read_bytes() if self.path.exists() else None, None)

    def store_document(self, data: bytes, token: Any) -> None:
        self.path.write_bytes(data)

    @contextlib.contextmanager
    def lock(self, name: str, *, timeout: float, run_id: str | None = None) -> Iterator[HolderInfo]:
        yield HolderInfo.current(lock_name=name, run_id=run_id)

    def holders(self) -> list[HolderInfo]:
        return []

    def force_unlock(self, lock_id: str) -> HolderInfo:
        raise NotImplementedError


def record_failure(
    doc: StateDocument, error: str, run_id: str = "20260101T000000Z-abcd1234"
) -> None:
    state = doc.pipeline("daily")
    run = RunRecord(run_id=run_id, status="failed", started_at="2026-01-01T00:00:00.000+00:00")
    run.nodes["orders"] = NodeRecord(
        status="failed", fingerprint="f00d", error=error, output="warehouse:public.orders"
    )
    state.runs.append(run)
    state.nodes["orders"] = run.nodes["orders"]
    state.high_water_marks["(default)"] = {
        "orders": HighWaterMark(target="warehouse:public.orders", type="str", value="2026-01-01")
    }


def test_state_file_holds_no_form_of_a_secret(tmp_path: Path) -> None:
    register_secret(SECRET)
    backend = FileBackend(tmp_path / "state.json", project="p")
    error = (
        f"OperationalError: password={SECRET!r} failed; dsn "
        f"postgresql://u:{quote(SECRET, safe='')}@h/db; "
        f"basic {base64.b64encode(SECRET.encode()).decode()}"
    )
    backend.update(lambda doc: record_failure(doc, error))
    stored = (tmp_path / "state.json").read_text()
    for form in (
        SECRET,
        json.dumps(SECRET)[1:-1],
        quote(SECRET, safe=""),
        repr(SECRET)[1:-1],
        base64.b64encode(SECRET.encode()).decode(),
    ):
        assert form not in stored
    doc = parse_state(stored.encode(), location="state.json")
    assert MASK in doc.pipelines["daily"].nodes["orders"].error


def test_a_quoted_unregistered_credential_cannot_break_the_json(tmp_path: Path) -> None:
    backend = FileBackend(tmp_path / "state.json")
    backend.update(lambda doc: record_failure(doc, 'driver: "Password=abc\\"def;" rejected'))
    doc = backend.read()
    assert doc is not None
    assert "abc" not in doc.pipelines["daily"].nodes["orders"].error


def test_identifiers_hashes_and_marks_are_never_masked(tmp_path: Path) -> None:
    register_secret("2026")  # a short, numeric secret that also appears in run ids and dates
    register_secret("abcd1234")
    backend = FileBackend(tmp_path / "state.json", project="p")
    written = backend.update(lambda doc: record_failure(doc, "error mentions abcd1234"))
    doc = backend.read()
    assert doc is not None
    assert doc.lineage == written.lineage
    run = doc.pipelines["daily"].runs[0]
    assert run.run_id == "20260101T000000Z-abcd1234"
    assert run.started_at.startswith("2026-01-01")
    assert doc.pipelines["daily"].high_water_marks["(default)"]["orders"].value == "2026-01-01"
    assert run.nodes["orders"].error == f"error mentions {MASK}"
    backend.update(lambda d: None)  # the lineage check passes on the next write


def test_a_changed_stored_run_is_redacted_again_and_an_unchanged_one_is_kept(
    tmp_path: Path,
) -> None:
    """Stored run records were redacted when written and are not searched again, unless the
    update changed them: then the whole record is redacted with today's secrets."""
    backend = FileBackend(tmp_path / "state.json", project="p")
    backend.update(
        lambda d: record_failure(d, "first run: token abc-123-late", "20260101T000000Z-a")
    )
    backend.update(
        lambda d: record_failure(d, "second run: token abc-123-late", "20260102T000000Z-b")
    )
    register_secret("abc-123-late")  # known only from now on

    def touch_second(doc: StateDocument) -> None:
        doc.pipeline("daily").runs[1].status = "success"

    backend.update(touch_second)
    runs = json.loads((tmp_path / "state.json").read_bytes())["pipelines"]["daily"]["runs"]
    assert "abc-123-late" in runs[0]["nodes"]["orders"]["error"]  # unchanged: kept as stored
    assert "abc-123-late" not in runs[1]["nodes"]["orders"]["error"]  # changed: redacted
    assert MASK in runs[1]["nodes"]["orders"]["error"]


def test_a_document_replaced_by_another_writer_is_read_not_taken_from_memory(
    tmp_path: Path,
) -> None:
    """The backend skips parsing only the exact bytes it wrote itself."""
    path = tmp_path / "state.json"
    mine = FileBackend(path, project="p")
    theirs = FileBackend(path, project="p")
    mine.update(lambda d: record_failure(d, "mine", "20260101T000000Z-a"))
    theirs.update(lambda d: record_failure(d, "theirs", "20260102T000000Z-b"))
    seen: list[list[str]] = []
    mine.update(lambda d: seen.append([r.run_id for r in d.pipeline("daily").runs]))
    assert seen == [["20260101T000000Z-a", "20260102T000000Z-b"]]
    again = mine.update(lambda d: seen.append([r.run_id for r in d.pipeline("daily").runs]))
    assert seen[-1] == seen[0]
    assert parse_state(path.read_bytes(), location="x") == again


def test_a_read_document_is_its_readers_and_a_replaced_file_is_parsed_again(
    tmp_path: Path,
) -> None:
    """An update after a read reuses the parse only for the very bytes read: the document the
    read returned never changes under its reader, and a file another writer replaced in between
    is what the update starts from."""
    path = tmp_path / "state.json"
    mine = FileBackend(path, project="p")
    theirs = FileBackend(path, project="p")
    mine.update(lambda d: record_failure(d, "mine", "20260101T000000Z-a"))
    fresh = FileBackend(path, project="p")
    held = fresh.read()
    assert held is not None
    snapshot = held.model_copy(deep=True)
    fresh.update(lambda d: record_failure(d, "next", "20260102T000000Z-b"))
    assert held == snapshot  # the update changed its own document, not the reader's
    assert [r.run_id for r in fresh.read().pipeline("daily").runs] == [  # type: ignore[union-attr]
        "20260101T000000Z-a",
        "20260102T000000Z-b",
    ]
    theirs.update(lambda d: record_failure(d, "theirs", "20260103T000000Z-c"))
    seen: list[list[str]] = []
    fresh.update(lambda d: seen.append([r.run_id for r in d.pipeline("daily").runs]))
    assert seen == [["20260101T000000Z-a", "20260102T000000Z-b", "20260103T000000Z-c"]]


SECRETS = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=8, max_size=16
).filter(
    # a non-ASCII character: never part of the document's own (ASCII) names, times and ids
    lambda s: s.strip() == s and "[REDACTED]" not in s and any(ord(c) > 127 for c in s)
)
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["add", "touch", "rewrite", "read"]),  # what one update does
        st.integers(0, 1),  # which of two backends sharing the file makes it
        st.integers(0, 6),  # which run it touches or rewrites
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(secret=SECRETS, steps=STEPS)
def test_random_updates_by_two_writers_never_store_a_secret_and_always_read_back(
    tmp_path_factory: pytest.TempPathFactory, secret: str, steps: list[tuple[str, int, int]]
) -> None:
    """Whatever sequence of updates two backends make to one file (new runs carrying the secret,
    stored runs changed or rewritten with it), the secret known from the start is never stored,
    and the document the writer's next update starts from is exactly what the file reads back
    as: skipping stored runs and reusing the document a backend just wrote (or the data it just
    read) let nothing through."""
    from odibi_core.redaction import reset_registry

    reset_registry()
    register_secret(secret)
    path = tmp_path_factory.mktemp("state") / "state.json"
    backends = [FileBackend(path, project="p"), FileBackend(path, project="p")]
    added = 0

    for action, writer, target in steps:

        def change(doc: StateDocument, action: str = action, target: int = target) -> None:
            nonlocal added
            runs = doc.pipeline("daily").runs
            if action in ("add", "read") or not runs:
                added += 1
                record_failure(
                    doc, f"run {added} failed: {secret}", f"2026010{added % 10}T0-{added}"
                )
                return
            run = runs[target % len(runs)]
            if action == "touch":
                run.status = "interrupted"
            else:
                run.nodes["orders"].error = f"rewritten with {secret} inside"

        held = backends[writer].read() if action == "read" else None
        snapshot = held.model_copy(deep=True) if held is not None else None
        backends[writer].update(change)
        assert held == snapshot  # a document read before the update is its reader's alone
        data = path.read_bytes()
        assert secret.encode() not in data
        assert json.dumps(secret)[1:-1].encode() not in data
        seen: list[StateDocument] = []

        def look(doc: StateDocument, seen: list[StateDocument] = seen) -> None:
            seen.append(doc.model_copy(deep=True))

        backends[writer].update(look)
        assert seen == [parse_state(data, location="x")]
