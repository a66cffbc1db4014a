"""Reading and writing plugin formats (``format: delta`` ...) on any engine.

The runner hands every read and write of a node to a :class:`FormatDispatch`. A builtin file
format (``csv``, ``parquet``, ``json``) or a table connection goes straight to the engine, as
always. A plugin format goes to its :class:`~odibi_core.contracts.formats.TableFormat`: through
the engine's own implementation when the format registered one for this engine
(``FormatSpec.engine_paths``), otherwise through the Arrow interchange (the format streams record
batches, :meth:`~odibi_core.contracts.engine.Engine.from_arrow` and
:meth:`~odibi_core.contracts.engine.Engine.to_arrow` convert). Engines need no change to gain a
format.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from odibi_core.config.models import FILE_FORMATS
from odibi_core.contracts.connection import FileConnection
from odibi_core.errors import NodeError, OdibiError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import TypeAlias

    from odibi_core.contracts.connection import Connection
    from odibi_core.contracts.engine import Engine, WriteCounts
    from odibi_core.contracts.formats import FormatEnginePath, TableFormat
    from odibi_core.contracts.requests import ReadRequest, WriteRequest
    from odibi_core.plugins.types import FormatSpec

    FormatSpecs: TypeAlias = Mapping[str, FormatSpec] | Callable[[], Mapping[str, FormatSpec]]


class FormatConnectionError(OdibiError):
    """A plugin format was asked of a connection that holds no files (a database, say)."""

    exit_code = NodeError.exit_code
    default_hint = "Use a file connection (local, azure_blob, azure_adls ...) for this format."


class FormatDispatch:
    """Routes reads and writes by ``format``; formats are built once per run, on first use.

    Args:
        specs: The registered formats, or a function returning them: it is called only when a
            plugin format is first used, so a project of CSV and Parquet never loads a format
            plugin's modules.
    """

    def __init__(self, specs: FormatSpecs | None = None) -> None:
        self._source = specs
        self._specs: dict[str, FormatSpec] | None = None
        self._formats: dict[str, TableFormat] = {}
        self._paths: dict[tuple[str, str], FormatEnginePath | None] = {}
        self._lock = threading.Lock()

    @property
    def specs(self) -> dict[str, FormatSpec]:
        """The registered plugin formats by name."""
        if self._specs is None:
            source = self._source() if callable(self._source) else self._source
            self._specs = dict(source or {})
        return self._specs

    def handles(self, fmt: str | None) -> bool:
        """Whether ``fmt`` is a plugin format (not one the engines read themselves)."""
        return fmt is not None and fmt not in FILE_FORMATS and fmt in self.specs

    def format(self, name: str) -> TableFormat:
        """The format object of ``name`` (built on first use)."""
        with self._lock:
            if name not in self._formats:
                self._formats[name] = self.specs[name].factory()
            return self._formats[name]

    def _engine_path(self, name: str, engine: Engine) -> FormatEnginePath | None:
        key = (name, engine.name)
        with self._lock:
            if key not in self._paths:
                factory = self.specs[name].engine_paths.get(engine.name)
                self._paths[key] = factory() if factory is not None else None
            return self._paths[key]

    @staticmethod
    def _files(connection: Connection, fmt: str) -> FileConnection:
        if not isinstance(connection, FileConnection):
            raise FormatConnectionError(
                f"format {fmt!r} needs a file connection; "
                f"{connection.name!r} is a {connection.type} connection"
            )
        return connection

    def read(self, engine: Engine, connection: Connection, request: ReadRequest) -> Any:
        """A frame for ``request``: by the engine itself, its format path, or through Arrow."""
        if not self.handles(request.format):
            return engine.read(connection, request)
        name = str(request.format)
        files = self._files(connection, name)
        table_format = self.format(name)
        native = self._engine_path(name, engine)
        if native is not None:
            return native.read(engine, table_format, files, request)
        return engine.from_arrow(table_format.read_arrow(files, request))

    def write(
        self, engine: Engine, frame: Any, connection: Connection, request: WriteRequest
    ) -> int | WriteCounts:
        """Write ``frame``; return rows written (or the counts, as :meth:`Engine.write` does)."""
        if not self.handles(request.format):
            return engine.write(frame, connection, request)
        name = str(request.format)
        files = self._files(connection, name)
        table_format = self.format(name)
        native = self._engine_path(name, engine)
        if native is not None:
            return native.write(engine, table_format, frame, files, request)
        return table_format.write_arrow(engine.to_arrow(frame), files, request)

    def exists(self, connection: Connection, fmt: str | None, path: str) -> bool | None:
        """Whether a plugin-format table exists at ``path``; ``None`` for other formats."""
        if not self.handles(fmt) or not isinstance(connection, FileConnection):
            return None
        return self.format(str(fmt)).exists(connection, path)

    def source_fingerprint(self, connection: Connection, request: ReadRequest) -> str | None:
        """The format's marker for a plugin format (a Delta table's version), else the
        connection's own ``source_fingerprint`` if it has one."""
        if self.handles(request.format) and isinstance(connection, FileConnection):
            return self.format(str(request.format)).source_fingerprint(connection, request)
        own = getattr(connection, "source_fingerprint", None)
        return own(request) if callable(own) else None
