"""``odibi plugins new KIND NAME``: write a plugin distribution that passes its contract suite.

The generated folder is a complete distribution: ``pyproject.toml`` (hatchling, the entry point in
the ``odibi.plugins`` group), a ``src/`` package with the hook module, an options model and a small
working implementation, tests that subclass the kind's contract suite from
:mod:`odibi_core.testing`, a ``README.md`` and a docs page. Templates are package data files under
``odibi_core/cli/scaffold/templates/`` (``common/`` plus one folder per kind), filled with
``string.Template`` (``$name`` placeholders; a literal dollar is ``$$``).

Naming rule: ``NAME`` is the name the YAML uses (``type: NAME``, ``engine: NAME`` ...). The
distribution is ``odibi-<prefix>-<NAME with - for _>`` and the import package
``odibi_<prefix>_<NAME>``, where the prefix follows the project's own packages: ``engine``,
``connector`` (connections), ``state``, ``secrets``, ``lifecycle``.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from odibi_core.errors import UsageError

KIND_PREFIXES: dict[str, str] = {
    "engine": "engine",
    "connection": "connector",
    "state": "state",
    "secrets": "secrets",
    "lifecycle": "lifecycle",
}
"""Kinds ``odibi plugins new`` scaffolds, and the distribution prefix of each."""

RESERVED_NAMES: dict[str, frozenset[str]] = {
    "engine": frozenset({"duckdb", "pandas", "spark"}),
    "connection": frozenset({"local", "postgres", "hadoop", "azure_blob", "azure_adls"}),
    "state": frozenset({"local", "azure_blob"}),
    "secrets": frozenset({"env", "dotenv"}),
    "lifecycle": frozenset(),
}
"""Names the project's own plugins register; a second registration would conflict at load."""


@dataclass(frozen=True)
class KindDetails:
    """What the common templates say about one kind.

    Attributes:
        description: One line (the distribution's description and ``plugins list``).
        dependencies: Requirements besides ``odibi-core``.
        yaml_example: How a project uses the plugin (``$$name`` is replaced).
        options_doc: The docs page's configuration notes.
        behaviour_doc: The docs page's behaviour notes.
        pytest_options: Extra lines of ``[tool.pytest.ini_options]``.
    """

    description: str
    dependencies: tuple[str, ...]
    yaml_example: str
    options_doc: str
    behaviour_doc: str
    pytest_options: str = ""


KIND_DETAILS: dict[str, KindDetails] = {
    "engine": KindDetails(
        "the builtin DuckDB engine under a new name, a starting point for a new engine",
        (),
        "engine: $name\nengine_options: {threads: 2}",
        "`engine_options` are those of the builtin `duckdb` engine until you give the engine "
        "its own model.",
        "Every operation is DuckDB's; the engine contract suite in `tests/test_contract.py` pins "
        "what a new implementation must keep.",
        # DuckDB's engine fetches a few rows from executed statements on purpose (schemas, samples)
        'filterwarnings = ["ignore:Arrow output on a DB-API result:UserWarning"]\n',
    ),
    "connection": KindDetails(
        "tables as JSON-lines files in a folder",
        (),
        "connections:\n  store: {type: $name, path: tables}   # tables/<table>.jsonl",
        "- `path` (required): the folder; relative to the project file's folder.\n"
        "- `batch_rows` (default 10000): most rows in one Arrow batch.",
        "Reads `read.table` (no queries), writes `write.table` in modes overwrite, append and "
        "error. Writes are atomic (temporary file and rename). The first line of a written file "
        "records the column types.",
    ),
    "state": KindDetails(
        "a JSON state file with sidecar file locks and atomic writes",
        ("portalocker>=2.8",),
        "state: {backend: $name, path: .odibi/$name-state.json}",
        "- `path` (default `.odibi/$name-state.json`): the state file, relative to the project "
        "file's folder; lock files sit beside it.",
        "Every update is a read-modify-write under the state lock; the file is replaced "
        "atomically. A lock is released by the operating system when its holder exits.",
    ),
    "secrets": KindDetails(
        "secrets from a JSON file of name to value",
        (),
        "secrets: {providers: [$name, env]}   # then $${secret:NAME} anywhere",
        "The file is `secrets.$name.json` beside the project file, or the path in the environment "
        "variable `ODIBI_${NAME}_SECRETS_FILE`.",
        "An unknown name falls through to the next provider; a malformed file is refused without "
        "quoting it.",
    ),
    "lifecycle": KindDetails(
        "logs how long every node and pipeline run takes",
        (),
        "# no YAML: installed lifecycle plugins wrap every run\n"
        "# odibi --log-level INFO run odibi.yaml",
        "`ODIBI_${NAME}_SLOW_SECONDS`: nodes slower than this are logged as warnings.",
        "Wraps `odibi_run_node` and `odibi_run_pipeline`; it never changes a result.",
    ),
}
"""Per-kind text for the common templates."""

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
"""A plugin NAME: lower case letters, digits and ``_``, starting with a letter, at most 40."""

TEMPLATE_ROOT = Path(__file__).parent / "templates"
TEMPLATE_SUFFIX = ".tmpl"


@dataclass(frozen=True)
class PluginNames:
    """Every name derived from ``odibi plugins new KIND NAME``.

    Attributes:
        kind: One of :data:`KIND_PREFIXES`.
        name: The YAML name.
        distribution: The distribution (``pip install``) name.
        package: The import package.
        class_prefix: ``name`` in CamelCase, for class names.
        entry_point: The entry point's name in the ``odibi.plugins`` group.
    """

    kind: str
    name: str
    distribution: str
    package: str
    class_prefix: str
    entry_point: str

    @classmethod
    def of(cls, kind: str, name: str) -> PluginNames:
        """Validate ``kind`` and ``name`` and derive the other names.

        Raises:
            UsageError: an unknown kind, or a name that is not a valid plugin name.
        """
        if kind not in KIND_PREFIXES:
            raise UsageError(
                f"unknown plugin kind {kind!r}; choose one of {', '.join(KIND_PREFIXES)}"
            )
        if (
            not NAME_PATTERN.match(name)
            or keyword.iskeyword(name)
            or name.endswith("_")
            or "__" in name
        ):
            raise UsageError(
                f"invalid plugin name {name!r}: use lower case letters, digits and single '_' "
                "(starting with a letter, at most 40 characters), e.g. 'jsonl' or 'my_store'",
                hint="NAME is what projects write in YAML, e.g. `type: NAME` for a connection.",
            )
        if name in RESERVED_NAMES[kind]:
            raise UsageError(
                f"{kind} name {name!r} is already registered by an Odibi package; choose another"
            )
        prefix = KIND_PREFIXES[kind]
        return cls(
            kind=kind,
            name=name,
            distribution=f"odibi-{prefix}-{name.replace('_', '-')}",
            package=f"odibi_{prefix}_{name}",
            class_prefix="".join(part.capitalize() for part in name.split("_")),
            entry_point=f"{prefix}-{name.replace('_', '-')}",
        )

    def variables(self) -> dict[str, str]:
        """The ``$placeholders`` templates may use."""
        from odibi_core import __version__

        major, minor = (int(p) for p in __version__.split(".")[:2])
        details = KIND_DETAILS[self.kind]
        names = {"name": self.name, "NAME": self.name.upper()}
        requirements = [f"odibi-core>={major}.{minor},<{major}.{minor + 1}", *details.dependencies]
        return {
            "NAME": self.name.upper(),
            "description": details.description,
            "Description": details.description[:1].upper() + details.description[1:],
            "dependencies": ", ".join(f'"{r}"' for r in requirements),
            "yaml_example": Template(details.yaml_example).substitute(names),
            "options_doc": Template(details.options_doc).substitute(names),
            "behaviour_doc": details.behaviour_doc,
            "pytest_options": details.pytest_options,
            "kind": self.kind,
            "name": self.name,
            "dist": self.distribution,
            "package": self.package,
            "Class": self.class_prefix,
            "entry_point": self.entry_point,
        }


def template_files(kind: str) -> list[tuple[Path, Path]]:
    """``(template file, relative output path with placeholders)`` for ``kind``; kind files win."""
    chosen: dict[Path, Path] = {}
    for folder in (TEMPLATE_ROOT / "common", TEMPLATE_ROOT / kind):
        for source in sorted(folder.rglob(f"*{TEMPLATE_SUFFIX}")):
            relative = source.relative_to(folder)
            chosen[relative.with_name(relative.name[: -len(TEMPLATE_SUFFIX)])] = source
    return [(source, relative) for relative, source in sorted(chosen.items())]


def scaffold(kind: str, name: str, directory: Path) -> Path:
    """Write the distribution for plugin ``name`` of ``kind`` into a new folder under ``directory``.

    Returns:
        The new folder (``directory / <distribution>``).

    Raises:
        UsageError: an invalid kind or name, or the folder already exists (nothing is overwritten).
    """
    names = PluginNames.of(kind, name)
    target = directory / names.distribution
    if target.exists():
        raise UsageError(
            f"{target} already exists; nothing was written",
            hint="Choose another NAME or --dir, or remove the folder first.",
        )
    values = names.variables()
    rendered: list[tuple[Path, str]] = []
    for source, relative in template_files(kind):  # render everything before writing anything
        path = Path(Template(str(relative)).substitute(values))
        rendered.append((path, Template(source.read_text(encoding="utf-8")).substitute(values)))
    try:
        directory.mkdir(parents=True, exist_ok=True)
        target.mkdir()
    except OSError as exc:
        raise UsageError(f"cannot create {target}: {exc.strerror}") from None
    for path, text in rendered:
        out = target / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return target
