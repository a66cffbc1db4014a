"""Errors of the ``delta`` format, in the kernel's error tree (a failed node exits 1)."""

from __future__ import annotations

from odibi_core.plugin import ExitCode, OdibiError


class DeltaFormatError(OdibiError):
    """A Delta read or write failed; the table was left as it was."""

    exit_code = ExitCode.RUN_FAILED


class DeltaTableMissing(DeltaFormatError):
    """No Delta table (no ``_delta_log``) exists where a read or a command points."""

    default_hint = "Check the connection and path; a table is created by its first write."


class DeltaSchemaMismatch(DeltaFormatError):
    """The data written has other columns or types than the table, and no ``schema_mode``."""

    default_hint = (
        "Set write.options.schema_mode: merge to add new columns (or overwrite, with mode "
        "overwrite, to replace the schema), or select the table's columns in a SQL step."
    )


class DeltaConflict(DeltaFormatError):
    """Another writer committed to the table first in a way this write cannot be reconciled with."""

    default_hint = (
        "Nothing was committed by this run; rerun the node once the other writer is done."
    )


class DeltaOptionError(DeltaFormatError):
    """An option names a column the table does not have, or a point in time it never had."""


class DeltaOnSparkMissing(DeltaFormatError):
    """The Spark session has no Delta support (delta-spark and the session extensions)."""

    exit_code = ExitCode.CONFIG_INVALID
