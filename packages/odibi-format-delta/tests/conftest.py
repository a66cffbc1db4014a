"""Fixtures of the odibi-format-delta tests: a local connection, a format, tables made by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from odibi_core.connections.local import LocalConnection
from odibi_core.contracts.requests import ReadRequest, WriteRequest
from odibi_format_delta.format import DeltaFormat


@pytest.fixture
def lake(tmp_path: Path) -> LocalConnection:
    """A ``local`` connection named ``lake`` on a fresh folder."""
    root = tmp_path / "lake"
    root.mkdir()
    return LocalConnection("lake", root)


@pytest.fixture
def delta() -> DeltaFormat:
    """The format under test."""
    return DeltaFormat()


@pytest.fixture
def write(delta: DeltaFormat, lake: LocalConnection) -> Callable[..., int]:
    """``write(table_or_dict, mode=..., keys=..., path="t", **options)`` through the format."""

    def run(
        data: Any,
        *,
        mode: str = "overwrite",
        keys: tuple[str, ...] = (),
        path: str = "t",
        **options: Any,
    ) -> int:
        import pyarrow as pa

        table = pa.table(data) if isinstance(data, dict) else data
        request = WriteRequest(
            mode=mode, format="delta", path=path, keys=keys, options=options or None
        )
        return delta.write_arrow(table.to_reader(max_chunksize=2), lake, request)

    return run


@pytest.fixture
def read(delta: DeltaFormat, lake: LocalConnection) -> Callable[..., Any]:
    """``read(path="t", **options)`` -> a pyarrow Table sorted by its first column."""

    def run(path: str = "t", incremental: tuple[str, Any] | None = None, **options: Any) -> Any:
        request = ReadRequest(
            format="delta",
            path=path,
            options=options or None,
            incremental_column=incremental[0] if incremental else None,
            incremental_after=incremental[1] if incremental else None,
        )
        table = delta.read_arrow(lake, request).read_all()
        return table.sort_by(table.column_names[0]) if table.num_rows else table

    return run
