"""Retry policy: only transient I/O errors are retried, with bounded backoff."""

from __future__ import annotations

from odibi_core.config.models import RetryConfig
from odibi_core.errors import TransientIOError


def is_transient(exc: BaseException) -> bool:
    """True if ``exc`` (or an exception it was raised from) is a transient I/O failure."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (TransientIOError, ConnectionError, TimeoutError)):
            return True
        if getattr(current, "odibi_transient", False):
            return True
        current = current.__cause__ or current.__context__
    return False


def backoff_delay(policy: RetryConfig, attempt: int) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
    if policy.backoff == "fixed":
        return min(policy.initial_delay, policy.max_delay)
    return min(policy.initial_delay * (2 ** (attempt - 1)), policy.max_delay)
