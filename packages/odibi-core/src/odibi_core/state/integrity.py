"""Reading a stored state document strictly, and sealing what is written with a checksum.

Every document Odibi writes carries ``"checksum": "sha256:<hex>"`` in its header: the SHA-256 of
the exact bytes written, computed with the checksum's own value replaced by
:data:`CHECKSUM_PLACEHOLDER`. Reading recomputes it, so any changed byte (a flipped bit, an edit
by hand, a truncated copy) is refused with :class:`~odibi_core.errors.StateCorruptError`, exit 6,
naming the location; the file is left exactly as it was. On top of the checksum the document is
validated strictly (:mod:`odibi_core.contracts.state_document`), and JSON with a duplicate key or a
non-finite number is refused.

Documents of format version 1 (written before checksums existed) have nothing to verify: they are
validated as strictly as the format allows, converted to version 2 (high-water marks move under
the environment of the run that set them, see :func:`upgrade_v1`), and sealed by the next write.
A version 2 document without a checksum is refused.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from typing import Any

from pydantic import ValidationError

from odibi_core.contracts.state_document import STATE_FORMAT_VERSION, StateDocument
from odibi_core.errors import StateCorruptError
from odibi_core.state.marks import BadMark, decode_mark, environment_key

logger = logging.getLogger("odibi.state")

CHECKSUM_PLACEHOLDER = "sha256:" + "0" * 64
"""The checksum's value while the checksum is computed."""

LEGACY_VERSION = 1
"""The format version read once and converted (no checksum)."""

_CHECKSUM = re.compile(r"sha256:[0-9a-f]{64}")
_V2_ONLY_NODE_KEYS = frozenset(
    {"rows_written", "rows_total", "environment", "source_fingerprint", "columns"}
)
_KEPT = "it was left in place and nothing was written"
_noted_legacy: set[str] = set()


class _DuplicateKey(ValueError):
    pass


def seal(doc: StateDocument) -> bytes:
    """The bytes to store for ``doc``, with its checksum filled in (``doc.checksum`` is set)."""
    doc.checksum = CHECKSUM_PLACEHOLDER
    body = doc.to_json().encode("utf-8")
    doc.checksum = _digest(body)
    return body.replace(_field(CHECKSUM_PLACEHOLDER), _field(doc.checksum), 1)


def seal_bytes(body: bytes) -> bytes:
    """Fill in the checksum of ``body``, which holds ``"checksum": "<CHECKSUM_PLACEHOLDER>"``
    (for tests and tools that build a stored document by hand)."""
    placeholder = _field(CHECKSUM_PLACEHOLDER)
    if placeholder not in body:
        raise ValueError("the document has no checksum placeholder to fill in")
    return body.replace(placeholder, _field(_digest(body)), 1)


def parse_state(data: bytes, *, location: str) -> StateDocument:
    """Parse, verify and validate a stored document; raise :class:`StateCorruptError` naming
    ``location`` if anything is wrong. Never returns an empty document for bad input."""
    return validate_state(load_state_json(data, location=location), location=location)


def load_state_json(data: bytes, *, location: str) -> dict[str, Any]:
    """The JSON data of a stored document, verified (its checksum, or converted from format
    version 1) but not yet validated: :func:`validate_state` turns it into a document.

    For a sealed document this is exactly the data as stored, so it also tells which run records
    a write leaves unchanged (:func:`odibi_core.contracts.state.unchanged_runs`); it is never
    changed by validation, so one parse can be validated into several independent documents.
    """
    raw = _load_json(data, location)
    if not isinstance(raw, dict) or "lineage" not in raw or "serial" not in raw:
        raise StateCorruptError(
            f"state at {location} is not an Odibi state document (no lineage/serial); {_KEPT}"
        )
    version = raw.get("version")
    if version == STATE_FORMAT_VERSION:
        _verify_checksum(data, raw.get("checksum"), location)
    elif version == LEGACY_VERSION and type(version) is int:
        raw = upgrade_v1(raw, location)
        if location not in _noted_legacy:
            _noted_legacy.add(location)
            logger.info(
                "state at %s has format version 1 (no checksum): accepted; the next "
                "write converts it to version %d and seals it",
                location,
                STATE_FORMAT_VERSION,
            )
    else:
        raise StateCorruptError(
            f"state at {location} has format version {version!r}; this Odibi reads versions "
            f"{LEGACY_VERSION} and {STATE_FORMAT_VERSION}; {_KEPT}",
            hint="Upgrade odibi-core if a newer Odibi wrote it, or point state: elsewhere.",
        )
    return raw


def validate_state(raw: dict[str, Any], *, location: str) -> StateDocument:
    """Validate what :func:`load_state_json` returned into a new document; raise
    :class:`StateCorruptError` naming ``location`` if it is malformed."""
    try:
        return StateDocument.model_validate(raw)
    except ValidationError as exc:
        raise StateCorruptError(
            f"state at {location} is malformed at {describe_error(exc)}; {_KEPT}"
        ) from None


def describe_error(exc: ValidationError) -> str:
    """``where: what`` of the first problem pydantic found."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "the top level"
    return f"{where}: {first['msg']}"


def _digest(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _field(checksum: str) -> bytes:
    return f'"checksum": "{checksum}"'.encode()


def _load_json(data: bytes, location: str) -> Any:
    try:
        return json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_unique_keys,
            parse_constant=_no_constant,
            parse_float=_finite_float,
        )
    except _DuplicateKey as exc:
        raise StateCorruptError(
            f"state at {location} has the key {exc} twice in one object; {_KEPT}"
        ) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise StateCorruptError(
            f"state at {location} is not valid JSON ({type(exc).__name__}: {exc}); {_KEPT}"
        ) from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):  # rare: find the key to name it
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(repr(key))
            seen.add(key)
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


def _verify_checksum(data: bytes, claimed: Any, location: str) -> None:
    if claimed is None:
        raise StateCorruptError(
            f"state at {location} has format version {STATE_FORMAT_VERSION} but no checksum "
            f"(every version {STATE_FORMAT_VERSION} document Odibi writes has one); {_KEPT}"
        )
    if not isinstance(claimed, str) or not _CHECKSUM.fullmatch(claimed):
        raise StateCorruptError(
            f"state at {location} has a malformed checksum {claimed!r}; {_KEPT}"
        )
    field = _field(claimed)
    at = data.find(field)
    if at < 0:
        raise StateCorruptError(
            f"state at {location}: its checksum is not where Odibi writes it (the file was "
            f"reformatted or edited); {_KEPT}"
        )
    body = data[:at] + _field(CHECKSUM_PLACEHOLDER) + data[at + len(field) :]
    if _digest(body) != claimed:
        raise StateCorruptError(
            f"state at {location} does not match its checksum: it changed after Odibi wrote it "
            f"(a flipped bit, an edit by hand, a damaged copy); {_KEPT}",
            hint="Restore the file from a backup, or move it aside to start a new history "
            "(Odibi never resets it for you).",
        )


def upgrade_v1(raw: dict[str, Any], location: str) -> dict[str, Any]:
    """Convert a version 1 document's JSON to version 2 (validated afterwards as usual).

    Version 1 kept one high-water mark per node for every environment. Each mark moves under the
    environment of the run that recorded the node's last result (found in the run history), or
    under the default environment when that run is no longer in the history; its target is that
    result's output. Node records get the environment of their run the same way (``None`` when
    unknown, which makes ``--resume`` rerun the node once).
    """
    if "checksum" in raw:
        raise StateCorruptError(
            f"state at {location} is format version 1 with a checksum "
            f"(no Odibi writes that); {_KEPT}"
        )
    upgraded = dict(raw)
    upgraded["version"] = STATE_FORMAT_VERSION
    pipelines = raw.get("pipelines", {})
    if not isinstance(pipelines, dict):
        return upgraded  # validation names the problem
    upgraded["pipelines"] = {
        name: _upgrade_pipeline(name, state, location) for name, state in pipelines.items()
    }
    return upgraded


def _upgrade_pipeline(name: str, state: Any, location: str) -> Any:
    if not isinstance(state, dict):
        return state
    runs = state.get("runs", [])
    env_of_run = (
        {
            r.get("run_id"): environment_key(r.get("environment"))
            for r in runs
            if isinstance(r, dict)
        }
        if isinstance(runs, list)
        else {}
    )
    for run in runs if isinstance(runs, list) else []:
        for record in (run.get("nodes") or {}).values() if isinstance(run, dict) else []:
            _refuse_v2_keys(record, name, location)
    nodes = state.get("nodes", {})
    upgraded_nodes: dict[str, Any] = {}
    for node, record in nodes.items() if isinstance(nodes, dict) else []:
        _refuse_v2_keys(record, name, location)
        upgraded_nodes[node] = (
            dict(record, environment=env_of_run.get(record.get("run_id")))
            if isinstance(record, dict)
            else record
        )
    marks = state.get("high_water_marks", {})
    upgraded_marks: dict[str, dict[str, Any]] = {}
    for node, mark in marks.items() if isinstance(marks, dict) else []:
        if not isinstance(mark, dict) or set(mark) != {"type", "value"}:
            raise StateCorruptError(
                f"state at {location}: high-water mark of node {node!r} in "
                f"pipeline {name!r} is not a typed mark ({mark!r}); {_KEPT}"
            )
        try:
            decode_mark(mark["type"], mark["value"])
        except BadMark as exc:
            raise StateCorruptError(
                f"state at {location}: high-water mark of node {node!r} in "
                f"pipeline {name!r}: {exc}; {_KEPT}"
            ) from None
        record = nodes.get(node) if isinstance(nodes, dict) else None
        record = record if isinstance(record, dict) else {}
        env = env_of_run.get(record.get("run_id")) or environment_key(None)
        upgraded_marks.setdefault(env, {})[node] = {"target": record.get("output") or "", **mark}
    return {
        **state,
        "nodes": upgraded_nodes if isinstance(nodes, dict) else nodes,
        "high_water_marks": upgraded_marks if isinstance(marks, dict) else marks,
    }


def _refuse_v2_keys(record: Any, pipeline: str, location: str) -> None:
    if isinstance(record, dict) and _V2_ONLY_NODE_KEYS & set(record):
        keys = ", ".join(sorted(_V2_ONLY_NODE_KEYS & set(record)))
        raise StateCorruptError(
            f"state at {location} is format version 1 but a node record of "
            f"pipeline {pipeline!r} has version 2 keys ({keys}); {_KEPT}"
        )
