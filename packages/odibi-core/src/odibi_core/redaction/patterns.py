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

import re
from collections.abc import Callable, Iterator

MASK = "***"
"""What a secret is replaced with."""

SENSITIVE_KEY_PARTS = (
    "password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "accesskey",
    "accountkey", "sharedaccesskey", "sharedaccesssignature", "clientsecret", "privatekey",
    "sastoken", "connectionstring", "connstr", "dsn", "authorization", "credential",
)
"""Normalised key-name fragments whose values are secrets (substring match)."""

_NUMERIC_SECRET_PARTS = ("password", "passwd", "pwd", "passphrase", "secret")
"""Key fragments under which even a number is a secret (``password: 12345678``)."""

_NON_ALNUM = re.compile(r"[^a-z0-9]")


def normalize_key(key: object) -> str:
    """Lower-case a key name and drop separators (``Client-Secret`` -> ``clientsecret``)."""
    return _NON_ALNUM.sub("", str(key).lower())


def is_sensitive_key(key: object) -> bool:
    """Whether a config, log or query key names a credential (substring of the normalised name).

    ``password``, ``db_password``, ``Client-Secret``, ``api_key``, ``AccountKey``, ``sas_token``,
    ``connection_string`` and ``dsn`` are; ``keys``, ``host`` and ``user`` are not.
    """
    norm = normalize_key(key)
    return any(part in norm for part in SENSITIVE_KEY_PARTS)


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


# scheme://user:password@host - the password runs to the last "@" of the token, so an
# unencoded "@" inside it is masked too.
_URL_PASSWORD = re.compile(
    r"(?P<pre>\b[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@\s'\"<>]*:)(?P<secret>[^\s'\"<>]+)(?P<post>@)"
)
# ?sig=...&token=... : query parameters (and ; separated pairs) whose name is sensitive
# ({braced} ODBC values are left to _KEY_VALUE, which reads to the closing brace).
_QUERY_PARAM = re.compile(r"(?P<pre>[?&;](?P<key>[A-Za-z][A-Za-z0-9_.\-]*)=)(?P<secret>[^&;#\s'\"<>{}]+)")
# key=value, key = 'v a l', PWD={x;y}, "key": "value", 'key': 'value', key: "value"
_KEY_VALUE = re.compile(
    r"(?P<pre>(?P<kq>[\"']?)\b(?P<key>[A-Za-z][A-Za-z0-9_\-.]{0,80})(?P=kq)(?P<sep>\s*[=:]\s*))"
    r"(?P<secret>\{[^}]*\}|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s;,&'\"{}()\[\]<>]+)"
)
_AUTH_HEADER = re.compile(
    r"(?P<pre>\b(?:Authorization\s*[:=]\s*[\"']?(?:Bearer|Basic|Token|Digest|SharedAccessSignature)?\s*"
    r"|Bearer\s+))(?P<secret>[A-Za-z0-9\-._~+/=%]{6,})",
    re.IGNORECASE,
)
_PEM_BLOCK = re.compile(
    r"(?P<pre>-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)(?P<secret>.*?)(?P<post>-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)",
    re.DOTALL,
)
_GATE_WORDS = ("pass", "pwd", "secret", "token", "key", "dsn", "auth", "credential", "conn", "sig", "bearer")
"""Lower-case words one of which any text with a sensitive ``key=value`` pair contains."""


def _is_placeholder(value: str) -> bool:
    """Values that are not credentials: a reference (``${secret:X}``) or an already masked one."""
    inner = value.strip("'\"{}")
    return inner.startswith("${") or inner in ("", MASK) or set(inner) <= {"*"}


def _quoted_mask(value: str) -> str:
    """Keep the quotes or braces around a masked value so the text keeps its shape."""
    if len(value) >= 2 and value[0] in "'\"{" and value[-1] in "'\"}":
        return value[0] + MASK + value[-1]
    return MASK


def _sub_url(match: re.Match[str]) -> str:
    if _is_placeholder(match.group("secret")):
        return match.group(0)
    return f"{match.group('pre')}{MASK}{match.group('post')}"


def _sub_query(match: re.Match[str]) -> str:
    key = match.group("key")
    if (key.lower() == "sig" or is_sensitive_key(key)) and not _is_placeholder(match.group("secret")):
        return f"{match.group('pre')}{MASK}"
    return match.group(0)


def _sub_key_value(match: re.Match[str]) -> str:
    secret = match.group("secret")
    quoted = match.group("kq") or secret[:1] in "'\"{"
    if ":" in match.group("sep") and not quoted:
        return match.group(0)  # "password: must be set" is prose; "password": "x" is data
    if not is_sensitive_key(match.group("key")) or _is_placeholder(secret):
        return match.group(0)
    return f"{match.group('pre')}{_quoted_mask(secret)}"


def _sub_simple(match: re.Match[str]) -> str:
    if _is_placeholder(match.group("secret")):
        return match.group(0)
    post = match.groupdict().get("post") or ""
    return f"{match.group('pre')}{MASK}{post}"


def mask_credentials(text: str) -> str:
    """Mask every credential recognisable by its shape in ``text``."""
    if "-----BEGIN" in text:
        text = _PEM_BLOCK.sub(_sub_simple, text)
    if "://" in text and "@" in text:
        text = _URL_PASSWORD.sub(_sub_url, text)
    has_eq = "=" in text
    if has_eq and ("?" in text or "&" in text or ";" in text):
        text = _QUERY_PARAM.sub(_sub_query, text)
    if has_eq or ":" in text or "earer" in text:
        lower = text.lower()
        if any(word in lower for word in _GATE_WORDS):
            if "auth" in lower or "bearer" in lower:
                text = _AUTH_HEADER.sub(_sub_simple, text)
            text = _KEY_VALUE.sub(_sub_key_value, text)
    return text


def find_credentials(text: str) -> Iterator[str]:
    """Yield credentials embedded in ``text`` (unquoted), to register them as known secrets.

    Used on configuration values, so a password inside a connection string is masked wherever
    it shows up later, even in a form the patterns alone would not recognise.
    """
    finders: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
        (_URL_PASSWORD, _sub_url), (_QUERY_PARAM, _sub_query), (_KEY_VALUE, _sub_key_value),
        (_AUTH_HEADER, _sub_simple), (_PEM_BLOCK, _sub_simple),
    ]
    for pattern, decide in finders:
        for match in pattern.finditer(text):
            if decide(match) != match.group(0):
                value = match.group("secret")
                if len(value) >= 2 and value[0] in "'\"{" and value[-1] in "'\"}":
                    value = value[1:-1]
                yield value.strip()
