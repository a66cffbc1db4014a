"""Fixtures: a real SDK tracer/meter provider pair with in-memory exporters, and a small project."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SECRET = "zz_secret_col_94310"
"""A secret the failing node's SQL contains (through ``${secret:SHOP_TOKEN}`` from ``.env``)."""

ORDERS_CSV = "order_id,region,amount\n" + "".join(
    f"{i},{['north', 'south', 'east'][i % 3]},{i * 2.5}\n" for i in range(1, 31)
)
"""30 orders; 26 of them have amount > 10."""

SHOP_YAML = """
project: shop
engine: duckdb
workers: 4
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: sales
    nodes:
      - name: orders
        read: {connection: raw, format: csv, path: orders.csv}
      - name: big_orders
        depends_on: [orders]
        transform: {steps: ["SELECT * FROM orders WHERE amount > 10"]}
        write: {connection: lake, format: parquet, path: big_orders.parquet}
      - name: by_region
        depends_on: [orders]
        transform: {steps: ["SELECT region, sum(amount) AS total FROM orders GROUP BY region"]}
        write: {connection: lake, format: parquet, path: by_region.parquet}
      - name: all_orders
        depends_on: [orders]
        write: {connection: lake, format: parquet, path: all_orders.parquet}
  - pipeline: broken
    on_error: continue
    nodes:
      - name: orders
        read: {connection: raw, format: csv, path: orders.csv}
      - name: leaky
        depends_on: [orders]
        transform: {steps: ["SELECT ${secret:SHOP_TOKEN} FROM orders"]}
        write: {connection: lake, format: parquet, path: leaky.parquet}
      - name: after_leaky
        depends_on: [leaky]
        write: {connection: lake, format: parquet, path: after.parquet}
      - name: fine
        depends_on: [orders]
        write: {connection: lake, format: parquet, path: fine.parquet}
"""


@dataclass
class MemoryTelemetry:
    """In-memory exporters behind a real SDK tracer provider and meter provider."""

    spans_exporter: Any
    reader: Any
    telemetry: Any

    def spans(self) -> list[Any]:
        """Finished spans, in end order."""
        return list(self.spans_exporter.get_finished_spans())

    def span(self, name: str) -> Any:
        """The one finished span called ``name``."""
        found = [s for s in self.spans() if s.name == name]
        assert len(found) == 1, (
            f"{len(found)} spans named {name!r}: {[s.name for s in self.spans()]}"
        )
        return found[0]

    def metrics(self) -> dict[str, Any]:
        """Collected metrics by name."""
        data = self.reader.get_metrics_data()
        found: dict[str, Any] = {}
        for rm in data.resource_metrics if data else []:
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    found[metric.name] = metric
        return found

    def points(self, name: str) -> list[Any]:
        """Data points of metric ``name``."""
        metric = self.metrics().get(name)
        assert metric is not None, f"no metric {name!r}; got {sorted(self.metrics())}"
        return list(metric.data.data_points)


@pytest.fixture
def memory_telemetry() -> Iterator[MemoryTelemetry]:
    """A :class:`~odibi_otel.telemetry.Telemetry` over SDK providers with in-memory exporters."""
    from odibi_otel.telemetry import Telemetry
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider(shutdown_on_exit=False)
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader], shutdown_on_exit=False)
    yield MemoryTelemetry(exporter, reader, Telemetry(tracer_provider, meter_provider))
    tracer_provider.shutdown()
    meter_provider.shutdown()


@pytest.fixture
def shop_secret() -> str:
    """The secret value the ``broken`` pipeline's failing SQL contains."""
    return SECRET


@pytest.fixture
def shop_project(write_project: Callable[..., Path]) -> Path:
    """The ``shop`` project (pipelines ``sales`` and ``broken``) with its CSV and ``.env``."""
    return write_project(
        SHOP_YAML, files={"data/orders.csv": ORDERS_CSV, ".env": f"SHOP_TOKEN={SECRET}\n"}
    )


@pytest.fixture
def run_with(make_plugin_manager: Callable[..., Any]) -> Callable[..., list[Any]]:
    """``run_with(project, plugin, pipelines=[...])``: run through a manager holding ``plugin``."""
    from odibi_core.config.loader import load_project
    from odibi_core.execution.runner import RunOptions, run_project

    def run(
        project: Path, plugin: object, pipelines: list[str] | None = None, **options: Any
    ) -> list[Any]:
        pm = make_plugin_manager(("odibi-otel", plugin))
        loaded = load_project(project, pm=pm)
        return run_project(loaded, pm, RunOptions(pipelines=pipelines or [], **options))

    return run
