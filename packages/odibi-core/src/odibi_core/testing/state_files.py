"""Reading what the ``local`` state backend stored, for tests that look at the files themselves.

Each pipeline's history lives in a document of its own beside the main state file (see
:mod:`odibi_core.state.pipeline_documents`); these helpers find it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def pipeline_document_path(state_file: Path, pipeline: str) -> Path:
    """Where the ``local`` backend keeps ``pipeline``'s own document for ``state_file``."""
    return state_file.parent / f"{state_file.stem}.pipelines" / f"{pipeline}.json"


def stored_pipeline(state_file: Path, pipeline: str) -> dict[str, Any]:
    """The JSON of ``pipeline``'s state as stored (its own document, else the main one)."""
    own = pipeline_document_path(state_file, pipeline)
    if own.exists():
        return json.loads(own.read_text())["pipelines"][pipeline]
    return json.loads(state_file.read_text())["pipelines"][pipeline]


__all__ = ["pipeline_document_path", "stored_pipeline"]
