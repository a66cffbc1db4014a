"""Credentials recognised by their shape, and key names that mark a value as a secret.

Registered values are the first line of defence; these patterns catch credentials nobody
registered: the password of a URL (``scheme://user:pass@host``), SAS signatures and other
sensitive query parameters (``?sig=...``), ``key=value`` pairs with a sensitive key
(``AccountKey=``, ``Password=``, ``PWD={...}``, ``password='x y'``, ``"token": "..."``),
``Authorization`` / ``Bearer`` tokens and PEM private-key blocks.

Each pattern is guarded by a cheap substring test, so text without ``://``, ``=``, ``:`` or a
sensitive word costs almost nothing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator

from odibi_core.redaction.mask import current_mask

SENSITIVE_KEY_PARTS = (
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "accountkey",
    "sharedaccesskey",
    "sharedaccesssignature",
    "clientsecret",
    "privatekey",
    "sastoken",
    "connectionstring",
    "connstr",
    "dsn",
    "authorization",
    "credential",
)
"""Normalised key-name fragments whose values are secrets (substring match)."""

_NUMERIC_SECRET_PARTS = ("password", "passwd", "pwd", "passphrase", "secret")
"""Key fragments under which even a number is a secret (``password: 12345678``)."""

DESCRIPTOR_WORDS = frozenset(
    [
        "name",
        "names",
        "column",
        "columns",
        "col",
        "field",
        "fields",
        "path",
        "file",
        "dir",
        "env",
        "var",
        "type",
        "url",
        "uri",
        "endpoint",
        "ttl",
        "length",
        "count",
    ]
)
"""A key whose last word is one of these describes a credential without holding one
(``token_column: user_token``, ``password_env: DB_PASS``, ``SharedAccessKeyName=root``): its
value is a name, a path or a setting, and stays readable."""

_NON_ALNUM = re.compile(r"[^a-z0-9]")
_WORD_BREAK = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")


def normalize_key(key: object) -> str:
    """Lower-case a key name and drop separators (``Client-Secret`` -> ``clientsecret``)."""
    return _NON_ALNUM.sub("", str(key).lower())


@functools.lru_cache(maxsize=4096)
def _sensitive_name(key: str) -> bool:
    norm = normalize_key(key)
    if not any(part in norm for part in SENSITIVE_KEY_PARTS):
        return False
    words = [w for w in _WORD_BREAK.split(key) if w]
    return not (len(words) > 1 and words[-1].lower() in DESCRIPTOR_WORDS)


def is_sensitive_key(key: object) -> bool:
    """Whether a config, log or query key names a credential (substring of the normalised name).

    ``password``, ``db_password``, ``Client-Secret``, ``api_key``, ``AccountKey``, ``sas_token``,
    ``connection_string`` and ``dsn`` are; ``keys``, ``host`` and ``user`` are not, and neither
    are keys ending in a :data:`DESCRIPTOR_WORDS` word (``token_column``, ``SharedAccessKeyName``).
    """
    return _sensitive_name(key if isinstance(key, str) else str(key))


def is_secret_value_for_key(key: object, value: object) -> bool:
    """Whether ``value`` under ``key`` is treated as a secret.

    Strings (and bytes) under a sensitive key always are; numbers only under password-like keys
    (``password: 12345678``), so settings such as ``token_ttl: 3600`` stay readable.
    """
    if value is None or isinstance(value, bool) or not is_sensitive_key(key):
        return False
    if isinstance(value, (str, bytes)):
        return bool(value)
    if isinstance(value, (int, float)):
        norm = normalize_key(key)
        return any(part in norm for part in _NUMERIC_SECRET_PARTS)
    return False


_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.")
_SCHEME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-.")
# (an unquoted value stops at a backslash: inside encoded text it starts an escape sequence)
_VALUE = r"(?P<secret>\{[^}\n]*\}|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s;,&'\"{}()\[\]<>\\]+)"

# After "scheme://": user, ":", then the password up to the last "@" of the token, so an unencoded
# "@" inside the password is masked too.
_URL_REST = re.compile(r"[^:/?#@\s'\"<>]*:(?P<secret>[^\s'\"<>]+)@")
# ?sig=...&token=... : query parameters (and ; separated pairs) whose name is sensitive
# ({braced} ODBC values are left to the key=value scan, which reads to the closing brace).
_QUERY_PARAM = re.compile(
    r"(?P<pre>[?&;](?P<key>[A-Za-z][A-Za-z0-9_.\-]*)=)(?P<secret>[^&;#\s'\"<>{}\\]+)"
)
# Words found in every sensitive key (lower-cased text); each hit is expanded to the whole key.
_KEY_WORDS = (
    "pass",
    "pwd",
    "secret",
    "token",
    "key",
    "dsn",
    "auth",
    "credential",
    "conn",
    "bearer",
)
_KEY_WORD = re.compile("|".join(_KEY_WORDS))
# key=value, key = 'v a l', PWD={x;y}, "key": "value", key: "value" - what follows the key.
# (separators never span lines: "KEY=" ending a line is empty, not the next line's first word)
_AFTER_KEY = re.compile(r"(?P<sep>[ \t]*[=:][ \t]*)" + _VALUE)
_AFTER_AUTHORIZATION = re.compile(
    r"(?P<sep>[ \t]*[:=][ \t]*)(?P<open>[\"']?)"
    r"(?P<scheme>(?:bearer|basic|token|digest|sharedaccesssignature)[ \t]+)?"
    r"(?P<secret>[A-Za-z0-9\-._~+/=%]{6,})",
    re.IGNORECASE,
)
_AFTER_BEARER = re.compile(r"[ \t]+(?P<secret>[A-Za-z0-9\-._~+/=%]{6,})")
_PEM_BLOCK = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?P<secret>.*?)(?:-----END [A-Z0-9 ]*PRIVATE "
    r"KEY-----|\Z)",
    re.DOTALL,
)

Edit = tuple[int, int, str]
"""``(start, end, replacement)`` of one masked credential."""


def _is_placeholder(value: str) -> bool:
    """Values that are not credentials: a reference (``${secret:X}``) or an already masked one."""
    inner = value.strip("'\"{}")
    return inner.startswith("${") or inner == "" or set(inner) <= {"*"} or inner == current_mask()


def _masked(value: str) -> str:
    """The mask, keeping the quotes or braces around a value so the text keeps its shape."""
    if len(value) >= 2 and value[0] in "'\"{" and value[-1] in "'\"}":
        return value[0] + current_mask() + value[-1]
    return current_mask()


def _url_edits(text: str) -> list[Edit]:
    edits: list[Edit] = []
    pos = text.find("://")
    while pos > 0:
        begin = pos
        while begin > 0 and text[begin - 1] in _SCHEME_CHARS:
            begin -= 1
        match = _URL_REST.match(text, pos + 3) if begin < pos and text[begin].isalpha() else None
        if match and not _is_placeholder(match.group("secret")):
            edits.append((match.start("secret"), match.end("secret"), current_mask()))
        pos = text.find("://", match.end() if match else pos + 3)
    return edits


def _query_edits(text: str) -> list[Edit]:
    edits: list[Edit] = []
    for match in _QUERY_PARAM.finditer(text):
        key, secret = match.group("key"), match.group("secret")
        if (key.lower() == "sig" or is_sensitive_key(key)) and not _is_placeholder(secret):
            edits.append((match.start("secret"), match.end("secret"), current_mask()))
    return edits


def _is_data_value(text: str, match: re.Match[str], quote: str) -> bool:
    """After ``key:``, only a quoted value - or a number closing a quoted key's field
    (``"pin": 1234,``) - is data; anything else is prose naming something (``connection
    'pgdsn': connection failed``, ``password: must be set``) or structure (``"api_token_node":
    {...}``, whose own values are checked one by one) and is left alone."""
    value = match.group("secret")
    if value[:1] in "'\"":
        return True
    if not (quote and value.isdigit()):
        return False
    rest = text[match.end() :].lstrip(" \t")
    return rest == "" or rest[0] in ",}]\r\n"


def _is_credential_after_authorization(match: re.Match[str], quote: str) -> bool:
    """``Authorization: Bearer x``, ``authorization=x``, ``"authorization": "x"`` and a header
    value that looks like a token are credentials; ``'authorization': failed`` is prose."""
    if "=" in match.group("sep") or match.group("open") or match.group("scheme"):
        return True
    value = match.group("secret")
    return not quote and (len(value) >= 16 or any(ch.isdigit() for ch in value))


def _pair_edits(text: str) -> list[Edit]:
    """``key=value`` style pairs whose key is sensitive, found from the key words outwards."""
    edits: list[Edit] = []
    lower = text.lower()
    n = len(text)
    resume = 0
    for hit in _KEY_WORD.finditer(lower):
        if hit.start() < resume:
            continue
        begin, end = hit.start(), hit.end()
        while begin > 0 and text[begin - 1] in _KEY_CHARS:
            begin -= 1
        while end < n and text[end] in _KEY_CHARS:
            end += 1
        resume = end
        key = text[begin:end]
        quote = (
            text[begin - 1]
            if begin > 0 and text[begin - 1] in "'\"" and text[end : end + 1] == text[begin - 1]
            else ""
        )
        after = end + len(quote)
        norm = normalize_key(key)
        if norm == "bearer":
            match = _AFTER_BEARER.match(text, after)
        elif norm.endswith("authorization"):
            match = _AFTER_AUTHORIZATION.match(text, after)
            if match is not None and not _is_credential_after_authorization(match, quote):
                match = None
        else:
            match = _AFTER_KEY.match(text, after)
            value = match.group("secret") if match is not None else ""
            if match is not None and (
                not is_secret_value_for_key(key, int(value) if value.isdigit() else value)
                or (":" in match.group("sep") and not _is_data_value(text, match, quote))
            ):
                match = None  # "password: must be set" is prose; "password": "x" is data
        if match is not None and not _is_placeholder(match.group("secret")):
            secret = match.group("secret")
            edits.append((match.start("secret"), match.end("secret"), _masked(secret)))
            resume = match.end()
    return edits


def _pem_edits(text: str) -> list[Edit]:
    return [
        (m.start("secret"), m.end("secret"), current_mask())
        for m in _PEM_BLOCK.finditer(text)
        if not _is_placeholder(m.group("secret"))
    ]


def _recognisers(text: str) -> list[Callable[[str], list[Edit]]]:
    """The recognisers worth running on ``text``, each guarded by a cheap substring test."""
    chosen: list[Callable[[str], list[Edit]]] = []
    if "-----BEGIN" in text:
        chosen.append(_pem_edits)
    if "://" in text and "@" in text:
        chosen.append(_url_edits)
    if "=" in text:
        chosen.append(_query_edits)
    if "=" in text or ":" in text or "earer" in text:
        lower = text.lower()
        if any(word in lower for word in _KEY_WORDS):
            chosen.append(_pair_edits)
    return chosen


def _apply(text: str, edits: list[Edit]) -> str:
    parts: list[str] = []
    pos = 0
    for start, end, replacement in sorted(edits):
        if start < pos:
            continue
        parts.append(text[pos:start])
        parts.append(replacement)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def mask_credentials(text: str) -> str:
    """Mask every credential recognisable by its shape in ``text``."""
    for recognise in _recognisers(text):
        edits = recognise(text)
        if edits:
            text = _apply(text, edits)
    return text


def find_credentials(text: str) -> Iterator[str]:
    """Yield credentials embedded in ``text`` (without quotes or braces), to register them.

    Used on configuration values, so a password inside a connection string is masked wherever
    it shows up later, even in a form the recognisers alone would not catch.
    """
    for recognise in _recognisers(text):
        for start, end, _ in recognise(text):
            value = text[start:end]
            if len(value) >= 2 and value[0] in "'\"{" and value[-1] in "'\"}":
                value = value[1:-1]
            yield value.strip()
