"""Engine contract, part two: computing frames whole, errors that point into the user's SQL,
and interrupting running work. Mixed into
:class:`~odibi_core.testing.engine_contract.EngineContract`.

A lazy engine may put off computing a frame, but :meth:`~odibi_core.contracts.engine.Engine.compute`
must compute every column of every row (a column no aggregate mentions included), ``persist``
must compute now, and an error must be an ``OdibiError`` that names no internal view, schema or
staging file. Eager engines raise the same errors earlier (in ``sql``): every test accepts both.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pytest

from odibi_core.connections.local import LocalConnection
from odibi_core.contracts.engine import CURRENT_FRAME_NAME, Engine
from odibi_core.contracts.requests import WriteRequest
from odibi_core.errors import EngineError, OdibiError

BROKEN_SQL = "SELECT order_id,\n       CAST(status AS INTEGER) AS s\nFROM this"
"""A step whose second column cannot be computed (``status`` holds words)."""

INTERNAL_NAMES = re.compile(
    r"odibi_\d+_|odibi_result|odibi_incoming|\bodibi_frame\b|\.odibi-(?:tmp|old|new|stage)|COPY \("
)
"""What an error shown to a user must never contain: the engine's internal schemas, views and
tables, staging names, and the ``COPY (...)`` statement a write runs."""


class ComputeContract:
    """Computing whole frames, failure positions and interrupts (see the module docstring)."""

    def _broken(self, engine: Engine, files: LocalConnection) -> Any:
        orders = self.read(engine, files, "orders.parquet")  # type: ignore[attr-defined]
        return engine.sql(BROKEN_SQL, {CURRENT_FRAME_NAME: orders})

    def test_compute_evaluates_a_column_no_aggregate_mentions(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        with pytest.raises(OdibiError) as info:  # lazy engines fail in compute, eager ones in sql
            engine.compute(self._broken(engine, files), {"rows": "count(*)"})
        assert "status" in info.value.message or "INT" in info.value.message.upper()
        assert not INTERNAL_NAMES.search(info.value.message), info.value.message

    def test_compute_returns_aggregates_of_a_good_frame(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        orders = self.read(engine, files, "orders.csv")  # type: ignore[attr-defined]
        good = engine.sql(
            "SELECT order_id, amount * 2 AS twice FROM this", {CURRENT_FRAME_NAME: orders}
        )
        values = engine.compute(good, {"rows": "count(*)", "top": "max(twice)"})
        assert {k: float(v) for k, v in values.items()} == {"rows": 4.0, "top": 25.0}
        assert engine.compute(good) == {}

    def test_no_validation_passes_on_a_frame_that_fails_to_compute(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        from odibi_core.config.models import ValidationConfig
        from odibi_core.execution.validation import run_validations

        config = ValidationConfig.model_validate(
            {"row_count": {"min": 1}, "not_null": ["order_id"]}
        )
        with pytest.raises(OdibiError):
            run_validations(engine, self._broken(engine, files), config)

    def test_persist_computes_every_column_now(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        with pytest.raises(OdibiError):
            engine.persist(self._broken(engine, files))
        kept = engine.persist(self.read(engine, files, "orders.parquet"))  # type: ignore[attr-defined]
        assert engine.is_computed(kept)
        engine.release(kept)

    def test_a_computation_error_points_into_the_steps_sql(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        from odibi_core.execution.failure import resolve_position, sql_excerpt

        with pytest.raises(EngineError) as info:
            engine.compute(self._broken(engine, files))
        assert info.value.computing
        position = resolve_position(BROKEN_SQL, info.value.position)
        assert position is not None, f"no position in {info.value.message!r}"
        assert (position.line, position.column) in ((2, 8), (2, 13)), (
            position
        )  # the CAST or its argument
        excerpt = sql_excerpt(BROKEN_SQL, info.value.position) or ""
        assert "       ^" in excerpt, excerpt
        assert "CAST(status AS INTEGER)" in excerpt, excerpt

    def test_a_bad_statement_fails_at_once_pointing_at_the_unknown_name(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        from odibi_core.execution.failure import resolve_position

        orders = self.read(engine, files, "orders.csv")  # type: ignore[attr-defined]
        sql = "SELECT order_id,\n  no_such_column\nFROM this"
        with pytest.raises(EngineError) as info:
            engine.sql(sql, {CURRENT_FRAME_NAME: orders})
        assert not info.value.computing
        assert resolve_position(sql, info.value.position) is not None
        assert (resolve_position(sql, info.value.position) or (0, 0))[:2] == (2, 3)
        assert "no_such_column" in info.value.message
        assert not INTERNAL_NAMES.search(info.value.message)

    def test_a_failed_write_names_no_staging_file(
        self, engine: Engine, files: LocalConnection, out: LocalConnection
    ) -> None:
        request = WriteRequest(mode="overwrite", format="parquet", path="broken.parquet")
        with pytest.raises(OdibiError) as info:
            engine.write(self._broken(engine, files), out, request)
        assert not INTERNAL_NAMES.search(info.value.message), info.value.message
        assert not (out.root / "broken.parquet").exists()

    def test_interrupt_cancels_a_running_computation(self, engine: Engine) -> None:
        import pyarrow as pa

        numbers = engine.from_arrow(pa.table({"k": list(range(5000))}))
        query = "SELECT sum(a.k * b.k + c.k) AS s FROM t a CROSS JOIN t b CROSS JOIN t c"
        outcome: list[BaseException | None] = []

        def work() -> None:
            try:
                engine.compute(engine.sql(query, {"t": numbers}))
                outcome.append(None)
            except BaseException as exc:  # reported below
                outcome.append(exc)

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        time.sleep(1.0)
        assert not outcome, "the computation ended before it was interrupted (make it longer)"
        started = time.monotonic()
        engine.interrupt()
        thread.join(timeout=60)
        assert not thread.is_alive(), "interrupt() did not stop the computation"
        assert isinstance(outcome[0], OdibiError), outcome
        assert time.monotonic() - started < 60
        with pytest.raises(OdibiError):  # an interrupted engine takes no new work
            engine.compute(engine.sql("SELECT 1 AS x", {}))
