"""The telemetry configuration in effect, read only from the standard ``OTEL_*`` variables.

Nothing here imports OpenTelemetry: ``odibi doctor`` and the "is telemetry on at all?" decision
cost a few dictionary look-ups. Values of ``OTEL_EXPORTER_OTLP_HEADERS`` (and the per-signal
variants) are registered with the redaction registry and never shown.

Odibi exports a signal when its exporter is selected explicitly (``OTEL_TRACES_EXPORTER=otlp``)
or, with no selection, when an OTLP endpoint variable is set. With neither, the signal stays off:
installing the plugin alone never makes runs talk to a collector nobody configured.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

SIGNALS = ("traces", "metrics")
"""The signals odibi-otel emits."""

PROTOCOLS = ("http/protobuf", "grpc")
"""Supported values of ``OTEL_EXPORTER_OTLP_PROTOCOL`` (and the per-signal variants)."""

DEFAULT_PROTOCOL = "http/protobuf"
"""The OpenTelemetry specification's default protocol."""

DEFAULT_HTTP_ENDPOINT = "http://localhost:4318"
DEFAULT_GRPC_ENDPOINT = "http://localhost:4317"
DEFAULT_SERVICE_NAME = "odibi"
"""``service.name`` when neither ``OTEL_SERVICE_NAME`` nor ``OTEL_RESOURCE_ATTRIBUTES`` sets one."""

EXIT_FLUSH_SECONDS = 2.0
"""Longest wait at process exit for the last batch of spans and metrics to be accepted."""

_TRUE = frozenset({"true", "1", "yes", "on"})


@dataclass(frozen=True)
class SignalSettings:
    """How one signal (traces or metrics) is exported.

    Attributes:
        signal: ``"traces"`` or ``"metrics"``.
        exporter: ``"otlp"`` or ``"none"``.
        reason: Why: the variable that decided it.
        protocol: ``"http/protobuf"`` or ``"grpc"``.
        endpoint: The URL (http) or ``host:port`` URL (grpc) exports go to.
        header_names: Names of the headers sent (values are secret).
        timeout: The export timeout variable's raw value, or ``None`` (the SDK default, 10 s).
        problems: Invalid settings, each naming its variable (never a value).
    """

    signal: str
    exporter: str
    reason: str
    protocol: str = DEFAULT_PROTOCOL
    endpoint: str = ""
    header_names: tuple[str, ...] = ()
    timeout: str | None = None
    problems: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        """Whether this signal is exported through an exporter odibi-otel installs."""
        return self.exporter == "otlp" and not self.problems


@dataclass(frozen=True)
class TelemetrySettings:
    """Everything the ``OTEL_*`` variables say, resolved.

    Attributes:
        disabled: ``OTEL_SDK_DISABLED`` is true: odibi-otel does nothing at all.
        traces: Export settings of spans.
        metrics: Export settings of metrics.
        service_name: The ``service.name`` resource attribute that will be used.
        resource_attributes: Parsed ``OTEL_RESOURCE_ATTRIBUTES`` (values as given).
        problems: Invalid settings not tied to one signal.
    """

    disabled: bool
    traces: SignalSettings
    metrics: SignalSettings
    service_name: str = DEFAULT_SERVICE_NAME
    resource_attributes: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TelemetrySettings:
        """Resolve the settings from ``environ`` (default: ``os.environ``)."""
        env = os.environ if environ is None else environ
        disabled = _get(env, "OTEL_SDK_DISABLED").lower() in _TRUE
        attributes, problems = parse_key_values(
            _get(env, "OTEL_RESOURCE_ATTRIBUTES"), "OTEL_RESOURCE_ATTRIBUTES"
        )
        service = (
            _get(env, "OTEL_SERVICE_NAME") or attributes.get("service.name") or DEFAULT_SERVICE_NAME
        )
        return cls(
            disabled=disabled,
            traces=_signal(env, "traces"),
            metrics=_signal(env, "metrics"),
            service_name=service,
            resource_attributes=attributes,
            problems=tuple(problems),
        )

    @property
    def signals(self) -> tuple[SignalSettings, SignalSettings]:
        """Traces and metrics settings."""
        return (self.traces, self.metrics)

    @property
    def wants_export(self) -> bool:
        """Whether any signal is to be exported by a provider odibi-otel installs."""
        return not self.disabled and any(s.enabled for s in self.signals)


def _get(env: Mapping[str, str], name: str) -> str:
    return env.get(name, "").strip()


def signal_variable(env: Mapping[str, str], signal: str, name: str) -> str | None:
    """The variable that sets ``name`` for ``signal``: ``OTEL_EXPORTER_OTLP_<SIGNAL>_<NAME>`` if it
    is set, else ``OTEL_EXPORTER_OTLP_<NAME>`` if that is, else ``None`` (blank counts as unset)."""
    for variable in (f"OTEL_EXPORTER_OTLP_{signal.upper()}_{name}", f"OTEL_EXPORTER_OTLP_{name}"):
        if _get(env, variable):
            return variable
    return None


def _signal(env: Mapping[str, str], signal: str) -> SignalSettings:
    upper = signal.upper()
    problems: list[str] = []
    selector = f"OTEL_{upper}_EXPORTER"
    endpoint_var = signal_variable(env, signal, "ENDPOINT")
    chosen = [v.strip().lower() for v in _get(env, selector).split(",") if v.strip()]
    if chosen:
        if "otlp" in chosen:
            exporter, reason = "otlp", f"{selector}=otlp"
        elif all(v == "none" for v in chosen):
            return SignalSettings(signal, "none", f"{selector}=none")
        else:
            unsupported = ", ".join(v for v in chosen if v not in ("otlp", "none"))
            return SignalSettings(
                signal,
                "none",
                f"{selector}={unsupported}",
                problems=(
                    f"{selector} selects {unsupported}; odibi-otel exports otlp only (or none)",
                ),
            )
    elif endpoint_var is not None:
        exporter, reason = "otlp", f"{endpoint_var} is set"
    else:
        return SignalSettings(signal, "none", "no OTLP endpoint variable is set")

    protocol_var = signal_variable(env, signal, "PROTOCOL")
    protocol = _get(env, protocol_var).lower() if protocol_var else DEFAULT_PROTOCOL
    if protocol not in PROTOCOLS:
        problems.append(f"{protocol_var} is {protocol!r}; supported: {', '.join(PROTOCOLS)}")
    endpoint = resolve_endpoint(env, signal, protocol)
    headers_var = signal_variable(env, signal, "HEADERS")
    headers, header_problems = parse_key_values(
        _get(env, headers_var) if headers_var else "", headers_var or ""
    )
    problems.extend(header_problems)
    timeout_var = signal_variable(env, signal, "TIMEOUT")
    timeout = _get(env, timeout_var) if timeout_var else None
    if timeout is not None and not _is_positive_number(timeout):
        problems.append(f"{timeout_var} is not a positive number of seconds")
    return SignalSettings(
        signal, exporter, reason, protocol, endpoint, tuple(headers), timeout, tuple(problems)
    )


def resolve_endpoint(env: Mapping[str, str], signal: str, protocol: str) -> str:
    """Where ``signal`` is exported, following the OTLP exporter specification.

    A per-signal variable is used as is; the generic ``OTEL_EXPORTER_OTLP_ENDPOINT`` gets
    ``/v1/<signal>`` appended for http/protobuf and is used as is for grpc.
    """
    specific = _get(env, f"OTEL_EXPORTER_OTLP_{signal.upper()}_ENDPOINT")
    if specific:
        return specific
    generic = _get(env, "OTEL_EXPORTER_OTLP_ENDPOINT")
    if protocol == "grpc":
        return generic or DEFAULT_GRPC_ENDPOINT
    return f"{(generic or DEFAULT_HTTP_ENDPOINT).rstrip('/')}/v1/{signal}"


def parse_key_values(text: str, variable: str) -> tuple[dict[str, str], list[str]]:
    """Parse ``k1=v1,k2=v2`` (percent-encoded values), the format of the OTEL list variables.

    Returns the pairs and a list of problems; a problem names the variable and the entry's
    position, never its value (header values are credentials).
    """
    pairs: dict[str, str] = {}
    problems: list[str] = []
    for position, item in enumerate(text.split(","), 1):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        key = unquote(key.strip())
        if not sep or not key:
            problems.append(f"{variable}: entry {position} is not key=value")
            continue
        pairs[key] = unquote(value.strip())
    return pairs, problems


def _is_positive_number(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False


def header_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """Every header value in the OTLP header variables, raw and percent-decoded (to redact)."""
    env = os.environ if environ is None else environ
    values: list[str] = []
    for name in (
        "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
        "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
    ):
        for item in _get(env, name).split(","):
            _, sep, value = item.partition("=")
            if sep and value.strip():
                values.extend({value.strip(), unquote(value.strip())})
    return values


def register_header_secrets(environ: Mapping[str, str] | None = None) -> None:
    """Register every OTLP header value with the redaction registry (they are credentials)."""
    from odibi_core.plugin import register_secret

    for value in header_values(environ):
        register_secret(value, source="an OTEL_EXPORTER_OTLP_*HEADERS value")
