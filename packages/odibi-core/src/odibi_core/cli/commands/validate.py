"""``odibi validate``: every problem of a project in one pass, sorted by file and line.

It loads the project exactly as ``odibi run`` does (YAML, imports, environment, references,
models, graph, plugin sections), then checks what only validation pays for: Python steps exist,
SQL steps read only tables they can see, local input files exist (warnings). Nothing is read,
written or recorded.

``--json`` prints one object (also when the project is invalid; the exit code is the same)::

    {
      "project": "odibi.yaml",          // the root file as given
      "environment": null,              // --env, if any
      "valid": false,                   // no problem of severity "error"
      "summary": {"pipelines": 1, "nodes": 4, "engine": "duckdb"},   // null unless it loaded
      "files": ["odibi.yaml", "common.yaml"],                         // every file read
      "problems": [                     // errors and warnings, sorted by file, then line
        {"severity": "error", "file": "odibi.yaml", "line": 12,
         "key": "pipelines[0].nodes[1].transform.steps[0].sql",
         "message": "unknown table 'enrichd' (did you mean 'enriched'?); this step sees: ...",
         "exit_code": 3}
      ]
    }
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import typer

from odibi_core.cli.context import PROJECT_ARG, configure_logging_for, echo, echo_json
from odibi_core.config.problems import ERROR, Problem

ENV_OPT = typer.Option(
    None, "--env", "-e", metavar="NAME", help="Overlay environments.NAME from the project file."
)


@dataclass
class Validation:
    """What ``odibi validate`` found.

    Attributes:
        problems: Errors and warnings (sorted when reported).
        files: Every file read, root first.
        summary: Pipelines, nodes and engine of a project that loaded, else ``None``.
    """

    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    summary: dict[str, Any] | None = None

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity ``error``."""
        return [p for p in self.problems if p.severity == ERROR]


def validate(
    project: str | None = PROJECT_ARG,
    env: str | None = ENV_OPT,
    as_json: bool = typer.Option(
        False, "--json", help="Print every problem as JSON (shape: the guide Validating a project)."
    ),
) -> None:
    """Check a project without touching data or state; report every problem, sorted by file:line."""
    from odibi_core.config.problems import problems_error, problems_of, sort_problems
    from odibi_core.errors import OdibiError

    found = Validation()
    try:
        validate_project(project, env, found)
    except OdibiError as exc:
        found.problems += problems_of(exc)
    ordered = sort_problems(found.problems, found.files)
    if as_json:
        echo_json(
            {
                "project": found.files[0] if found.files else (project or "odibi.yaml"),
                "environment": env,
                "valid": not found.errors,
                "summary": found.summary,
                "files": found.files,
                "problems": [p.as_dict() for p in ordered],
            }
        )
    else:
        for problem in ordered:
            if problem.severity != ERROR:
                echo(f"{problem.severity}: {problem.text}", err=True)
    if found.errors:
        raise problems_error(found.errors, found.files)
    if not as_json and found.summary is not None:
        s = found.summary
        echo(
            f"{found.files[0]}: valid ({s['pipelines']} pipeline(s), {s['nodes']} node(s), "
            f"engine {s['engine']})"
        )


def validate_project(project: str | None, environment: str | None, found: Validation) -> None:
    """Fill ``found`` with every problem of the project; raises only when nothing more can be "
    "checked."""
    from odibi_core.config.deep_checks import (
        function_step_problems,
        missing_input_problems,
        sql_table_problems,
    )
    from odibi_core.config.loader import check_project, read_project_source
    from odibi_core.config.problems import from_error
    from odibi_core.errors import ConfigError, PluginError
    from odibi_core.plugins.manager import create_plugin_manager
    from odibi_core.transforms import load_project_transforms

    source = read_project_source(project, environment=environment, defer_problems=True)
    found.files = source.files
    configure_logging_for(source)
    pm = create_plugin_manager(source.plugin_settings())
    try:
        pm.check_conflicts()
    except PluginError as exc:
        found.problems.append(from_error(exc))
    checked = check_project(source, pm)
    found.problems += checked.problems
    try:
        transforms = {
            **{n: r.spec for n, r in pm.transforms().items()},
            **load_project_transforms(source.project_dir),
        }
    except (ConfigError, PluginError) as exc:
        found.problems.append(from_error(exc))
    else:
        found.problems += function_step_problems(checked.resolved, source.locations, transforms)
    found.problems += sql_table_problems(checked.resolved, source.locations, pm)
    loaded = checked.project
    if loaded is None or found.errors:
        return
    from odibi_core.execution.runner import ProjectRunner, RunOptions

    plans = ProjectRunner(loaded, pm, RunOptions()).plans()
    found.problems += missing_input_problems(loaded, pm)
    found.summary = {
        "pipelines": len(plans),
        "nodes": sum(len(p.nodes) for p in plans),
        "engine": loaded.config.engine,
    }
