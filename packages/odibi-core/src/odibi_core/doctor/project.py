"""Checks of one project: references, config, connections, state backend, reports folder.

Each part is checked on its own so one missing secret costs only the checks that need it: a
connection whose password is unset is reported as not checked, the others are still probed.
Values never appear in a line: references are named, connection and backend details come from
their own ``check()`` / ``location`` (secret-free by contract) and pass through redaction anyway.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from odibi_core.doctor.model import FAIL, INFO, OK, WARN, DoctorReport
from odibi_core.errors import OdibiError

if TYPE_CHECKING:
    from odibi_core.config.loader import ProjectSource
    from odibi_core.config.references import Lookup
    from odibi_core.plugins.manager import OdibiPluginManager


def check_project(report: DoctorReport, source: ProjectSource, pm: OdibiPluginManager) -> None:
    """Every project check, in the order a run needs them."""
    imported = f" (+{len(source.files) - 1} imported)" if len(source.files) > 1 else ""
    env = f", environment {source.environment}" if source.environment else ""
    report.add("project", "file", OK, f"{source.files[0]}{imported}{env}", {"files": source.files})
    lookup, missing = _check_references(report, source, pm)
    _check_config(report, source, pm, missing)
    if lookup is not None:
        _check_connections(report, source, pm, lookup)
        _check_state(report, source, pm, lookup)
    _check_reports(report, source)


def _check_references(
    report: DoctorReport, source: ProjectSource, pm: OdibiPluginManager
) -> tuple[Lookup | None, int]:
    from odibi_core.config.loader import secret_lookup
    from odibi_core.redaction import register_secret

    try:
        lookup = secret_lookup(source, pm)
    except OdibiError as exc:
        report.add("secrets", "providers", FAIL, exc.message)
        return None, 0
    used: dict[tuple[str, str], list[Any]] = {}
    for ref in source.references():
        used.setdefault((ref.kind, ref.name), []).append(ref)
    if not used:
        report.add(
            "secrets",
            "references",
            INFO,
            "the project uses no ${env:...} or ${secret:...} references",
        )
    missing = 0
    for (kind, name), refs in used.items():
        where = ", ".join(r.where for r in refs[:3]) + (" ..." if len(refs) > 3 else "")
        label = f"${{{kind}:{name}}}"
        try:
            value = lookup(kind, name)
        except Exception as exc:  # a provider whose store is down
            report.add(
                "secrets",
                label,
                FAIL,
                f"lookup failed: {type(exc).__name__}: {exc} (used at {where})",
            )
            missing += 1
            continue
        if value is None and not all(r.has_default for r in refs):
            report.add(
                "secrets",
                label,
                FAIL,
                f"not set (used at {where})",
                {"kind": kind, "name": name, "resolved": False},
            )
            missing += 1
            continue
        if value is not None and kind == "secret":
            register_secret(value, source=f"secret {name}")
        uses_default = not value and all(r.has_default for r in refs)  # POSIX: empty means unset
        detail = "not set (or empty), its default is used" if uses_default else "resolvable"
        report.add(
            "secrets",
            label,
            OK,
            f"{detail} (used at {where})",
            {"kind": kind, "name": name, "resolved": True},
        )
    return lookup, missing


def _check_config(
    report: DoctorReport, source: ProjectSource, pm: OdibiPluginManager, missing: int
) -> None:
    from odibi_core.config.loader import build_project

    if missing:
        report.add(
            "project", "config", WARN, f"not fully validated: {missing} reference(s) do not resolve"
        )
        return
    try:
        project = build_project(source, pm)
    except OdibiError as exc:
        report.add("project", "config", FAIL, exc.message)
        return
    nodes = sum(len(p.nodes) for p in project.config.pipelines)
    report.add(
        "project",
        "config",
        OK,
        f"valid: {len(project.config.pipelines)} pipeline(s), {nodes} node(s), "
        f"engine {project.config.engine}",
    )
    _check_inputs(report, project, pm)


def _check_inputs(report: DoctorReport, project: Any, pm: OdibiPluginManager) -> None:
    """Every local input file exists (``odibi validate`` only warns; here it is a problem)."""
    from odibi_core.config.deep_checks import missing_local_inputs

    try:
        missing = missing_local_inputs(project, pm)
    except OdibiError as exc:
        report.add("project", "inputs", FAIL, exc.message)
        return
    for item in missing:
        report.add(
            "project",
            f"input {item.connection}:{item.path}",
            FAIL,
            f"{project.location(item.key)}: {item.resolved} does not exist",
            {"connection": item.connection, "path": item.path},
        )
    if not missing:
        report.add("project", "inputs", OK, "every local input file exists")


def _resolve(data: Any, lookup: Lookup) -> tuple[Any, list[str]]:
    """``data`` with references resolved (secrets registered for redaction) and the unresolved
    names."""
    from odibi_core.config.references import resolve_references
    from odibi_core.redaction import register_config_values, register_secret

    missing: list[str] = []

    def on_resolved(kind: str, name: str, value: str, path: Any) -> None:
        if kind == "secret":
            register_secret(value, source=f"secret {name}")

    resolved = resolve_references(
        data, lookup, lambda k, n, p: missing.append(f"${{{k}:{n}}}"), on_resolved
    )
    register_config_values(resolved)
    return resolved, sorted(set(missing))


def _build_context(source: ProjectSource, name: str) -> Any:
    from odibi_core.plugins.types import BuildContext

    return BuildContext(
        name=name, project_dir=source.project_dir, project_name=str(source.data.get("project", ""))
    )


def _validate(model: Any, options: dict[str, Any]) -> Any:
    from odibi_core.plugins.options import NoOptions

    return (model or NoOptions).model_validate(options)


def _problem(exc: Exception) -> str:
    from pydantic import ValidationError

    if isinstance(exc, OdibiError):
        return exc.message
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        return (
            f"invalid options: {where}: {first['msg']}"
            if where
            else f"invalid options: {first['msg']}"
        )
    return f"{type(exc).__name__}: {exc}"


def _check_connections(
    report: DoctorReport, source: ProjectSource, pm: OdibiPluginManager, lookup: Lookup
) -> None:
    from odibi_core.config.models import ConnectionConfig

    connections = source.data.get("connections") or {}
    if not isinstance(connections, dict) or not connections:
        report.add("connections", "connections", INFO, "the project defines no connections")
        return
    for name, raw in connections.items():
        resolved, missing = _resolve(raw, lookup)
        if missing:
            report.add("connections", str(name), WARN, f"not checked: needs {', '.join(missing)}")
            continue
        try:
            config = ConnectionConfig.model_validate(resolved)
            spec = pm.connection(config.type)
            connection = spec.factory(
                _validate(spec.options_model(), config.plugin_options()),
                _build_context(source, str(name)),
            )
            connection.name, connection.type = str(name), config.type
            try:
                result = connection.check()
            finally:
                connection.close()
        except Exception as exc:
            report.add("connections", str(name), FAIL, _problem(exc))
            continue
        report.add(
            "connections",
            str(name),
            OK if result.ok else FAIL,
            f"({config.type}) {result.detail}",
            {"type": config.type, **result.data},
        )


def _state_context(source: ProjectSource, config: Any) -> Any:
    from odibi_core.plugins.types import StateBuildContext

    base = _build_context(source, "state")
    settings = {"lock_timeout": config.lock_timeout, "history": config.history} if config else {}
    return StateBuildContext(
        name=base.name, project_dir=base.project_dir, project_name=base.project_name, **settings
    )


def _check_state(
    report: DoctorReport, source: ProjectSource, pm: OdibiPluginManager, lookup: Lookup
) -> None:
    from odibi_core.config.models import StateConfig

    raw = source.data.get("state")
    resolved, missing = _resolve(raw, lookup) if raw is not None else (None, [])
    if missing:
        report.add("state", "backend", WARN, f"not checked: needs {', '.join(missing)}")
        return
    try:
        config = StateConfig.model_validate(resolved) if resolved is not None else None
        name = config.backend if config else ("local" if "local" in pm.state_backends() else None)
        if name is None:
            report.add(
                "state",
                "backend",
                INFO,
                "no state backend installed: run history, --resume and "
                "incremental marks are off (install odibi-state-local)",
            )
            return
        spec = pm.state_backend(name)
        backend = spec.factory(
            _validate(spec.options_model(), config.plugin_options() if config else {}),
            _state_context(source, config),
        )
    except Exception as exc:
        report.add("state", "backend", FAIL, _problem(exc))
        return
    try:
        _probe_state(report, name, backend)
    finally:
        backend.close()


def _probe_state(report: DoctorReport, name: str, backend: Any) -> None:
    try:
        location = backend.location
        doc = backend.read()
    except Exception as exc:
        report.add("state", "backend", FAIL, f"{name}: {_problem(exc)}", {"backend": name})
        return
    if doc is None:
        report.add(
            "state",
            "backend",
            OK,
            f"{name} at {location}: reachable, no state written yet",
            {"backend": name, "location": location},
        )
    else:
        pipelines = ", ".join(sorted(doc.pipelines)) or "none"
        report.add(
            "state",
            "backend",
            OK,
            f"{name} at {location}: reachable, serial {doc.serial}, pipelines: {pipelines}",
            {"backend": name, "location": location, "serial": doc.serial},
        )
    try:
        holders = backend.holders()
    except Exception as exc:
        report.add("state", "locks", FAIL, f"cannot list lock holders: {_problem(exc)}")
        return
    if not holders:
        report.add("state", "locks", OK, "no lock held")
    for holder in holders:
        report.add(
            "state",
            f"lock {holder.lock_name}",
            WARN,
            f"{holder.describe()} (a running job, or `odibi state unlock {holder.lock_id}` "
            "if it died)",
            holder.model_dump(mode="json"),
        )


def _check_reports(report: DoctorReport, source: ProjectSource) -> None:
    from odibi_core.reports.location import reports_settings
    from odibi_core.reports.store import ReportStore, reports_dir

    try:
        settings = reports_settings(source)
    except OdibiError as exc:
        report.add("reports", "settings", FAIL, exc.message)
        return
    folder = reports_dir(source.project_dir, settings)
    if not settings.enabled:
        report.add("reports", "folder", INFO, "run reports are disabled (reports.enabled: false)")
        return
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        report.add("reports", "folder", FAIL, f"{folder} cannot be created: {existing} is a file")
        return
    if not os.access(existing, os.W_OK):
        report.add(
            "reports", "folder", FAIL, f"{folder} is not writable ({existing} denies writing)"
        )
        return
    count = len(ReportStore(folder).entries())
    keep = f"keep_last {settings.keep_last}" if settings.keep_last else "no count limit"
    age = f"max_age_days {settings.max_age_days:g}" if settings.max_age_days else "no age limit"
    report.add(
        "reports",
        "folder",
        OK,
        f"{folder}: {count} report(s); {keep}, {age}",
        {"path": str(folder), "reports": count},
    )


def _nearest_existing(path: Path) -> Path:
    current = path
    while not current.exists() and current.parent != current:
        current = current.parent
    return current
