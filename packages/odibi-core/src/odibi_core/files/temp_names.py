"""Names of the temporary files and folders Odibi writes beside an output.

For a target ``orders.parquet``:

* staging ``.orders.parquet.odibi-tmp-<owner>-<random>``: the new output while it is written;
* aside ``.orders.parquet.odibi-old-<owner>-<random>``: the old output, moved aside for the
  instant between two renames where a file system cannot swap two names atomically.

The names are hidden (leading dot), sit in the target's own folder (so renames never cross file
systems) and carry their writer's :class:`~odibi_core.files.owners.Owner`: together they are the
recovery journal of a publish (:mod:`odibi_core.files.publish`). Names of older Odibi versions
(``odibi-tmp-<8 hex>``) are recognised without an owner.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from odibi_core.files.owners import Owner, current_owner

STAGING_MARKER = ".odibi-tmp-"
"""Marks a staging name (the new output being written)."""

ASIDE_MARKER = ".odibi-old-"
"""Marks an aside name (the old output during a two-rename publish)."""

TempKind = Literal["staging", "aside"]


@dataclass(frozen=True)
class TempName:
    """A temporary name found beside a target.

    Attributes:
        name: The file or folder name.
        kind: ``staging`` or ``aside``.
        owner: Its writer (``None`` for names of older versions).
    """

    name: str
    kind: TempKind
    owner: Owner | None


def _name(target_name: str, marker: str) -> str:
    return f".{target_name}{marker}{current_owner().token}-{uuid.uuid4().hex[:6]}"


def staging_name(target_name: str) -> str:
    """A fresh staging name for ``target_name``, owned by this process."""
    return _name(target_name, STAGING_MARKER)


def aside_name(target_name: str) -> str:
    """A fresh aside name for ``target_name``, owned by this process."""
    return _name(target_name, ASIDE_MARKER)


def parse_temp_name(name: str, target_name: str) -> TempName | None:
    """The :class:`TempName` ``name`` is if it belongs to ``target_name``, else ``None``."""
    for marker, kind in ((STAGING_MARKER, "staging"), (ASIDE_MARKER, "aside")):
        prefix = f".{target_name}{marker}"
        if name.startswith(prefix):
            token, _, _random = name[len(prefix) :].rpartition("-")
            return TempName(name, kind, Owner.parse(token))  # type: ignore[arg-type]
    return None


def is_temp_name(name: str) -> bool:
    """Whether ``name`` is a staging or aside name of any target (never data to read)."""
    return name.startswith(".") and (STAGING_MARKER in name or ASIDE_MARKER in name)


def is_hidden_name(name: str) -> bool:
    """Names a folder or glob read skips, as Spark and Hadoop do: a leading ``.`` or ``_``
    (``_SUCCESS``, ``.crc`` files, staging names), except ``_x=1`` partition folders."""
    return name.startswith(".") or (name.startswith("_") and "=" not in name)
