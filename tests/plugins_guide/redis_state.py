"""Worked example of the plugin guide: a state backend ``redis`` (one Redis key per project).

The guide quotes this module; ``test_redis_state.py`` runs the state contract suite against it on
a real Redis server and runs ``odibi run`` with it installed as a plugin.

The document lives at ``<key>:doc``. A write is a compare-and-set done by a Lua script (atomic on
the server): it replaces the document only if its SHA-1 is still the one read under the state
lock. A lock is ``<key>:lock:<name>`` holding the holder's record, set only if absent, with a
lease (an expiry) that a background thread renews while the lock is held: a holder that dies
stops renewing and its lock frees itself when the lease runs out. ``force_unlock`` may break a
live holder's lock (like an Azure blob lease).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

from odibi_core.plugin import (
    DocumentStateBackend,
    HolderInfo,
    LoadedDocument,
    LockNotFound,
    PluginOptions,
    StateBackendSpec,
    StateBuildContext,
    StateConflictError,
    hookimpl,
    lock_timeout_error,
)
from pydantic import Field

STORE = """
if redis.sha1hex(redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
"""
"""Replace the document only if it is still the version that was read (SHA-1 of its bytes)."""

RELEASE = """
local held = redis.call('GET', KEYS[1])
if held and cjson.decode(held)['lock_id'] == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
"""Delete a lock only if ``lock_id`` still holds it."""

RENEW = """
local held = redis.call('GET', KEYS[1])
if held and cjson.decode(held)['lock_id'] == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
"""Extend a lock's lease only if ``lock_id`` still holds it."""


class RedisStateOptions(PluginOptions):
    """The ``state:`` keys of the ``redis`` backend."""

    url: str = Field("redis://127.0.0.1:6379/0", description="Server URL (`redis://host:port/db`).")
    key: str | None = Field(None, description="Key prefix; default `odibi:<project name>`.")
    lease_seconds: float = Field(
        15.0, ge=1, le=300, description="Lease of a lock whose holder died."
    )


class RedisStateBackend(DocumentStateBackend):
    """Run state in Redis (see the module docstring)."""

    name = "redis"

    def __init__(
        self, client: Any, key: str, *, lease_seconds: float = 15.0, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.client, self.key, self.lease_seconds = client, key, lease_seconds
        self._store_script = client.register_script(STORE)
        self._release = client.register_script(RELEASE)
        self._renew = client.register_script(RENEW)

    @property
    def location(self) -> str:
        """Server and key, without credentials."""
        server = self.client.connection_pool.connection_kwargs
        host, port, db = server.get("host"), server.get("port"), server.get("db", 0)
        return f"redis://{host}:{port}/{db} key {self.key}"

    # --- the document: load with a version token, store only if the version is unchanged ------

    def load_document(self) -> LoadedDocument:
        """The stored bytes and their version token (see the contract)."""
        data = self.client.get(f"{self.key}:doc")
        return LoadedDocument(data, hashlib.sha1(data or b"").hexdigest())

    def store_document(self, data: bytes, token: Any) -> None:
        """Replace the document with ``data`` if it is still at ``token`` (see the contract)."""
        if not self._store_script(keys=[f"{self.key}:doc"], args=[token, data]):
            raise StateConflictError(
                f"state at {self.location} was changed by a writer that did not "
                "hold the state lock; nothing was written"
            )

    # --- named locks with a renewed lease ------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, name: str, *, timeout: float, run_id: str | None = None) -> Iterator[HolderInfo]:
        """Hold lock ``name`` for the ``with`` block, waiting up to ``timeout`` seconds."""
        key, lease_ms = f"{self.key}:lock:{name}", int(self.lease_seconds * 1000)
        holder = HolderInfo.current(lock_name=name, run_id=run_id or self.run_id)
        record = holder.model_dump_json()
        deadline = time.monotonic() + max(0.0, timeout)
        while not self.client.set(key, record, nx=True, px=lease_ms):
            if time.monotonic() >= deadline:
                raise lock_timeout_error(
                    name,
                    location=self.location,
                    waited=max(0.0, timeout),
                    holder=self._holder(key),
                    backend=self.name,
                )
            time.sleep(0.01)
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(self.lease_seconds / 3):
                self._renew(keys=[key], args=[holder.lock_id, lease_ms])

        renewer = threading.Thread(target=renew, name=f"odibi-redis-lease-{name}", daemon=True)
        renewer.start()
        try:
            yield holder
        finally:
            stop.set()
            renewer.join()
            self._release(keys=[key], args=[holder.lock_id])

    def _holder(self, key: str) -> HolderInfo | None:
        record = self.client.get(key)
        return HolderInfo.model_validate(json.loads(record)) if record else None

    def holders(self) -> list[HolderInfo]:
        """Locks held now (an expired lease is gone by itself)."""
        found = [self._holder(key) for key in self.client.scan_iter(match=f"{self.key}:lock:*")]
        return sorted((h for h in found if h), key=lambda h: (h.acquired_at, h.lock_name))

    def force_unlock(self, lock_id: str) -> HolderInfo:
        """Break the lock ``lock_id`` holds, even a live holder's (its lease is just deleted)."""
        for key in self.client.scan_iter(match=f"{self.key}:lock:*"):
            holder = self._holder(key)
            if holder and holder.lock_id == lock_id and self._release(keys=[key], args=[lock_id]):
                return holder
        raise LockNotFound(f"no lock with id {lock_id} at {self.location}")

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()


def build(options: RedisStateOptions, context: StateBuildContext) -> RedisStateBackend:
    """The factory: the Redis client library is imported only when a project opens its state."""
    import redis

    return RedisStateBackend(
        redis.Redis.from_url(options.url),
        options.key or f"odibi:{context.project_name}",
        lease_seconds=options.lease_seconds,
        project=context.project_name,
        run_id=context.run_id,
        lock_timeout=context.lock_timeout,
        history_limit=context.history,
    )


@hookimpl
def odibi_state_backends() -> list[StateBackendSpec]:
    """Register the state backend ``redis``."""
    return [StateBackendSpec("redis", build, RedisStateOptions, "Run state in Redis, leased locks")]
