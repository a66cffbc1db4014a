"""Testing support: real OTLP receivers (HTTP and gRPC) that decode what exporters send.

:mod:`odibi_otel.testing.receivers` holds :class:`~odibi_otel.testing.receivers.OtlpHttpReceiver`
and :class:`~odibi_otel.testing.receivers.OtlpGrpcReceiver`, small collectors on 127.0.0.1 that
decode requests with the official ``opentelemetry-proto`` messages.
"""
