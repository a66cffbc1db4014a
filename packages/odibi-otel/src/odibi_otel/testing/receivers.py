"""Minimal OTLP receivers on 127.0.0.1 for tests, decoding requests with opentelemetry-proto.

Example::

    with OtlpHttpReceiver() as receiver:
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint}
        run_odibi(["run", "odibi.yaml"], extra_env=env)
        assert {s.name for s in receiver.spans()} >= {"run daily_sales"}
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


def attributes_of(key_values: Any) -> dict[str, Any]:
    """A protobuf ``KeyValue`` list as a plain dict (string, int, double and bool values)."""
    values: dict[str, Any] = {}
    for kv in key_values:
        kind = kv.value.WhichOneof("value")
        values[kv.key] = getattr(kv.value, kind) if kind else None
    return values


class _Store:
    """What a receiver got: decoded requests and the metadata (headers) of each."""

    def __init__(self) -> None:
        self.trace_requests: list[ExportTraceServiceRequest] = []
        self.metric_requests: list[ExportMetricsServiceRequest] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    def add(self, request: Any, headers: dict[str, str]) -> None:
        with self._changed:
            if isinstance(request, ExportTraceServiceRequest):
                self.trace_requests.append(request)
            else:
                self.metric_requests.append(request)
            self.headers.append(headers)
            self._changed.notify_all()

    def spans(self) -> list[Any]:
        """Every span received, in arrival order."""
        with self._lock:
            return [
                span
                for request in self.trace_requests
                for rs in request.resource_spans
                for ss in rs.scope_spans
                for span in ss.spans
            ]

    def span_resources(self) -> list[dict[str, Any]]:
        """The resource attributes of every batch of spans."""
        with self._lock:
            return [
                attributes_of(rs.resource.attributes)
                for r in self.trace_requests
                for rs in r.resource_spans
            ]

    def metrics(self) -> list[Any]:
        """Every metric received (one entry per metric per export)."""
        with self._lock:
            return [
                metric
                for request in self.metric_requests
                for rm in request.resource_metrics
                for sm in rm.scope_metrics
                for metric in sm.metrics
            ]

    def wait(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``predicate()`` holds (re-checked on every arrival) or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._changed:
                self._changed.wait(min(remaining, 0.1))
        return True


class OtlpHttpReceiver(_Store):
    """An OTLP/HTTP (protobuf) receiver: ``POST /v1/traces`` and ``POST /v1/metrics``.

    Args:
        status: HTTP status to answer with (tests of a refusing collector use 400).
        keep_alive: Answer in HTTP/1.1 and keep connections open, as collectors do (default:
            HTTP/1.0, one connection per request).

    Attributes:
        connections: How many connections were accepted.
    """

    def __init__(self, status: int = 200, keep_alive: bool = False) -> None:
        super().__init__()
        self.status = status
        self.connections = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

            def setup(self) -> None:
                with receiver._lock:
                    receiver.connections += 1
                super().setup()

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                encoding = (self.headers.get("Content-Encoding") or "").lower()
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                if self.path.rstrip("/").endswith("/v1/traces"):
                    request: Any = ExportTraceServiceRequest.FromString(body)
                    response: Any = ExportTraceServiceResponse()
                elif self.path.rstrip("/").endswith("/v1/metrics"):
                    request, response = (
                        ExportMetricsServiceRequest.FromString(body),
                        ExportMetricsServiceResponse(),
                    )
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if receiver.status == 200:
                    receiver.add(request, {k.lower(): v for k, v in self.headers.items()})
                payload = response.SerializeToString()
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="otlp-http-receiver", daemon=True
        )

    @property
    def endpoint(self) -> str:
        """Base URL for ``OTEL_EXPORTER_OTLP_ENDPOINT``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> OtlpHttpReceiver:
        """Start serving in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> OtlpHttpReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class OtlpGrpcReceiver(_Store):
    """An OTLP/gRPC receiver implementing the collector's trace and metrics services."""

    def __init__(self) -> None:
        super().__init__()
        from concurrent import futures

        import grpc
        from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2_grpc
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc

        store = self

        class Traces(trace_service_pb2_grpc.TraceServiceServicer):
            def Export(self, request: Any, context: Any) -> Any:
                store.add(request, dict(context.invocation_metadata()))
                return ExportTraceServiceResponse()

        class Metrics(metrics_service_pb2_grpc.MetricsServiceServicer):
            def Export(self, request: Any, context: Any) -> Any:
                store.add(request, dict(context.invocation_metadata()))
                return ExportMetricsServiceResponse()

        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Traces(), self._server)
        metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(Metrics(), self._server)
        self.port = self._server.add_insecure_port("127.0.0.1:0")

    @property
    def endpoint(self) -> str:
        """URL for ``OTEL_EXPORTER_OTLP_ENDPOINT`` with ``OTEL_EXPORTER_OTLP_PROTOCOL=grpc``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> OtlpGrpcReceiver:
        """Start the gRPC server."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop the server (no grace period)."""
        self._server.stop(None)

    def __enter__(self) -> OtlpGrpcReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
