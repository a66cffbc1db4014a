"""Converting a whole original project and writing the new one."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from odibi_migrate.nodes import convert_node
from odibi_migrate.report import Report
from odibi_migrate.source import OldProject, read_old_project
from odibi_migrate.values import flag_dates, substitute

ENGINES = {"pandas": "pandas", "spark": "spark", "polars": "duckdb", "duckdb": "duckdb"}


@dataclass
class Migration:
    """The converted project, its ``transforms.py`` shim and the report."""

    old: OldProject
    config: dict[str, Any]
    report: Report
    shim: str | None


def _connections(conns: dict[str, Any], old: OldProject, report: Report) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, conn in (conns or {}).items():
        where = old.where((old.data.get("connections") or {}).get(name), conn)
        kind = conn.get("type")
        if kind == "local":
            out[name] = {"type": "local", "base_path": conn.get("base_path", "./data")}
        elif kind in ("azure_blob", "azure_adls"):
            out[name] = {
                "type": "azure_blob",
                **{k: v for k, v in conn.items() if k in ("account_name", "container")},
            }
            report.unconverted(
                where,
                f"connection `{name}` ({kind}): needs the Azure data connection package; "
                "its `auth:` was not converted: give the credential as `${secret:NAME}`",
            )
        else:
            report.unconverted(
                where,
                f"connection `{name}` of type `{kind}` has no counterpart "
                "(sql_server, delta catalogs, http, unity_catalog): use a postgres "
                "connection or a Python step",
            )
            continue
        report.changed(where, f"connection `{name}` ({kind}) converted")
    return out


def _leftovers(section: str, rest: dict[str, Any], report: Report, where: str) -> None:
    """Flag every key of ``section`` that was not converted."""
    for key, value in rest.items():
        if value not in (None, [], {}):
            report.unconverted(where, f"`{section}.{key}` has no counterpart; it was left out")


def _at(old: OldProject, key: str) -> str:
    """``file:line`` of the top-level section ``key`` (the project file when it is a scalar)."""
    return old.where(old.data.get(key), old.data)


def convert_project(old: OldProject) -> Migration:
    """Convert ``old`` in memory."""
    report = Report()
    data = dict(old.data)
    top = old.where(old.data)
    variables = data.pop("vars", {}) or {}
    if variables:
        report.changed(top, f"`vars:` ({', '.join(variables)}) substituted where used")
    if data.pop("imports", None):
        report.changed(top, f"imports merged into one file ({', '.join(old.files[1:])})")
    data = substitute(data, variables, report, top, old.lines)
    out: dict[str, Any] = {"project": data.pop("project", old.root.name)}
    if data.get("description"):
        out["description"] = data.pop("description")
    engine = data.pop("engine", "pandas")
    out["engine"] = ENGINES.get(str(engine), "duckdb")
    report.changed(top, f"engine `{engine}` became `{out['engine']}`")
    conns = data.pop("connections", {}) or {}
    out["connections"] = _connections(conns, old, report)
    story = data.pop("story", None)
    if story:
        base = (conns.get(story.get("connection"), {}) or {}).get("base_path", ".")
        reports: dict[str, Any] = {"path": f"{base.rstrip('/')}/{story.get('path', 'stories')}"}
        if story.get("retention_count"):
            reports["keep_last"] = story["retention_count"]
        if story.get("retention_days"):
            reports["max_age_days"] = story["retention_days"]
        if story.get("max_sample_rows"):
            reports["sample_rows"] = min(100, int(story["max_sample_rows"]))
        out["reports"] = reports
        report.changed(
            old.where(old.data.get("story")),
            "`story:` became `reports:` (run reports: JSON + HTML)",
        )
    system = data.pop("system", None)
    if system:
        base = (conns.get(system.get("connection"), {}) or {}).get("base_path", ".")
        out["state"] = {
            "backend": "local",
            "path": f"{base.rstrip('/')}/{system.get('path', '_system')}/state.json",
        }
        report.changed(
            old.where(old.data.get("system")),
            "`system:` catalog became `state:` (local state file)",
        )
        if system.get("sync_to") or system.get("sync_from"):
            report.unconverted(_at(old, "system"), "system sync_to/sync_from has no counterpart")
    retry = dict(data.pop("retry", None) or {})
    if retry:
        enabled = retry.pop("enabled", True)
        out["retry"] = {"max_attempts": retry.pop("max_attempts", 3) if enabled else 1}
        if retry.get("backoff") in ("exponential", "fixed"):
            out["retry"]["backoff"] = retry.pop("backoff")
        report.changed(_at(old, "retry"), "`retry:` converted (transient I/O errors only)")
        _leftovers("retry", retry, report, _at(old, "retry"))
    logging = dict(data.pop("logging", None) or {})
    if logging:
        out["logging"] = {
            "level": str(logging.pop("level", "INFO")).upper(),
            "format": "json" if logging.pop("structured", False) else "text",
        }
        report.changed(_at(old, "logging"), "`logging:` converted")
        _leftovers("logging", logging, report, _at(old, "logging"))
    environments = data.pop("environments", None)
    if environments:
        out["environments"] = environments
        report.unconverted(
            _at(old, "environments"),
            "environments copied as overlays; check that their keys "
            "use the new names (story/system/connections options)",
        )
    for key in ("version", "owner"):
        if data.pop(key, None):
            report.changed(top, f"`{key}` dropped (informational)")
    for key, value in data.items():
        if key != "pipelines" and value not in (None, [], {}):
            report.unconverted(
                _at(old, key), f"project key `{key}` has no counterpart; it was left out"
            )
    pipelines = []
    for pipeline in old.data.get("pipelines", []) or []:
        pipe = substitute(pipeline, variables, Report(), "", old.lines)
        nodes = []
        for node in pipe.get("nodes", []) or []:
            where = old.where(_original(old, pipeline, node))
            converted = convert_node(node, report, where, old.locate)
            if converted is not None:
                flag_dates({k: v for k, v in converted.items() if k != "transform"}, report, where)
                nodes.append(converted)
        entry: dict[str, Any] = {"pipeline": pipe["pipeline"], "nodes": nodes}
        if pipe.get("description"):
            entry["description"] = pipe["description"]
        for key in ("layer", "owner", "tags", "freshness_sla", "auto_cache_threshold"):
            if pipe.get(key):
                report.changed(old.where(pipeline), f"pipeline key `{key}` dropped (informational)")
        pipelines.append(entry)
    out["pipelines"] = pipelines
    shim = None
    if old.transforms is not None:
        from odibi_migrate.shim import shim_source

        shim = shim_source(old.transforms, report)
    return Migration(old, out, report, shim)


def _original(old: OldProject, pipeline: dict[str, Any], node: dict[str, Any]) -> Any:
    for candidate in pipeline.get("nodes", []) or []:
        if candidate.get("name") == node.get("name"):
            return candidate
    return node


def dump_yaml(data: Any) -> str:
    """``data`` as YAML in written order; multi-line strings (SQL) as ``|`` blocks."""
    import yaml

    class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
        """The safe dumper (libyaml's when installed)."""

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True)


def write_migration(migration: Migration, target: Path, *, force: bool) -> list[Path]:
    """Write the new project into ``target``; refuse to overwrite unless ``force``."""
    target.mkdir(parents=True, exist_ok=True)
    files = {
        target / "odibi.yaml": dump_yaml(migration.config),
        target / "MIGRATION.md": migration.report.markdown(migration.old.main),
    }
    if migration.shim is not None:
        files[target / "transforms.py"] = migration.shim
    if not force:
        clashing = [p for p in files if p.exists()]
        if clashing:
            raise FileExistsError(", ".join(str(p.name) for p in clashing))
    written = []
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        written.append(path)
    old = migration.old
    if old.transforms is not None:
        shutil.copyfile(old.transforms, target / "legacy_transforms.py")
    if old.env_file is not None and (force or not (target / ".env").exists()):
        shutil.copyfile(old.env_file, target / ".env")
    return written


def migrate(source: Path) -> Migration:
    """Read and convert the original project at ``source``."""
    return convert_project(read_old_project(source))
