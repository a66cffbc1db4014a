"""Names of everything odibi-otel emits: spans, attributes, metrics, units, buckets.

Kept in one place so the documentation, the tests and dashboards agree. Metric names follow the
OpenTelemetry naming rules: dotted lowercase, a unit instead of a suffix, no ``_total``.
Attributes never carry the run id on metrics (it would make every run a new time series).
"""

from __future__ import annotations

INSTRUMENTATION_SCOPE = "odibi"
"""Name of the tracer and meter (the instrumentation scope)."""

RUN_SPAN_PREFIX = "run "
"""A pipeline run's span is ``run <pipeline>``."""

NODE_SPAN_PREFIX = "node "
"""A node execution's span is ``node <node>``."""

# --- attributes -----------------------------------------------------------------------------
PROJECT = "odibi.project.name"
PIPELINE = "odibi.pipeline.name"
NODE = "odibi.node.name"
ENGINE = "odibi.engine.name"
RUN_ID = "odibi.run.id"
ENVIRONMENT = "odibi.run.environment"
RUN_RESULT = "odibi.run.result"
RUN_NODE_COUNT = "odibi.run.node_count"
RUN_NODES_FAILED = "odibi.run.nodes_failed"
RUN_NODES_SKIPPED = "odibi.run.nodes_skipped"
RUN_NODES_UNCHANGED = "odibi.run.nodes_unchanged"
NODE_RESULT = "odibi.node.result"
NODE_ATTEMPT = "odibi.node.attempt"
ROWS_IN = "odibi.node.rows_in"
ROWS_OUT = "odibi.node.rows_out"
NODE_OUTPUT = "odibi.node.output"
ROWS_DIRECTION = "odibi.rows.direction"
ERROR_TYPE = "error.type"
"""The OpenTelemetry semantic-convention attribute for the class of an error."""

# --- metrics --------------------------------------------------------------------------------
NODES_EXECUTED = "odibi.nodes.executed"
NODES_EXECUTED_UNIT = "{node}"
ROWS_PROCESSED = "odibi.rows.processed"
ROWS_PROCESSED_UNIT = "{row}"
NODE_DURATION = "odibi.node.duration"
PIPELINE_DURATION = "odibi.pipeline.duration"
DURATION_UNIT = "s"
RUNS_FAILED = "odibi.runs.failed"
RUNS_FAILED_UNIT = "{run}"

DURATION_BUCKETS_S: tuple[float, ...] = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    120.0,
    300.0,
    600.0,
    1800.0,
    3600.0,
)
"""Explicit histogram bucket boundaries in seconds (5 ms to 1 h); the SDK default suits ms."""
