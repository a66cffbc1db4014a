"""Opening a Delta table under a file connection, and turning delta-rs errors into Odibi's."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from odibi_core.plugin import redact_text

from odibi_format_delta.errors import (
    DeltaConflict,
    DeltaFormatError,
    DeltaSchemaMismatch,
    DeltaTableMissing,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from deltalake import DeltaTable
    from odibi_core.plugin import FileConnection, ObjectStoreLocation


def location(connection: FileConnection, path: str) -> ObjectStoreLocation:
    """Where the table at ``path`` lives, as delta-rs takes it."""
    return connection.object_store_location(path)


def storage_options(loc: ObjectStoreLocation) -> dict[str, str] | None:
    """The object-store settings, or ``None`` for a local table."""
    return dict(loc.storage_options) or None


def open_table(
    connection: FileConnection,
    path: str,
    *,
    version: int | None = None,
    timestamp: datetime | None = None,
) -> DeltaTable:
    """The table at ``path`` (at ``version`` or ``timestamp`` if given); clear errors otherwise."""
    from deltalake import DeltaTable

    loc = location(connection, path)
    where = f"{connection.name}:{path}"
    with delta_errors(where):
        try:
            table = DeltaTable(loc.uri, version=version, storage_options=storage_options(loc))
        except Exception as exc:
            if type(exc).__name__ == "TableNotFoundError" and version is None:
                raise DeltaTableMissing(
                    f"no Delta table at {where} (no _delta_log there)"
                ) from None
            if version is not None and "version" in str(exc).lower():
                raise DeltaFormatError(
                    f"Delta table {where} has no version {version}: {_first_line(exc)}"
                ) from None
            raise
        if timestamp is not None:
            try:
                table.load_as_version(timestamp)
            except Exception as exc:
                raise DeltaFormatError(
                    f"Delta table {where} has no version at {timestamp.isoformat()}: "
                    f"{_first_line(exc)}"
                ) from None
    return table


def arrow_schema(table: DeltaTable) -> pa.Schema:
    """The table's schema from the Delta log, as a pyarrow schema."""
    import pyarrow as pa

    return pa.schema(table.schema().to_arrow())


def table_if_exists(connection: FileConnection, path: str) -> DeltaTable | None:
    """The table at ``path``, or ``None`` when there is none yet."""
    try:
        return open_table(connection, path)
    except DeltaTableMissing:
        return None


def _first_line(exc: BaseException) -> str:
    text = redact_text(str(exc)).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextlib.contextmanager
def delta_errors(where: str) -> Iterator[None]:
    """Re-raise delta-rs errors as :class:`DeltaFormatError` subclasses naming the table."""
    try:
        yield
    except DeltaFormatError:
        raise
    except Exception as exc:
        name = type(exc).__name__
        if name == "CommitFailedError":
            raise DeltaConflict(
                f"another writer committed to Delta table {where} first and this write conflicts "
                f"with it: {_first_line(exc)}"
            ) from exc
        if name == "SchemaMismatchError":
            raise DeltaSchemaMismatch(f"Delta table {where}: {_first_line(exc)}") from exc
        if name == "TableNotFoundError":
            raise DeltaTableMissing(f"no Delta table at {where}: {_first_line(exc)}") from exc
        if name in (
            "DeltaError",
            "DeltaProtocolError",
            "OSError",
            "ArrowInvalid",
            "ArrowTypeError",
        ):
            raise DeltaFormatError(f"Delta table {where}: {redact_text(str(exc)).strip()}") from exc
        raise
