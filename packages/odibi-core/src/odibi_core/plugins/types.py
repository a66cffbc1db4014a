"""Typed records that registration hooks return.

A plugin never hands the kernel a bare class: it returns a record saying what the component is
called in YAML, how to build it (a factory that may import heavy SDKs lazily), which pydantic model
validates its YAML section, and one line of description for ``odibi plugins list``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    import typer
    from pydantic import BaseModel

    from odibi_core.config.source import ProjectSource
    from odibi_core.contracts.connection import Connection
    from odibi_core.contracts.engine import Engine
    from odibi_core.contracts.formats import FormatEnginePath, TableFormat
    from odibi_core.contracts.secrets import SecretProvider
    from odibi_core.contracts.state import StateBackend
    from odibi_core.plugins.manager import OdibiPluginManager
    from odibi_core.plugins.options import PluginOptions


def __getattr__(name: str) -> Any:
    # PluginOptions, NoOptions and Secret live in odibi_core.plugins.options (pydantic is imported
    # lazily)
    if name in ("PluginOptions", "NoOptions", "Secret"):
        from odibi_core.plugins import options

        return getattr(options, name)
    raise AttributeError(name)


@dataclass(frozen=True)
class BuildContext:
    """What a factory gets besides its validated options.

    Attributes:
        name: The name the project gave this instance (a connection's key), or the component name.
        project_dir: Folder of the root project file; relative paths resolve against it.
        project_name: The ``project:`` value.
        run_id: The current run id, or ``None`` outside a run (``validate``, ``doctor``).
    """

    name: str
    project_dir: Path
    project_name: str
    run_id: str | None = None


@dataclass(frozen=True)
class StateBuildContext(BuildContext):
    """What a state backend's factory gets besides its validated options.

    The kernel's own ``state:`` keys reach the backend here, at construction; nothing is set on
    a backend after it is built.

    Attributes:
        lock_timeout: Seconds :meth:`~odibi_core.contracts.state.StateBackend.update` waits for
            the state lock by default (``--lock-timeout`` > ``ODIBI_LOCK_TIMEOUT`` > YAML
            ``state.lock_timeout`` > 60).
        history: Runs kept per pipeline (YAML ``state.history``, default 50).
    """

    lock_timeout: float = 60.0
    history: int = 50


class _OptionsModelOf:
    """What the specs with a ``config_model`` share: resolving it."""

    name: str
    config_model: type[PluginOptions] | str | None

    def options_model(self) -> type[PluginOptions] | None:
        """``config_model``, imported now if it is a ``"module:Class"`` reference (see
        :mod:`odibi_core.plugins.options_ref`).

        Raises:
            PluginError: the reference cannot be loaded or names no options model.
        """
        from odibi_core.plugins.options_ref import resolve_options_model

        kind = type(self).__name__.removesuffix("Spec").lower()
        return resolve_options_model(self.config_model, what=f"{kind} {self.name!r}")


@dataclass(frozen=True)
class EngineSpec(_OptionsModelOf):
    """Registers an engine under ``name`` (the YAML ``engine:`` value).

    Attributes:
        name: YAML name, e.g. ``"duckdb"``.
        factory: ``factory(options, context) -> Engine``; import the engine's SDK inside it.
        config_model: Validates ``engine_options:`` (``None``: the engine takes no options);
            the model, or a ``"module:Class"`` reference imported only when a project uses the
            engine. Read it through :meth:`options_model`.
        description: One line for ``odibi plugins list``.
        capabilities: Features the engine supports (``"python_steps"``, ``"sql"``, ...); a project
            that needs a missing one fails at validate time.
        sql_dialect: The sqlglot dialect of the engine's SQL (``"duckdb"``, ``"spark"``), used by
            ``odibi validate`` to find the tables each SQL step reads; ``None`` skips that check.
        sql_catalog: Whether SQL steps may also read tables of the engine's own catalog (a
            metastore): a table that is no upstream node is then a warning, not an error.
    """

    name: str
    factory: Callable[[Any, BuildContext], Engine]
    config_model: type[PluginOptions] | str | None = None
    description: str = ""
    capabilities: frozenset[str] = frozenset({"sql", "python_steps", "files", "arrow"})
    sql_dialect: str | None = "duckdb"
    sql_catalog: bool = False


@dataclass(frozen=True)
class ConnectionSpec(_OptionsModelOf):
    """Registers a connection type under ``name`` (the YAML ``connections.<x>.type`` value).

    Attributes:
        name: YAML type, e.g. ``"local"`` or ``"postgres"``.
        factory: ``factory(options, context) -> Connection``.
        config_model: Validates the connection's keys other than ``type``: the model, or a
            ``"module:Class"`` reference imported only when a project uses the connection type.
            Read it through :meth:`options_model`.
        description: One line for ``odibi plugins list``.
        engine_capabilities: What the run's engine must support to use this connection (e.g.
            ``"hadoop_fs"``); a project pairing it with an engine that lacks one fails at validate
            time.
    """

    name: str
    factory: Callable[[Any, BuildContext], Connection]
    config_model: type[PluginOptions] | str | None = None
    description: str = ""
    engine_capabilities: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StateBackendSpec(_OptionsModelOf):
    """Registers a state backend under ``name`` (the YAML ``state.backend`` value).

    Attributes:
        name: YAML name, e.g. ``"local"`` or ``"azure_blob"``.
        factory: ``factory(options, context) -> StateBackend``; ``context`` is a
            :class:`StateBuildContext` (pass its ``lock_timeout`` and ``history`` to the backend).
        config_model: Validates the ``state:`` keys other than the kernel's ``backend``,
            ``lock_timeout`` and ``history``: the model, or a ``"module:Class"`` reference
            imported only when a project uses the backend. Read it through
            :meth:`options_model`.
        description: One line for ``odibi plugins list``.
    """

    name: str
    factory: Callable[[Any, StateBuildContext], StateBackend]
    config_model: type[PluginOptions] | str | None = None
    description: str = ""


@dataclass(frozen=True)
class SecretProviderSpec:
    """Registers a secret provider under ``name`` (an entry of ``secrets.providers``).

    Attributes:
        name: YAML name, e.g. ``"env"``, ``"dotenv"``, ``"vault"``.
        factory: ``factory(context) -> SecretProvider``.
        description: One line for ``odibi plugins list``.
    """

    name: str
    factory: Callable[[BuildContext], SecretProvider]
    description: str = ""


@dataclass(frozen=True)
class TransformSpec:
    """Registers a Python transform step under ``name`` (a ``function:`` step's value).

    Usually built by the :func:`odibi_core.transform` decorator rather than by hand.

    Attributes:
        name: The step name used in YAML.
        func: The function; first argument is the current frame, keyword arguments are ``params``.
        frame: What the function receives: ``"native"`` (the engine's own frame type),
            ``"pandas"``, ``"arrow"`` (a ``pyarrow.Table``).
        description: One line (defaults to the docstring's first line).
    """

    name: str
    func: Callable[..., Any]
    frame: str = "native"
    description: str = ""


@dataclass(frozen=True)
class TransformerContext:
    """What a transformer's ``render`` gets besides its validated params.

    Attributes:
        dialect: SQL dialect of the run's engine (``"duckdb"``, ``"spark"``...); render for it.
        current: Table name of the node's current frame (``"this"``), or ``None`` when the
            node has no current frame (several inputs and no read).
        inputs: Table names of the node's upstream nodes, usable in the SQL.
        target: Table name under which the node's write target is visible (``"target"``) for
            transformers with ``target_capability``; ``None`` when the target does not exist yet.
        columns: Column names of every table above, by table name, in order.
        column_types: The engine's type names of those columns, in the same order.
    """

    dialect: str
    current: str | None
    inputs: tuple[str, ...] = ()
    target: str | None = None
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    column_types: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class TransformerSpec:
    """Registers a built-in transformer under ``name`` (a ``- transformer: NAME`` step).

    A transformer is a typed, validated recipe that produces one SQL query; the engine runs that
    query like any SQL step, so every engine gives the same rows.

    Attributes:
        name: The step name used in YAML.
        params_model: Validates the step's ``params:`` (unknown keys are errors).
        render: ``render(params, context) -> str``: the SQL, in ``context.dialect``.
        description: One line for the reference and ``odibi plugins list``.
        group: Heading it is listed under in the reference (``"columns"``, ``"rows"``...).
        example: A YAML snippet of the step, shown in the reference.
        target_capability: ``None`` for a plain transformer. A name such as ``"scd2"`` means the
            transformer reads the node's write target (the table is ``context.target``) and
            rewrites it, so the write must go to a connection and format that declares this
            capability (:class:`WriteCapabilitySpec`); other targets fail at validate time.
    """

    name: str
    params_model: type[BaseModel]
    render: Callable[[Any, TransformerContext], str]
    description: str = ""
    group: str = "other"
    example: str = ""
    target_capability: str | None = None


@dataclass(frozen=True)
class WriteCapabilitySpec:
    """Declares what a connection type (and file format) can do as a write target.

    Attributes:
        name: Unique record name, e.g. ``"postgres"`` or ``"local+delta"``.
        connection_type: The connection ``type:`` it applies to.
        formats: ``write.format`` values it applies to; empty for table connections.
        capabilities: What the target supports: ``"upsert"`` (``mode: upsert``), ``"scd2"``
            (history rewrites by the ``scd2`` transformer), ``"merge"``...
        description: One line for the docs and error messages.
    """

    name: str
    connection_type: str
    formats: frozenset[str] = frozenset()
    capabilities: frozenset[str] = frozenset()
    description: str = ""


@dataclass(frozen=True)
class CliCommandSpec:
    """Adds ``odibi <name> ...``: a Typer sub-app (a command group) or a single command.

    The builtin commands (``run``, ``validate``, ``doctor``...) are registered through the same
    hook, so a plugin command with a builtin's name is a conflict naming both distributions.

    Attributes:
        name: Sub-command name; unique across every plugin, builtins included.
        app_factory: Returns a ``typer.Typer`` app (mounted as a group) or a plain function
            (mounted as one command, its parameters declared with ``typer.Option``/``Argument``);
            it is called only when the command line may need it, so build it lazily.
        help: One line shown in ``odibi --help``.
    """

    name: str
    app_factory: Callable[[], typer.Typer | Callable[..., Any]]
    help: str = ""


@dataclass(frozen=True)
class DoctorContext:
    """What ``odibi_doctor_checks`` implementations get.

    Attributes:
        plugin_manager: The plugin manager ``odibi doctor`` built (the project's plugin settings
            applied).
        source: The project's parsed files (``None`` when ``odibi doctor`` checks no project).
        source_problem: Why the project file could not be read, if it could not.
        project_given: ``True`` if a project was named on the command line.
        environment: The ``--env`` overlay, if any.
    """

    plugin_manager: OdibiPluginManager
    source: ProjectSource | None = None
    source_problem: str | None = None
    project_given: bool = False
    environment: str | None = None


DOCTOR_STATUSES = ("ok", "info", "warn", "fail")
"""What a :class:`DoctorCheck` line may say; only ``fail`` makes ``odibi doctor`` exit non-zero."""


@dataclass(frozen=True)
class DoctorCheck:
    """One line of ``odibi doctor`` output contributed by a plugin (``odibi_doctor_checks``).

    Attributes:
        section: Heading it belongs to, e.g. ``"telemetry"``.
        name: What was checked.
        ok: ``False`` makes ``odibi doctor`` exit non-zero.
        detail: Human-readable result (already free of secrets).
        data: Machine-readable details for ``--json``.
        status: One of :data:`DOCTOR_STATUSES` for a finer line (``info``, ``warn``); ``None``
            means ``ok`` or ``fail`` from ``ok``. ``ok`` must agree (``False`` only with ``fail``).
    """

    section: str
    name: str
    ok: bool
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    status: str | None = None

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in DOCTOR_STATUSES:
            raise ValueError(
                f"unknown doctor status {self.status!r}; expected one of {DOCTOR_STATUSES}"
            )
        if self.status is not None and (self.status == "fail") == self.ok:
            raise ValueError(
                f"doctor check {self.name!r}: ok={self.ok} contradicts status {self.status!r}"
            )

    @property
    def level(self) -> str:
        """The line's status: ``status``, else ``ok`` or ``fail``."""
        return self.status or ("ok" if self.ok else "fail")


@dataclass(frozen=True)
class FormatSpec:
    """Registers a table format under ``name`` (a ``read.format`` / ``write.format`` value).

    Attributes:
        name: YAML format, e.g. ``"delta"``; may not be ``csv``, ``parquet`` or ``json``.
        factory: ``factory() -> TableFormat``; import the format's library inside it.
        read_options: Validates ``read.options`` of a node using the format.
        write_options: Validates ``write.options`` of a node using the format; validated with
            the context ``{"mode": ..., "keys": [...]}`` of the node's write, so a model
            validator can refuse options that do not fit the mode.
        description: One line for ``odibi plugins list``.
        write_modes: The ``write.mode`` values the format supports.
        engine_paths: Engine name -> factory of a
            :class:`~odibi_core.contracts.formats.FormatEnginePath`, the engine's own support
            for the format, used instead of the Arrow interchange on that engine.
        target_capabilities: What a table of this format can do as a write target beyond its
            modes, e.g. ``"scd2"`` (the ``scd2`` transformer reads the table and replaces it).
            ``upsert`` and ``merge`` in ``write_modes`` count as capabilities too.
    """

    name: str
    factory: Callable[[], TableFormat]
    read_options: type[PluginOptions] | None = None
    write_options: type[PluginOptions] | None = None
    description: str = ""
    write_modes: frozenset[str] = frozenset({"overwrite", "append", "error"})
    engine_paths: dict[str, Callable[[], FormatEnginePath]] = field(default_factory=dict)
    target_capabilities: frozenset[str] = frozenset()
