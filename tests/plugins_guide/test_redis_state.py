"""The guide's Redis state backend passes the state contract suite on a real Redis server, and
runs a project as an installed plugin."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from odibi_core.plugin import HolderInfo, StateBackend, StateLockTimeout
from odibi_core.testing.cli import run_odibi
from odibi_core.testing.distributions import make_distribution
from odibi_core.testing.state_contract import StateBackendContract

from .redis_state import RedisStateBackend

EXAMPLE = Path(__file__).with_name("redis_state.py")
REDIS_URL = os.environ.get("ODIBI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
"""The server the tests use (database 15 of the local server unless the variable says otherwise)."""


@pytest.fixture(scope="module")
def redis_client() -> Iterator[Any]:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(
            f"no Redis server at {REDIS_URL}: start redis-server or set ODIBI_TEST_REDIS_URL",
            pytrace=False,
        )
    yield client
    client.close()


@pytest.fixture
def base_key(redis_client: Any) -> Iterator[str]:
    key = f"odibi-test:{uuid.uuid4().hex[:12]}"
    yield key
    for stale in redis_client.scan_iter(match=f"{key}:*"):
        redis_client.delete(stale)


class TestRedisStateBackendContract(StateBackendContract):
    """Every contract test against the guide's backend."""

    breaks_live_locks = True  # a lease can be broken: the key is just deleted

    @pytest.fixture
    def make_backend(self, base_key: str) -> Iterator[Callable[..., StateBackend]]:
        import redis

        opened: list[RedisStateBackend] = []

        def factory(
            store: str = "default",
            *,
            run_id: str | None = None,
            lock_timeout: float = 60.0,
            history: int = 50,
        ) -> StateBackend:
            backend = RedisStateBackend(
                redis.Redis.from_url(REDIS_URL),
                f"{base_key}:{store}",
                project="contract",
                run_id=run_id,
                lock_timeout=lock_timeout,
                history_limit=history,
            )
            opened.append(backend)
            return backend

        yield factory
        for backend in opened:
            backend.close()

    def write_raw(self, backend: StateBackend, data: bytes) -> None:
        assert isinstance(backend, RedisStateBackend)
        backend.client.set(f"{backend.key}:doc", data)

    def read_raw(self, backend: StateBackend) -> bytes | None:
        assert isinstance(backend, RedisStateBackend)
        data: bytes | None = backend.client.get(f"{backend.key}:doc")
        return data

    def abandon_lock(self, backend: StateBackend, name: str, *, run_id: str) -> HolderInfo:
        # a holder that died: its record stays until the lease runs out, nobody renews it
        assert isinstance(backend, RedisStateBackend)
        holder = HolderInfo.current(lock_name=name, run_id=run_id)
        backend.client.set(f"{backend.key}:lock:{name}", holder.model_dump_json(), px=60_000)
        return holder


def test_an_abandoned_lease_frees_itself_and_a_held_one_is_renewed(
    redis_client: Any, base_key: str
) -> None:
    backend = RedisStateBackend(redis_client, base_key, lease_seconds=1.0)
    holder = HolderInfo.current(lock_name="pipeline.p", run_id="dead")
    redis_client.set(f"{base_key}:lock:pipeline.p", holder.model_dump_json(), px=1000)
    with pytest.raises(StateLockTimeout, match="run dead"), backend.lock("pipeline.p", timeout=0):
        pass  # pragma: no cover
    start = time.monotonic()
    with backend.lock("pipeline.p", timeout=5, run_id="next") as mine:
        assert time.monotonic() - start < 3
        time.sleep(2.0)  # twice the lease: only renewal keeps it
        assert [h.lock_id for h in backend.holders()] == [mine.lock_id]
    assert backend.holders() == []


def test_odibi_run_keeps_its_state_in_redis(
    tmp_path: Path, write_project, redis_client: Any, base_key: str
) -> None:
    site = tmp_path / "site"
    make_distribution(site, "odibi-state-redis-example", "odibi_redis_example", EXAMPLE.read_text())
    project = write_project(
        f"""
        project: guide
        state: {{backend: redis, url: "{REDIS_URL}", key: "{base_key}"}}
        connections:
          files: {{type: local, base_path: data}}
        pipelines:
          - pipeline: copy
            nodes:
              - name: orders
                read: {{connection: files, path: orders.csv, format: csv}}
                write: {{connection: files, path: out.parquet, format: parquet}}
        """,
        files={"data/orders.csv": "id\n1\n"},
    )
    env = {"PYTHONPATH": str(site)}
    for _ in range(2):
        result = run_odibi(["run", str(project)], cwd=project.parent, extra_env=env)
        assert result.returncode == 0, result.stderr
    document = json.loads(redis_client.get(f"{base_key}:doc"))
    assert document["serial"] >= 2
    assert [run["status"] for run in document["pipelines"]["copy"]["runs"]] == [
        "success",
        "success",
    ]
    assert list(redis_client.scan_iter(match=f"{base_key}:lock:*")) == []
