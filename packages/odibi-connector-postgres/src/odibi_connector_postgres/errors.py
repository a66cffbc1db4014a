"""Errors of the ``postgres`` connection, and the translation of driver errors into them.

Every failure reaches the user as an :class:`~odibi_core.errors.OdibiError` with one line of
message and one line of hint, built from the connection's name, the action and the server's own
message, never from the connection settings, and passed through the redaction registry anyway.
Failures worth retrying (the server is unreachable, the connection broke, a timeout, a
serialization failure) are :class:`~odibi_core.errors.TransientIOError` subclasses, so the
kernel's ``retry`` policy applies to them and to nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from odibi_core.plugin import ExitCode, OdibiError, TransientIOError, redact_text
from odibi_core.redaction import shorten

if TYPE_CHECKING:
    import pyarrow as pa

TRANSIENT_SQLSTATES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "53300",  # too_many_connections
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now
    }
)
"""SQLSTATEs retried besides class ``08`` (connection exceptions)."""

AUTH_MARKERS = (
    "password authentication failed",
    "no password supplied",
    "authentication failed",
    "password is required",
)
"""Fragments of libpq messages that mean the credentials were refused."""


SSL_MARKERS = ("ssl", "certificate")
"""Fragments of libpq messages about TLS: a setting to fix, not a failure to retry."""


class PostgresError(OdibiError):
    """A PostgreSQL operation failed; nothing was written (the transaction was rolled back)."""

    exit_code = ExitCode.RUN_FAILED
    default_hint = "The message is PostgreSQL's own; rerun with --debug for the full chain."


class PostgresUnavailable(TransientIOError):
    """The server could not be reached, the connection broke, or it timed out (retried)."""

    default_hint = (
        "Check host, port and that the server accepts connections; transient errors "
        "are retried by the project's `retry` policy."
    )


class PostgresRetryableError(TransientIOError):
    """The server asked for a retry (serialization failure, deadlock, shutting down)."""

    default_hint = "Transient: the project's `retry` policy retries it."


class PostgresAuthenticationFailed(PostgresError):
    """The server refused the user or password (never retried; the password is never shown)."""

    default_hint = (
        "Check the connection's user and password (or dsn); secrets are masked in every output."
    )


class PostgresSchemaMismatch(PostgresError):
    """A frame column cannot be written to the existing table's column of the same name."""

    default_hint = (
        "CAST the column in a SQL step, or change the table; nothing was written. "
        "See the type mapping of odibi-connector-postgres."
    )


class PostgresTargetNotEmpty(PostgresError):
    """Write mode ``error`` and the target table already holds rows: nothing was written."""

    default_hint = "Use mode overwrite, append or upsert, or empty the table first."


class PostgresNullKey(PostgresError):
    """An upsert key column holds NULL: NULL never equals NULL, so such rows would be inserted
    again on every run. The write is refused; nothing was written."""

    default_hint = (
        "Fill or drop the NULL keys in a SQL step (COALESCE(key, ...) or WHERE key IS NOT NULL); "
        "nothing was written."
    )


class SourceRowsFailed(OdibiError):
    """Computing the rows being written failed (the engine's SQL or data, not PostgreSQL): the
    transaction was rolled back and the failure is not retried unless its cause is transient."""

    exit_code = ExitCode.RUN_FAILED
    default_hint = "The error is in the node's data or SQL, not in PostgreSQL; nothing was written."


class SourceFailure(Exception):
    """Internal: wraps an exception raised while pulling the next batch of the frame being written,
    so it passes through the driver-error translation untouched (see :func:`guarded_batches`)."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


def guarded_batches(reader: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The batches of ``reader``; an exception raised while *computing* a batch is wrapped in
    :class:`SourceFailure`, so a deterministic engine error (a bad cast half way through the data)
    is never mistaken for a broken connection and retried."""
    batches = iter(reader)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except Exception as exc:
            raise SourceFailure(exc) from exc
        yield batch


def source_rows_failed(failure: SourceFailure, *, table: str | None) -> SourceRowsFailed:
    """The error to raise for ``failure`` (its original exception stays the cause, so a transient
    cause is still retried)."""
    original = failure.original
    if isinstance(original, OdibiError):
        detail = original.message
    elif type(original) is OSError and original.errno is None:
        detail = str(original)  # how Arrow relays an engine's error from a stream: no real OS error
    else:
        detail = f"{type(original).__name__}: {original}"
    error = SourceRowsFailed(
        redact_text(f"computing the rows to write to table {table} failed: {detail}")
    )
    error.__cause__ = original
    return error


class PostgresUnsupportedType(PostgresError):
    """A column's type has no mapping to or from PostgreSQL."""

    default_hint = "CAST the column to a supported type in a SQL step (see the type mapping)."


def one_line(text: str) -> str:
    """``text`` redacted, then on one line (driver messages span lines and may quote settings)."""
    return shorten.one_line(text)


@contextmanager
def translated(*, connection: str, action: str) -> Iterator[None]:
    """Turn driver and socket errors raised inside the block into :class:`OdibiError` s.

    Anything else (an Odibi error, an engine's failure upstream of a write) passes unchanged.
    """
    try:
        yield
    except OdibiError:
        raise
    except Exception as exc:
        import psycopg

        if not isinstance(exc, (psycopg.Error, OSError)):
            raise
        raise translate(exc, connection=connection, action=action) from exc


def translate(exc: BaseException, *, connection: str, action: str) -> OdibiError:
    """The :class:`OdibiError` to raise for a driver (or socket) error ``exc``.

    Args:
        exc: What psycopg (or the operating system) raised.
        connection: The connection's name in the project.
        action: What was being done, e.g. ``"connect"`` or ``"write table public.orders"``.
    """
    import psycopg

    sqlstate = getattr(exc, "sqlstate", None) or ""
    detail = _driver_message(exc)
    where = f"postgres connection {connection!r}: {action} failed: {detail}"
    if sqlstate:
        where += f" (SQLSTATE {sqlstate})"
    lowered = detail.lower()
    if sqlstate.startswith("28") or any(marker in lowered for marker in AUTH_MARKERS):
        return PostgresAuthenticationFailed(where)
    if any(marker in lowered for marker in SSL_MARKERS):
        return PostgresError(where, hint="Check the connection's sslmode and the server's TLS.")
    if sqlstate in TRANSIENT_SQLSTATES:
        return PostgresRetryableError(where)
    if sqlstate.startswith("08") or isinstance(exc, (OSError, TimeoutError)):
        return PostgresUnavailable(where)
    if isinstance(exc, psycopg.OperationalError) and not sqlstate:
        # raised by libpq itself: refused, reset, timed out, closed by the server
        return PostgresUnavailable(where)
    hint = _HINTS.get(sqlstate)
    return PostgresError(where, hint=hint)


_HINTS = {
    "42P01": "The table does not exist (names are taken literally: check case and schema).",
    "3F000": "The schema does not exist: create it first (odibi does not create schemas).",
    "3D000": "The database does not exist: check the connection's database (or dsn).",
    "42P10": "Upsert needs a unique index or primary key on exactly the `keys` columns.",
    "21000": "The data holds a key more than once: deduplicate it in a SQL step before the upsert.",
    "23505": "A unique constraint was violated; nothing was written.",
    "23502": "A NOT NULL column got a NULL (or was missing from the frame); nothing was written.",
    "23503": "A foreign key was violated; nothing was written.",
    "23514": "A CHECK constraint was violated; nothing was written.",
    "42501": "The role lacks a privilege; `odibi doctor` shows what the connection may do.",
}


def _driver_message(exc: BaseException) -> str:
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    text = one_line(primary or str(exc) or type(exc).__name__)
    prefix = (
        "connection failed: "  # psycopg's own prefix; our message already says "connect failed"
    )
    return text[len(prefix) :] if text.startswith(prefix) else text
