"""The standard-library client the OTLP/HTTP exporters send through, and when it is not used."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

import pytest
from odibi_otel.activation import SignalSettings, http_exporter
from odibi_otel.http_transport import StdlibHTTPTransport, stdlib_transport
from odibi_otel.testing.receivers import OtlpHttpReceiver
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExportResult

ENDPOINT = "http://collector:4318/v1/traces"


def _spans(count: int) -> list[Any]:
    provider = TracerProvider()
    tracer = provider.get_tracer("test")
    spans = []
    for i in range(count):
        span = tracer.start_span(f"span {i}", attributes={"i": i})
        span.end()
        spans.append(span)
    return spans


@pytest.mark.parametrize(
    ("env", "endpoint"),
    [
        ({"HTTPS_PROXY": "http://proxy:3128"}, ENDPOINT),
        ({"http_proxy": "http://proxy:3128"}, ENDPOINT),
        ({"ALL_PROXY": "socks5://proxy:1080"}, ENDPOINT),
        ({"OTEL_PYTHON_EXPORTER_OTLP_HTTP_CREDENTIAL_PROVIDER": "oauth"}, ENDPOINT),
        ({"OTEL_PYTHON_EXPORTER_OTLP_HTTP_TRACES_CREDENTIAL_PROVIDER": "oauth"}, ENDPOINT),
        ({"REQUESTS_CA_BUNDLE": "/etc/ca.pem"}, "https://collector:4318/v1/traces"),
        ({"CURL_CA_BUNDLE": "/etc/ca.pem"}, "https://collector:4318/v1/traces"),
        ({}, "http://user:s3cret@collector:4318/v1/traces"),
    ],
)
def test_only_requests_honours_these_settings_so_it_is_kept(
    env: dict[str, str], endpoint: str
) -> None:
    assert stdlib_transport("traces", endpoint, env) is None


def test_a_ca_bundle_for_requests_does_not_matter_to_a_plain_http_endpoint() -> None:
    assert isinstance(
        stdlib_transport("traces", ENDPOINT, {"REQUESTS_CA_BUNDLE": "/etc/ca.pem"}),
        StdlibHTTPTransport,
    )


def test_certificate_variables_are_read_per_signal_then_general() -> None:
    env = {
        "OTEL_EXPORTER_OTLP_CERTIFICATE": "/general/ca.pem",
        "OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE": "/metrics/ca.pem",
        "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": "/general/client.pem",
        "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY": "/traces/client.key",
    }
    traces = stdlib_transport("traces", ENDPOINT, env)
    metrics = stdlib_transport("metrics", ENDPOINT, env)

    assert traces is not None
    assert metrics is not None
    assert traces.verify == "/general/ca.pem"
    assert traces.cert == ("/general/client.pem", "/traces/client.key")
    assert metrics.verify == "/metrics/ca.pem"
    assert metrics.cert == "/general/client.pem"  # no key for metrics: the certificate alone
    plain = stdlib_transport("traces", ENDPOINT, {})
    assert plain is not None
    assert plain.verify is True
    assert plain.cert is None


@pytest.mark.parametrize("keep_alive", [True, False], ids=["keep-alive", "one-per-request"])
def test_batches_arrive_over_one_kept_alive_connection(keep_alive: bool) -> None:
    with OtlpHttpReceiver(keep_alive=keep_alive) as receiver:
        exporter = OTLPSpanExporter(
            endpoint=receiver.endpoint + "/v1/traces",
            headers={"authorization": "Bearer t0k3n"},
            _transport=StdlibHTTPTransport(),
        )
        results = [exporter.export(_spans(3)) for _ in range(3)]
        exporter.shutdown()

        assert results == [SpanExportResult.SUCCESS] * 3
        assert [s.name for s in receiver.spans()] == ["span 0", "span 1", "span 2"] * 3
        assert all(h["authorization"] == "Bearer t0k3n" for h in receiver.headers)
        assert receiver.connections == (1 if keep_alive else 3)


def test_a_refusing_collector_is_a_failed_export_with_its_status() -> None:
    with OtlpHttpReceiver(status=400) as receiver:
        transport = StdlibHTTPTransport()
        result = transport.request("POST", receiver.endpoint + "/v1/traces", data=b"")

        assert result.status_code == 400
        assert result.error is None
        exporter = OTLPSpanExporter(endpoint=receiver.endpoint + "/v1/traces", _transport=transport)
        assert exporter.export(_spans(1)) == SpanExportResult.FAILURE


def test_a_refused_connection_and_a_tls_mismatch_are_connection_errors() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    transport = StdlibHTTPTransport()
    refused = transport.request("POST", f"http://127.0.0.1:{closed_port}/v1/traces", data=b"x")
    with OtlpHttpReceiver() as receiver:  # speaks plain HTTP, not TLS
        tls = transport.request(
            "POST", receiver.endpoint.replace("http:", "https:") + "/v1/traces", data=b"x"
        )

    for result in (refused, tls):
        assert result.status_code is None
        assert transport.is_connection_error(result.error), result.error


def test_closing_wakes_a_request_waiting_for_a_silent_collector() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts (kernel backlog), never answers
        transport = StdlibHTTPTransport()
        results: list[Any] = []
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1/traces"
        waiting = threading.Thread(
            target=lambda: results.append(transport.request("POST", url, data=b"x", timeout=60))
        )
        waiting.start()
        time.sleep(0.3)
        assert results == []  # waiting for an answer

        transport.close()
        waiting.join(10)

        assert not waiting.is_alive()
        assert transport.is_connection_error(results[0].error)


def test_a_closed_transport_fails_at_once_instead_of_connecting() -> None:
    with OtlpHttpReceiver() as receiver:
        transport = StdlibHTTPTransport()
        transport.close()
        result = transport.request("POST", receiver.endpoint + "/v1/traces", data=b"")

        assert result.error is not None
        assert receiver.connections == 0


def test_the_exporter_built_for_a_signal_uses_the_stdlib_client_unless_a_proxy_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in [k for k in os.environ if k.upper().endswith("_PROXY")]:
        monkeypatch.delenv(name)
    signal = SignalSettings(signal="traces", exporter="otlp", reason="test", endpoint=ENDPOINT)
    assert isinstance(
        http_exporter(OTLPSpanExporter, signal)._client._transport, StdlibHTTPTransport
    )

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy:3128")
    transport = http_exporter(OTLPSpanExporter, signal)._client._transport
    assert not isinstance(transport, StdlibHTTPTransport)


def test_an_enabled_run_exports_without_importing_requests(tmp_path: Any) -> None:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OTEL_") and not k.upper().endswith("_PROXY")
    }
    with OtlpHttpReceiver(keep_alive=True) as receiver:
        code = """
            import sys
            from odibi_otel.plugin import OtelPlugin
            from odibi_otel.activation import wait_for_exporters
            telemetry = OtelPlugin().telemetry()
            telemetry.tracer.start_span("one").end()
            wait_for_exporters()
            print(sorted({m.split(".")[0] for m in sys.modules} & {"requests", "urllib3"}))
        """
        result = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            env={**clean, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "[]"
        assert [s.name for s in receiver.spans()] == ["one"]  # flushed at exit
