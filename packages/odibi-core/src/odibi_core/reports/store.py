"""Where reports live: ``<folder>/<pipeline>/<run id>.json`` and ``.html``; listing and retention.

A report file is never overwritten: it is written to a temporary name and hard-linked to its
final name, which fails if that name exists. Run ids begin with their UTC start time
(``20260101T120000Z-1a2b3c4d``), so the newest report sorts last and its age is known without
opening it (a file whose name carries no time falls back to its modification time).
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from odibi_core.errors import OdibiError, UsageError

if TYPE_CHECKING:
    from odibi_core.config.models import ReportsConfig

RUN_ID_TIME = re.compile(r"^(\d{8}T\d{6}Z)")
LATEST = "latest"
"""A run id argument that means the newest report."""


class ReportError(OdibiError):
    """A report could not be written or read (the run itself is never failed by it)."""

    default_hint = (
        "Check the `reports:` section of the project file and that its folder is writable."
    )


@dataclass(frozen=True)
class ReportEntry:
    """One stored report.

    Attributes:
        pipeline: Pipeline the run belongs to.
        run_id: The run id (the files' stem).
        json_path: The JSON report.
        html_path: The HTML report.
        created: When the run started (from the run id), else the file's modification time.
        written_ns: Modification time of the JSON file (orders runs started in the same second).
    """

    pipeline: str
    run_id: str
    json_path: Path
    html_path: Path
    created: datetime
    written_ns: int = 0

    def load(self) -> dict[str, Any]:
        """The JSON report as data."""
        try:
            data = json.loads(self.json_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ReportError(
                f"cannot read report {self.json_path}: {type(exc).__name__}: {exc}"
            ) from None
        if not isinstance(data, dict):
            raise ReportError(f"{self.json_path} is not a run report")
        return data


def reports_dir(project_dir: Path, settings: ReportsConfig) -> Path:
    """The reports folder (absolute): ``settings.path`` relative to the project file's folder."""
    path = Path(os.path.expanduser(settings.path))
    return (path if path.is_absolute() else project_dir / path).resolve()


def pipeline_folder(name: str) -> str:
    """Folder name of a pipeline's reports (pipeline names are already file-name safe)."""
    return name if name not in (".", "..") else name.replace(".", "_")


class ReportStore:
    """The reports under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, pipeline: str, run_id: str, json_text: str, html_text: str) -> ReportEntry:
        """Write both files of a new report; a report of the same run id is never replaced."""
        folder = self.root / pipeline_folder(pipeline)
        folder.mkdir(parents=True, exist_ok=True)
        entry = ReportEntry(
            pipeline,
            run_id,
            folder / f"{run_id}.json",
            folder / f"{run_id}.html",
            _created(run_id, None),
        )
        _write_new(entry.json_path, json_text)
        _write_new(entry.html_path, html_text)
        return entry

    def entries(self, pipeline: str | None = None) -> list[ReportEntry]:
        """Stored reports, oldest first (optionally of one pipeline)."""
        if not self.root.is_dir():
            return []
        found: list[ReportEntry] = []
        folders = (
            [self.root / pipeline_folder(pipeline)] if pipeline else sorted(self.root.iterdir())
        )
        for folder in folders:
            if not folder.is_dir():
                continue
            for path in folder.glob("*.json"):
                if path.name.startswith("."):
                    continue
                try:
                    written = path.stat().st_mtime_ns
                except OSError:  # deleted meanwhile (a concurrent prune)
                    continue
                found.append(
                    ReportEntry(
                        folder.name,
                        path.stem,
                        path,
                        path.with_suffix(".html"),
                        _created(path.stem, path),
                        written,
                    )
                )
        return sorted(found, key=lambda e: (e.created, e.written_ns, e.run_id))

    def find(self, run_id: str) -> ReportEntry:
        """The report of ``run_id``: exact id, a unique prefix of one, or ``latest``."""
        entries = self.entries()
        if not entries:
            raise UsageError(
                f"no run reports in {self.root}",
                hint="Reports are written after every `odibi run`.",
            )
        if run_id == LATEST:
            return entries[-1]
        exact = [e for e in entries if e.run_id == run_id]
        matches = exact or [e for e in entries if e.run_id.startswith(run_id)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UsageError(
                f"no run report {run_id!r} in {self.root}",
                hint="`odibi story list` shows the stored reports.",
            )
        names = ", ".join(e.run_id for e in matches[:5])
        raise UsageError(
            f"run id {run_id!r} is ambiguous: {names}{' ...' if len(matches) > 5 else ''}"
        )

    def prune(
        self,
        pipeline: str,
        *,
        keep_last: int | None,
        max_age_days: float | None,
        protect: str | None = None,
        now: datetime | None = None,
    ) -> list[ReportEntry]:
        """Delete ``pipeline``'s reports beyond the newest ``keep_last`` or older than
        ``max_age_days``.

        ``protect`` (the run just reported) is never deleted. Returns what was deleted.
        """
        entries = self.entries(pipeline)
        now = now or datetime.now(timezone.utc)
        doomed: list[ReportEntry] = []
        if keep_last is not None and len(entries) > keep_last:
            doomed += entries[: len(entries) - keep_last]
        if max_age_days is not None:
            cutoff = max_age_days * 86400
            doomed += [
                e for e in entries if (now - e.created).total_seconds() > cutoff and e not in doomed
            ]
        deleted = []
        for entry in doomed:
            if entry.run_id == protect:
                continue
            for path in (entry.json_path, entry.html_path):
                path.unlink(missing_ok=True)
            deleted.append(entry)
        return deleted


def _created(run_id: str, path: Path | None) -> datetime:
    match = RUN_ID_TIME.match(run_id)
    if match:
        return datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    mtime = path.stat().st_mtime if path is not None and path.exists() else time.time()
    return datetime.fromtimestamp(mtime, timezone.utc)


def _write_new(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` complete or not at all, failing if ``path`` exists."""
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        with open(tmp, "x", encoding="utf-8") as handle:
            handle.write(text)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise ReportError(f"a report already exists at {path}; it was left as it was") from None
        except OSError:  # a file system without hard links
            if path.exists():
                raise ReportError(
                    f"a report already exists at {path}; it was left as it was"
                ) from None
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
