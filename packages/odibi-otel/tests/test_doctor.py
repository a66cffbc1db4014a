"""``odibi_doctor_checks``: the configuration in effect, with header values masked everywhere."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import pytest
from odibi_otel.doctor import telemetry_checks
from odibi_otel.plugin import OtelPlugin

HEADER_SECRET = "Bearer s3cr3t-t0ken-xyz"
URL_PASSWORD = "hunter2-pw"

pytestmark = pytest.mark.usefixtures("clean_redaction")


def _everything(checks: list[Any]) -> str:
    return json.dumps([asdict(c) for c in checks], default=str)


def test_doctor_shows_endpoints_protocol_and_header_names_but_never_values() -> None:
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"https://user:{URL_PASSWORD}@collector.example:4318",
        "OTEL_EXPORTER_OTLP_HEADERS": "authorization="
        + HEADER_SECRET.replace(" ", "%20")
        + ",x-team=data-eng",
        "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "grpc",
        "OTEL_SERVICE_NAME": "nightly-etl",
    }

    checks = telemetry_checks(env)

    by_name = {c.name: c for c in checks}
    assert set(by_name) == {"status", "traces", "metrics", "resource"}
    assert all(c.section == "telemetry" and c.ok for c in checks)
    assert by_name["status"].detail.startswith("on: traces and metrics exported over OTLP")
    assert (
        "otlp http/protobuf to https://user:[REDACTED]@collector.example:4318/v1/traces"
        in by_name["traces"].detail
    )
    assert "headers: authorization=[REDACTED], x-team=[REDACTED]" in by_name["traces"].detail
    assert "otlp grpc to" in by_name["metrics"].detail
    assert by_name["resource"].detail == "service.name=nightly-etl"
    dumped = _everything(checks)
    for secret in (
        HEADER_SECRET,
        HEADER_SECRET.replace(" ", "%20"),
        "s3cr3t-t0ken-xyz",
        URL_PASSWORD,
        "data-eng",
    ):
        assert secret not in dumped, secret


def test_doctor_off_states_the_reason() -> None:
    assert (
        telemetry_checks({"OTEL_SDK_DISABLED": "true"})[0].detail
        == "off: OTEL_SDK_DISABLED is true"
    )
    status = telemetry_checks({})[0]
    assert status.ok
    assert status.detail.startswith("off: no exporter configured (set OTEL_EXPORTER_OTLP_ENDPOINT)")


def test_doctor_fails_the_line_of_an_invalid_setting_naming_the_variable() -> None:
    checks = {
        c.name: c
        for c in telemetry_checks(
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318",
                "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json",
                "OTEL_RESOURCE_ATTRIBUTES": "broken",
            }
        )
    }

    assert not checks["traces"].ok
    assert "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL is 'http/json'" in checks["traces"].detail
    assert checks["metrics"].ok
    assert not checks["resource"].ok
    assert "OTEL_RESOURCE_ATTRIBUTES: entry 1" in checks["resource"].detail


def test_doctor_registers_header_values_so_any_other_output_masks_them_too() -> None:
    from odibi_core.redaction import redact_text

    telemetry_checks({"OTEL_EXPORTER_OTLP_HEADERS": "api-key=" + HEADER_SECRET.replace(" ", "%20")})

    assert (
        redact_text(f"sent {HEADER_SECRET} and {HEADER_SECRET.replace(' ', '%20')}")
        == "sent [REDACTED] and [REDACTED]"
    )


def test_doctor_lines_come_through_the_plugin_manager(
    make_plugin_manager: Callable[..., Any],
) -> None:
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
        "OTEL_EXPORTER_OTLP_HEADERS": "authorization=" + HEADER_SECRET.replace(" ", "%20"),
    }
    pm = make_plugin_manager(("odibi-otel", OtelPlugin(environ=env)))

    checks = [c for c in pm.doctor_checks() if c.section == "telemetry"]

    assert [c.name for c in checks] == ["status", "traces", "metrics", "resource"]
    assert "http://127.0.0.1:4318/v1/metrics" in checks[2].detail
    assert HEADER_SECRET not in _everything(checks)


def test_entry_point_registers_the_plugin_with_its_hooks(
    make_plugin_manager: Callable[..., Any],
) -> None:
    pm = make_plugin_manager(load_entry_points=True)

    info = next(p for p in pm.plugins if p.distribution == "odibi-otel")
    assert info.status == "active", info.reason
    assert info.hooks == ["odibi_doctor_checks", "odibi_run_node", "odibi_run_pipeline"]
