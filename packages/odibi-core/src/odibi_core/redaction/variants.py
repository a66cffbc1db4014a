"""The forms in which a secret may show up in output.

A secret printed by a driver, a ``repr``, a JSON encoder, a URL builder or an HTTP header is no
longer the raw string. For each registered value the registry also masks:

* URL-quoted forms (``quote`` with and without ``/`` kept, ``quote_plus``);
* JSON-escaped forms (ASCII-only and not), ``repr``-escaped forms (either quote style), SQL-quoted
  forms (``'`` or ``"`` doubled), and each of them escaped once more by any of these (a ``%r``
  inside a JSON log line, a ``repr`` of a message holding one, SQL quoting a ``repr``);
* base64 (standard and URL-safe alphabets) - whole, and as it appears *inside* a longer encoded
  blob such as ``Authorization: Basic base64(user:password)``: for each of the three byte
  alignments, the characters that depend only on the secret's bytes;
* the value without surrounding whitespace, each line of a multi-line value, and the value with
  every whitespace run collapsed to one space (see :mod:`odibi_core.redaction.whitespace`).

:func:`text_forms` is the subset in which a secret is still readable text (no URL quoting, no
base64): the forms whose pieces :mod:`odibi_core.redaction.fragments` looks for at a cut.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

from odibi_core.redaction.whitespace import collapse_whitespace


def _escaped_once(value: str) -> set[str]:
    return {
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value)[1:-1],
        repr(value + "\"'")[1:-4],  # beside both quote kinds: every ' escaped
        value.replace("'", "''"),  # inside a SQL literal
        value.replace('"', '""'),  # inside a quoted SQL identifier or CSV field
    }


def _escapes(value: str) -> set[str]:
    once = _escaped_once(value)
    forms = set(once)
    for form in once - {value}:  # twice: a %r in a JSON log line, SQL quoting a repr, ...
        forms |= _escaped_once(form)
    return forms


def _base64_forms(raw: bytes) -> set[str]:
    forms: set[str] = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        forms.add(encode(raw).decode("ascii").rstrip("="))
        for offset in range(3):
            # Encode behind `offset` unknown bytes; keep only characters made of secret bits.
            encoded = encode(b"\0" * offset + raw).decode("ascii").rstrip("=")
            head = (0, 2, 3)[offset]
            tail = (offset + len(raw)) % 3
            forms.add(encoded[head:])  # the secret ends the blob
            if tail:
                forms.add(encoded[head:-1])  # more bytes follow: the last character is mixed
    return forms


def _bases(value: str) -> set[str]:
    bases = {value}
    stripped = value.strip()
    if stripped != value:
        bases.add(stripped)
    lines = stripped.splitlines()
    if len(lines) > 1:
        bases |= {line.strip() for line in lines}
    bases |= {collapse_whitespace(base) for base in bases}
    return {base for base in bases if base}


def text_forms(value: str) -> set[str]:
    """The forms of ``value`` that are still readable text: itself, stripped, its lines,
    whitespace-collapsed, and their JSON-, ``repr``- and SQL-escaped forms."""
    forms: set[str] = set()
    for base in _bases(value):
        forms.add(base)
        forms |= _escapes(base)
    return {form for form in forms if form}


def variants(value: str) -> set[str]:
    """Every form of ``value`` to mask (including ``value`` itself)."""
    forms: set[str] = set()
    for base in _bases(value):
        forms.add(base)
        forms.add(quote(base, safe=""))
        forms.add(quote(base))
        forms.add(quote_plus(base, safe=""))
        forms |= _escapes(base)
        forms |= _base64_forms(base.encode("utf-8"))
    return {form for form in forms if form}
