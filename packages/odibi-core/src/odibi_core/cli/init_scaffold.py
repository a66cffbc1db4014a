"""The files ``odibi init`` writes around the example project: README, ``.gitignore``,
``.env.example``, and the project file named after its folder."""

from __future__ import annotations

import json
import re
import shlex
from importlib import resources
from pathlib import Path
from string import Template

PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
"""A project name YAML reads back as the same plain string."""

_PROJECT_LINE = re.compile(r"^project: .*$", re.MULTILINE)
_RUN_COMMENT = re.compile(r"^# Run it with: .*$", re.MULTILINE)


def project_name(directory: Path) -> str:
    """The project name ``odibi init DIRECTORY`` gives: the folder's name, with characters a
    name should not hold (spaces, quotes, slashes) replaced by ``_``."""
    name = directory.resolve().name
    cleaned = re.sub(r"[^\w.\-]", "_", name).strip("._-")
    return cleaned or "odibi_project"


def run_command(directory: Path) -> str:
    """The shell command that runs the new project from where ``init`` was called."""
    shown = str(directory)
    return "odibi run" if shown in ("", ".") else f"cd {shlex.quote(shown)} && odibi run"


def render_project_file(text: str, name: str, command: str) -> str:
    """The template project file with its ``project:`` line and run comment for ``name``."""
    value = (
        name
        if PLAIN_NAME.match(name) and name.lower() not in ("true", "false", "null", "yes", "no")
        else json.dumps(name)
    )
    text = _PROJECT_LINE.sub(lambda _: f"project: {value}", text, count=1)
    return _RUN_COMMENT.sub(lambda _: f"# Run it with:  {command}", text, count=1)


def scaffold_files(name: str) -> dict[str, bytes]:
    """README.md and .gitignore for a project called ``name`` (``.env.example`` is generated from
    the project file by :func:`odibi_core.secrets.inventory.render_template`)."""
    root = resources.files("odibi_core.cli") / "init_files"
    readme = Template((root / "README.md").read_text(encoding="utf-8")).substitute(project=name)
    return {
        "README.md": readme.encode(),
        ".gitignore": (root / "gitignore").read_bytes(),
    }
