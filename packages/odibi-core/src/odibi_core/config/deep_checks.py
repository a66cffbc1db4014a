"""Checks ``odibi validate`` adds to loading: they import user code, parse SQL or look at files.

* every ``function:`` step names a Python step that exists (``transforms.py`` or a plugin);
* every SQL step reads only tables it can see (:mod:`odibi_core.config.sql_tables`);
* every local input file exists: a *warning* here (an earlier run or another tool may create it),
  a failed check in ``odibi doctor``. A file some node of the project writes is not reported.

``odibi run`` does not repeat them: importing sqlglot alone costs more than a small run's whole
fixed cost, and a run reports a missing function or table at the node that needs it.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from odibi_core.config.locations import KeyPath, LocationMap
from odibi_core.config.problems import ERROR, WARNING, Problem, located
from odibi_core.config.project_checks import iter_nodes, iter_pipelines
from odibi_core.config.suggestions import did_you_mean

if TYPE_CHECKING:
    from odibi_core.config.loader import LoadedProject
    from odibi_core.plugins.manager import OdibiPluginManager

LOCAL_CONNECTION = "local"


def function_step_problems(
    data: Any, locations: LocationMap, transforms: Mapping[str, object]
) -> list[Problem]:
    """A problem for every ``function:`` step naming no registered Python step."""
    problems: list[Problem] = []
    for p, pipeline in iter_pipelines(data):
        for n, node in iter_nodes(pipeline):
            transform = node.get("transform")
            steps = transform.get("steps") if isinstance(transform, dict) else None
            for i, step in enumerate(steps if isinstance(steps, list) else []):
                name = (
                    step.get("function") if isinstance(step, dict) and "sql" not in step else None
                )
                if isinstance(name, str) and name not in transforms:
                    known = ", ".join(sorted(transforms)) or "none"
                    problems.append(
                        located(
                            locations,
                            ("pipelines", p, "nodes", n, "transform", "steps", i, "function"),
                            f"unknown Python step {name!r}{did_you_mean(name, transforms)}; "
                            f"defined: {known}",
                            hint="Define it with @transform in transforms.py beside the "
                            "project file.",
                        )
                    )
    return problems


def sql_table_problems(data: Any, locations: LocationMap, pm: OdibiPluginManager) -> list[Problem]:
    """:func:`~odibi_core.config.sql_tables.check_sql_tables` in the project engine's dialect."""
    from odibi_core.errors import PluginError

    engine_name = data.get("engine", "duckdb") if isinstance(data, dict) else "duckdb"
    try:
        spec = pm.engine(str(engine_name))
    except PluginError:
        return []  # reported by the loader
    if spec.sql_dialect is None:
        return []
    from odibi_core.config.sql_tables import check_sql_tables

    return check_sql_tables(
        data, locations, spec.sql_dialect, severity=WARNING if spec.sql_catalog else ERROR
    )


@dataclass(frozen=True)
class MissingInput:
    """A local input file that does not exist (yet).

    Attributes:
        connection: Connection name.
        path: The ``read.path`` as written.
        resolved: Where it was looked for.
        key: Key path of the ``read.path``.
    """

    connection: str
    path: str
    resolved: str
    key: KeyPath


def missing_local_inputs(project: LoadedProject, pm: OdibiPluginManager) -> list[MissingInput]:
    """Every ``read.path`` on a ``local`` connection that matches no file and no node writes."""
    from odibi_core.contracts.connection import FileConnection
    from odibi_core.plugins.types import BuildContext

    config = project.config
    written = {
        (n.write.connection, n.write.path)
        for p in config.pipelines
        for n in p.nodes
        if n.write is not None and n.write.path
    }
    built: dict[str, Any] = {}
    missing: list[MissingInput] = []
    for p, pipeline in enumerate(config.pipelines):
        for n, node in enumerate(pipeline.nodes):
            read = node.read
            if (
                read is None
                or not read.path
                or config.connections[read.connection].type != LOCAL_CONNECTION
            ):
                continue
            if any(c == read.connection and fnmatch.fnmatch(w, read.path) for c, w in written):
                continue
            if read.connection not in built:
                spec = pm.connection(LOCAL_CONNECTION)
                ctx = BuildContext(
                    name=read.connection,
                    project_dir=project.project_dir,
                    project_name=config.project,
                )
                built[read.connection] = spec.factory(
                    project.connection_options[read.connection], ctx
                )
            connection = built[read.connection]
            try:
                found = not isinstance(connection, FileConnection) or connection.exists(read.path)
            except Exception:  # a path the connection refuses is reported by its own check
                found = True
            if not found:
                missing.append(
                    MissingInput(
                        read.connection,
                        read.path,
                        connection.resolve(read.path),
                        ("pipelines", p, "nodes", n, "read", "path"),
                    )
                )
    return missing


def missing_input_problems(project: LoadedProject, pm: OdibiPluginManager) -> list[Problem]:
    """:func:`missing_local_inputs` as warnings."""
    return [
        located(
            project.source.locations,
            m.key,
            f"input {m.path!r} of connection {m.connection!r} does not exist ({m.resolved})",
            severity=WARNING,
        )
        for m in missing_local_inputs(project, pm)
    ]
