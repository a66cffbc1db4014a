"""``odibi doctor`` lines: the telemetry configuration in effect, header values masked.

Reads only the environment (no OpenTelemetry import, no network): what a run started from this
shell would do. Invalid settings make their line fail, naming the variable, never its value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from odibi_core.redaction import current_mask

from odibi_otel.settings import EXIT_FLUSH_SECONDS, SignalSettings, TelemetrySettings

if TYPE_CHECKING:
    from odibi_core.plugin import DoctorCheck

SECTION = "telemetry"


def telemetry_checks(environ: Mapping[str, str] | None = None) -> list[DoctorCheck]:
    """The doctor lines for the environment ``environ`` (default: ``os.environ``)."""
    from odibi_core.plugin import DoctorCheck, redact_text
    from odibi_core.redaction import redact_value

    from odibi_otel.settings import register_header_secrets

    register_header_secrets(environ)
    settings = TelemetrySettings.from_env(environ)
    if settings.disabled:
        return [
            DoctorCheck(
                SECTION,
                "status",
                True,
                "off: OTEL_SDK_DISABLED is true",
                {"enabled": False, "reason": "OTEL_SDK_DISABLED"},
            )
        ]
    checks = [_status(settings)]
    for signal in settings.signals:
        detail, data = _describe(signal)
        checks.append(
            DoctorCheck(
                SECTION, signal.signal, not signal.problems, redact_text(detail), redact_value(data)
            )
        )
    resource = {**settings.resource_attributes, "service.name": settings.service_name}
    text = ", ".join(f"{k}={v}" for k, v in sorted(resource.items()))
    checks.append(
        DoctorCheck(
            SECTION,
            "resource",
            not settings.problems,
            redact_text(text + "".join(f"; {p}" for p in settings.problems)),
            redact_value({"attributes": resource, "problems": list(settings.problems)}),
        )
    )
    return checks


def _status(settings: TelemetrySettings) -> DoctorCheck:
    from odibi_core.plugin import DoctorCheck

    exported = [s.signal for s in settings.signals if s.enabled]
    if exported:
        detail = (
            f"on: {' and '.join(exported)} exported over OTLP; a down collector never stalls a run "
            f"(at exit Odibi waits at most {EXIT_FLUSH_SECONDS:g}s)"
        )
    else:
        detail = (
            "off: no exporter configured (set OTEL_EXPORTER_OTLP_ENDPOINT); a tracer or meter "
            "provider set by a host application is still used"
        )
    return DoctorCheck(
        SECTION,
        "status",
        True,
        detail,
        {"enabled": bool(exported), "exported": exported, "exit_flush_s": EXIT_FLUSH_SECONDS},
    )


def _describe(signal: SignalSettings) -> tuple[str, dict[str, object]]:
    data: dict[str, object] = {
        "exporter": signal.exporter,
        "reason": signal.reason,
        "problems": list(signal.problems),
    }
    if signal.exporter != "otlp":
        detail = f"not exported ({signal.reason})"
    else:
        headers = ", ".join(f"{name}={current_mask()}" for name in signal.header_names) or "none"
        timeout = f"{signal.timeout}s" if signal.timeout else "10s (default)"
        detail = (
            f"otlp {signal.protocol} to {signal.endpoint}; headers: {headers}; timeout {timeout} "
            f"({signal.reason})"
        )
        data.update(
            protocol=signal.protocol,
            endpoint=signal.endpoint,
            headers={name: current_mask() for name in signal.header_names},
            timeout=signal.timeout,
        )
    if signal.problems:
        detail += "; " + "; ".join(signal.problems)
    return detail, data
