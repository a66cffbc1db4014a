"""The ``dotenv`` secret provider: a ``.env`` file beside the project file.

Supports ``KEY=value``, ``export KEY=value``, single- and double-quoted values (double quotes
understand ``\\n``, ``\\t``, ``\\"`` and ``\\\\``), and ``#`` comments outside quotes. A variable
already
set in the environment always wins: the file never overrides it.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

_LINE = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(?P<value>.*)$")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def parse_dotenv(text: str) -> dict[str, str]:
    """Parse dotenv ``text`` into a mapping (later keys win)."""
    result: dict[str, str] = {}
    # Only "\n" ends a line ("\r\n" too): splitlines() would also split on form feeds and
    # Unicode separators, which may be part of a quoted value.
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    i = 0
    while i < len(lines):
        match = _LINE.match(lines[i])
        i += 1
        if not match:
            continue
        raw = match.group("value").strip()
        if raw.startswith('"'):
            body = raw[1:]
            while not _closed(body) and i < len(lines):  # multi-line double-quoted value
                body += "\n" + lines[i]
                i += 1
            end = _closing_quote(body)
            body = body[:end] if end >= 0 else body
            value = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), body)
        elif raw.startswith("'"):
            end = raw.find("'", 1)
            value = raw[1:end] if end > 0 else raw[1:]
        else:
            value = re.split(r"\s+#", raw, maxsplit=1)[0].strip()
        result[match.group("key")] = value
    return result


def _closing_quote(body: str) -> int:
    escaped = False
    for idx, ch in enumerate(body):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            return idx
    return -1


def _closed(body: str) -> bool:
    return _closing_quote(body) >= 0


@lru_cache(maxsize=32)
def _read_cached(path: str, mtime_ns: int) -> dict[str, str]:
    return parse_dotenv(Path(path).read_text(encoding="utf-8"))


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse the file at ``path`` (empty mapping if it does not exist)."""
    try:
        stat = path.stat()
    except OSError:
        return {}
    return dict(_read_cached(str(path), stat.st_mtime_ns))


class DotenvProvider:
    """Reads secrets from a dotenv file; the environment wins over the file."""

    name = "dotenv"

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self, name: str) -> str | None:
        """The file's value for ``name`` unless the environment sets it (then ``None``)."""
        if name in os.environ:
            return None
        return read_dotenv(self.path).get(name)
