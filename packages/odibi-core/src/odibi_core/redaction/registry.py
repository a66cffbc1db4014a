"""The redaction registry: known secret values (and their encoded variants) plus patterns.

Known values are matched by one compiled regex built from a prefix trie of every variant, so the
cost of a ``redact_text`` call grows with the text, not with the number of secrets. Longer matches
win (``abcde`` and ``abcdefgh`` never leave ``***fgh``). Patterns catch credentials nobody
registered: URL passwords, SAS ``sig=``, ``AccountKey=`` / ``Password=`` / ``PWD=`` in connection
strings.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
"""What a secret is replaced with."""

REDACTION_FAILED = "<redaction failed>"
"""Printed instead of a value when redaction itself raised."""

MIN_SECRET_LENGTH = 4
"""Values shorter than this are not registered (they would mask ordinary words); one warning."""

SENSITIVE_KEY_PARTS = (
    "password", "passwd", "pwd", "secret", "token", "apikey", "accesskey", "accountkey",
    "clientsecret", "privatekey", "sastoken", "connectionstring", "dsn", "authorization",
    "credential",
)
"""Normalised key-name fragments whose values are treated as secrets."""

_PATTERNS = (
    # scheme://user:password@host
    re.compile(r"(?P<pre>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s'\"]*:)(?P<secret>[^@\s'\"/]+)(?P<post>@)"),
    # SAS signature and keys in query strings
    re.compile(r"(?P<pre>[?&](?:sig|se?cret|token|password|api[_-]?key)=)(?P<secret>[^&\s'\"]+)(?P<post>)", re.I),
    # connection strings: AccountKey=...; Password=...; PWD=...; SharedAccessKey=...
    re.compile(
        r"(?P<pre>\b(?:AccountKey|Password|PWD|SharedAccessKey|SharedAccessSignature)\s*=\s*)"
        r"(?P<secret>[^;\s'\"]+)(?P<post>)",
        re.I,
    ),
    # key=value / key: value pairs with sensitive keys inside free text (driver errors, DSNs)
    re.compile(r"(?P<pre>\b(?:password|passwd)\s*[=:]\s*'?)(?P<secret>[^\s';,]+)(?P<post>)", re.I),
)

logger = logging.getLogger("odibi.redaction")


def normalize_key(key: str) -> str:
    """Lower-case a key name and drop separators (``Client-Secret`` -> ``clientsecret``)."""
    return re.sub(r"[^a-z0-9]", "", key.lower())


def is_sensitive_key(key: object) -> bool:
    """Whether a config or log key names a credential (substring match on the normalised name)."""
    return _is_sensitive_name(str(key))


@functools.lru_cache(maxsize=4096)
def _is_sensitive_name(name: str) -> bool:
    # keys repeat (every row of a sample, every node of a report): remember the answer
    norm = normalize_key(name)
    return any(part in norm for part in SENSITIVE_KEY_PARTS)


def variants(value: str) -> set[str]:
    """Forms in which ``value`` may appear in output: raw, URL-quoted, JSON-escaped, repr, base64."""
    forms = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1],
             repr(value)[1:-1], base64.b64encode(value.encode()).decode().rstrip("=")}
    forms.add(base64.urlsafe_b64encode(value.encode()).decode().rstrip("="))
    return {f for f in forms if f}


class RedactionRegistry:
    """Thread-safe set of secret values with a lazily rebuilt matcher."""

    def __init__(self, min_length: int = MIN_SECRET_LENGTH) -> None:
        self.min_length = min_length
        self._values: set[str] = set()
        self._variants: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()
        self._warned_short = False

    def __len__(self) -> int:
        return len(self._values)

    def add(self, value: object, *, source: str = "") -> bool:
        """Register a secret value. Returns ``False`` if too short (warned once) or empty."""
        if value is None:
            return False
        text = str(value)
        if not text.strip():
            return False
        if len(text) < self.min_length:
            if not self._warned_short:
                self._warned_short = True
                logger.warning(
                    "a secret (%s) is shorter than %d characters and cannot be masked safely",
                    source or "unnamed", self.min_length,
                )
            return False
        with self._lock:
            if text in self._values:
                return True
            self._values.add(text)
            self._variants |= {v for v in variants(text) if len(v) >= self.min_length}
            self._pattern = None
        return True

    def add_many(self, values: Iterable[object], *, source: str = "") -> None:
        """Register several values."""
        for value in values:
            self.add(value, source=source)

    def clear(self) -> None:
        """Forget every registered value (tests)."""
        with self._lock:
            self._values.clear()
            self._variants.clear()
            self._pattern = None

    def _matcher(self) -> re.Pattern[str] | None:
        pattern = self._pattern
        if pattern is None and self._variants:
            with self._lock:
                if self._pattern is None:
                    self._pattern = re.compile(_trie_regex(sorted(self._variants)))
                pattern = self._pattern
        return pattern

    def redact(self, text: str) -> str:
        """Mask every registered value and every credential pattern in ``text``."""
        try:
            matcher = self._matcher()
            if matcher is not None:
                text = matcher.sub(MASK, text)
            for pat in _PATTERNS:
                if pat.search(text):
                    text = pat.sub(lambda m: f"{m.group('pre')}{MASK}{m.group('post')}", text)
            return text
        except Exception:  # never let a redaction bug print the raw value
            return REDACTION_FAILED

    def redact_value(self, value: Any, _key: object = None) -> Any:
        """Redact strings inside nested dicts/lists/tuples; mask values under sensitive keys."""
        try:
            if isinstance(value, dict):
                return {k: (MASK if is_sensitive_key(k) and isinstance(v, str) and v else
                            self.redact_value(v, k)) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(self.redact_value(v) for v in value)
            if isinstance(value, str):
                return self.redact(value)
            return value
        except Exception:
            return REDACTION_FAILED


def _trie_regex(words: list[str]) -> str:
    """A regex matching any of ``words``, longest alternative first at every branch."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"  # greedy: the longer secret wins
        return body

    return build(trie)


_REGISTRY = RedactionRegistry()


def get_registry() -> RedactionRegistry:
    """The process-wide registry."""
    return _REGISTRY


def reset_registry() -> None:
    """Forget every registered value (for tests and long-lived hosts between projects)."""
    _REGISTRY.clear()


def register_secret(value: object, *, source: str = "") -> bool:
    """Register ``value`` with the process-wide registry (see :meth:`RedactionRegistry.add`)."""
    return _REGISTRY.add(value, source=source)


def redact_text(text: str) -> str:
    """Redact ``text`` with the process-wide registry."""
    return _REGISTRY.redact(text)


def redact_value(value: Any) -> Any:
    """Redact nested data with the process-wide registry."""
    return _REGISTRY.redact_value(value)


def register_config_values(data: Any, key: object = None) -> None:
    """Register every string under a sensitive key, and credentials embedded in any string."""
    if isinstance(data, dict):
        for k, v in data.items():
            register_config_values(v, k)
    elif isinstance(data, list):
        for v in data:
            register_config_values(v, key)
    elif isinstance(data, str):
        if key is not None and is_sensitive_key(key):
            register_secret(data, source=f"config key {key}")
        for pat in _PATTERNS:
            for match in pat.finditer(data):
                register_secret(match.group("secret"), source="embedded credential")
