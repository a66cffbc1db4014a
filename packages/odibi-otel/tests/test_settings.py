"""Reading the standard OTEL_* variables: exporter selection, endpoints, protocols, headers."""

from __future__ import annotations

import pytest
from odibi_otel.settings import TelemetrySettings, header_values, parse_key_values, resolve_endpoint


def test_nothing_set_means_nothing_exported() -> None:
    settings = TelemetrySettings.from_env({})

    assert not settings.disabled
    assert not settings.wants_export
    assert [s.exporter for s in settings.signals] == ["none", "none"]
    assert settings.service_name == "odibi"


def test_generic_endpoint_enables_both_signals_with_signal_paths_appended() -> None:
    settings = TelemetrySettings.from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"})

    assert settings.wants_export
    assert settings.traces.endpoint == "http://collector:4318/v1/traces"
    assert settings.metrics.endpoint == "http://collector:4318/v1/metrics"
    assert settings.traces.protocol == "http/protobuf"
    assert settings.traces.reason == "OTEL_EXPORTER_OTLP_ENDPOINT is set"


def test_per_signal_endpoint_is_used_as_is_and_enables_only_that_signal() -> None:
    settings = TelemetrySettings.from_env(
        {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://traces.example/custom"}
    )

    assert settings.traces.enabled
    assert settings.traces.endpoint == "https://traces.example/custom"
    assert not settings.metrics.enabled


def test_grpc_endpoint_gets_no_path_and_defaults_to_4317() -> None:
    env = {
        "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_METRICS_EXPORTER": "otlp",
    }

    assert TelemetrySettings.from_env(env).traces.endpoint == "http://localhost:4317"
    env["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4317"
    assert TelemetrySettings.from_env(env).metrics.endpoint == "http://collector:4317"


def test_explicit_otlp_exporter_uses_the_specification_default_endpoint() -> None:
    settings = TelemetrySettings.from_env({"OTEL_TRACES_EXPORTER": "otlp"})

    assert settings.traces.enabled
    assert settings.traces.endpoint == "http://localhost:4318/v1/traces"
    assert not settings.metrics.enabled


def test_exporter_none_turns_a_signal_off_even_with_an_endpoint() -> None:
    settings = TelemetrySettings.from_env(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_METRICS_EXPORTER": "none"}
    )

    assert settings.traces.enabled
    assert not settings.metrics.enabled
    assert settings.metrics.reason == "OTEL_METRICS_EXPORTER=none"


def test_per_signal_protocol_overrides_the_generic_one() -> None:
    settings = TelemetrySettings.from_env(
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "http/protobuf",
        }
    )

    assert settings.traces.protocol == "grpc"
    assert settings.traces.endpoint == "http://c:4318"
    assert settings.metrics.protocol == "http/protobuf"
    assert settings.metrics.endpoint == "http://c:4318/v1/metrics"


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        (
            {"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"},
            "OTEL_EXPORTER_OTLP_PROTOCOL is 'http/json'",
        ),
        (
            {"OTEL_EXPORTER_OTLP_TIMEOUT": "soon"},
            "OTEL_EXPORTER_OTLP_TIMEOUT is not a positive number",
        ),
        (
            {"OTEL_EXPORTER_OTLP_HEADERS": "novalue"},
            "OTEL_EXPORTER_OTLP_HEADERS: entry 1 is not key=value",
        ),
    ],
)
def test_invalid_values_are_problems_that_name_the_variable(
    env: dict[str, str], fragment: str
) -> None:
    settings = TelemetrySettings.from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", **env})

    assert not settings.traces.enabled
    assert any(fragment in p for p in settings.traces.problems), settings.traces.problems


def test_unsupported_exporter_is_a_problem() -> None:
    settings = TelemetrySettings.from_env({"OTEL_TRACES_EXPORTER": "zipkin"})

    assert not settings.traces.enabled
    assert settings.traces.problems == (
        "OTEL_TRACES_EXPORTER selects zipkin; odibi-otel exports otlp only (or none)",
    )


def test_sdk_disabled_wins_over_everything() -> None:
    settings = TelemetrySettings.from_env(
        {"OTEL_SDK_DISABLED": "TRUE", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}
    )

    assert settings.disabled
    assert not settings.wants_export


def test_service_name_precedence() -> None:
    assert (
        TelemetrySettings.from_env(
            {"OTEL_RESOURCE_ATTRIBUTES": "service.name=a,team=data"}
        ).service_name
        == "a"
    )
    both = TelemetrySettings.from_env(
        {"OTEL_RESOURCE_ATTRIBUTES": "service.name=a", "OTEL_SERVICE_NAME": "b"}
    )
    assert both.service_name == "b"
    assert both.resource_attributes == {"service.name": "a"}


def test_headers_are_percent_decoded_and_only_names_are_kept() -> None:
    settings = TelemetrySettings.from_env(
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318",
            "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer%20abc123,x-tenant=acme",
            "OTEL_EXPORTER_OTLP_METRICS_HEADERS": "api-key=k3y-value",
        }
    )

    assert settings.traces.header_names == ("Authorization", "x-tenant")
    assert settings.metrics.header_names == ("api-key",)  # the per-signal variable wins
    assert "Bearer abc123" not in repr(settings)


def test_parse_key_values_and_header_values() -> None:
    assert parse_key_values(" a = 1 , b=x%3Dy ,,", "V") == ({"a": "1", "b": "x=y"}, [])
    values = header_values({"OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20abc123"})
    assert set(values) == {"Bearer%20abc123", "Bearer abc123"}


def test_resolve_endpoint_trailing_slash() -> None:
    assert (
        resolve_endpoint(
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318///"}, "metrics", "http/protobuf"
        )
        == "http://c:4318/v1/metrics"
    )
