"""odibi-otel: OpenTelemetry traces and metrics for every Odibi run, exported over OTLP."""

from __future__ import annotations

__version__ = "0.1.0"
