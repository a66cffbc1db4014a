"""Holder info as blob metadata, so any waiter (or a person in a storage browser) can name it.

Each :class:`~odibi_core.contracts.state.HolderInfo` field becomes one metadata entry
``odibi_<field>``. Metadata values travel as HTTP headers, so anything outside printable ASCII
(and ``%`` itself) is percent-encoded.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from odibi_core.plugin import HolderInfo

PREFIX = "odibi_"
"""Prefix of every metadata key this package writes."""

_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) != "%")


def holder_to_metadata(holder: HolderInfo) -> dict[str, str]:
    """Blob metadata describing ``holder`` (``None`` fields are left out)."""
    meta: dict[str, str] = {}
    for key, value in holder.model_dump(mode="json").items():
        if value is None or not key.isidentifier():
            continue
        meta[PREFIX + key] = quote(str(value), safe=_SAFE)
    return meta


def holder_from_metadata(metadata: dict[str, str] | None) -> HolderInfo | None:
    """The holder described by blob metadata, or ``None`` if it carries no Odibi holder info."""
    fields: dict[str, Any] = {}
    for key, value in (metadata or {}).items():
        if key.lower().startswith(PREFIX):
            fields[key[len(PREFIX) :].lower()] = unquote(value)
    if "lock_id" not in fields:
        return None
    try:
        fields["pid"] = int(fields.get("pid") or 0)
    except ValueError:
        fields["pid"] = 0
    for key in ("lease_seconds",):
        if key in fields:
            try:
                fields[key] = int(fields[key])
            except ValueError:
                del fields[key]
    return HolderInfo.model_validate(fields)
