"""Hook specifications: the whole plugin API of Odibi.

A plugin is any object or module with functions named like these hooks and decorated with
:data:`hookimpl`. Third-party plugins are found through the ``odibi.plugins`` entry-point group::

    [project.entry-points."odibi.plugins"]
    my_plugin = "my_package.plugin"

Registration hooks (``odibi_engines``, ``odibi_connections``, ``odibi_formats``,
``odibi_state_backends``, ``odibi_secret_providers``, ``odibi_transforms``, ``odibi_transformers``,
``odibi_write_capabilities``, ``odibi_cli_commands``, ``odibi_doctor_checks``)
return lists of typed records from :mod:`odibi_core.plugins.types`; every plugin's records are
collected. The kernel's own builtins (engines, connections, secret providers, CLI commands, doctor
checks, run reports) are registered through these same hooks.

Lifecycle hooks the kernel executes (``odibi_run_pipeline``, ``odibi_run_node``) may only be
implemented as pluggy wrappers (``@hookimpl(wrapper=True)``) around the kernel's own
implementation, which does the work; they are ``firstresult`` only because exactly one
implementation (the kernel's) produces the result. A plugin with a plain implementation of either
is refused at load (``failed`` in ``odibi plugins list --all``): it would silently replace the
kernel's execution. ``odibi_run_finished`` is an ordinary hook every reporter implements.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from odibi_core.contracts.lifecycle import (
        FinishedRun,
        NodeResult,
        NodeRunContext,
        PipelineRunContext,
        RunResult,
    )
    from odibi_core.plugins.types import (
        CliCommandSpec,
        ConnectionSpec,
        DoctorCheck,
        DoctorContext,
        EngineSpec,
        FormatSpec,
        SecretProviderSpec,
        StateBackendSpec,
        TransformerSpec,
        TransformSpec,
        WriteCapabilitySpec,
    )

PROJECT_NAME = "odibi"
"""pluggy project name (the marker name)."""

ENTRY_POINT_GROUP = "odibi.plugins"
"""The one entry-point group every Odibi plugin registers under."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
"""Marks a hook specification (kernel use)."""

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Marks a hook implementation; import it as ``from odibi_core import hookimpl``."""


class OdibiHookSpecs:
    """Every hook a plugin may implement. Hook names all start with ``odibi_``."""

    # --- registration -----------------------------------------------------------------------

    @hookspec
    def odibi_engines(self) -> list[EngineSpec]:
        """Register engines (the YAML ``engine:`` value).

        Returns:
            A list of :class:`~odibi_core.plugins.types.EngineSpec`.

        Example::

            from odibi_core.plugin import EngineSpec, PluginOptions, hookimpl

            class PolarsOptions(PluginOptions):
                streaming: bool = False

            def _make(options: PolarsOptions, ctx):
                from my_polars_engine.engine import PolarsEngine  # heavy import, lazily
                return PolarsEngine(options)

            @hookimpl
            def odibi_engines():
                return [EngineSpec("polars", _make, PolarsOptions, "Polars in-process engine")]
        """

    @hookspec
    def odibi_connections(self) -> list[ConnectionSpec]:
        """Register connection types (the YAML ``connections.<name>.type`` value).

        Returns:
            A list of :class:`~odibi_core.plugins.types.ConnectionSpec`.

        Example::

            from pydantic import SecretStr
            from odibi_core.plugin import ConnectionSpec, PluginOptions, hookimpl

            class HttpOptions(PluginOptions):
                url: str
                token: SecretStr

            def _make(options: HttpOptions, ctx):
                from my_http.connection import HttpConnection
                return HttpConnection(ctx.name, options)

            @hookimpl
            def odibi_connections():
                return [ConnectionSpec("http", _make, HttpOptions, "JSON over HTTP")]
        """

    @hookspec
    def odibi_formats(self) -> list[FormatSpec]:
        """Register table formats (a ``format:`` value beyond ``csv``, ``parquet``, ``json``).

        A format reads and writes Arrow record batches under a file connection, so it works on
        every engine; ``engine_paths`` may add an engine's own implementation.

        Returns:
            A list of :class:`~odibi_core.plugins.types.FormatSpec`.

        Example::

            from odibi_core.plugin import FormatSpec, PluginOptions, TableFormat, hookimpl

            class FeatherReadOptions(PluginOptions):
                columns: list[str] | None = None

            class Feather(TableFormat):
                name = "feather"

                def read_arrow(self, connection, request):
                    import pyarrow.feather as feather
                    columns = (request.options or {}).get("columns")
                    table = feather.read_table(connection.resolve(request.path), columns=columns)
                    return table.to_reader()

                def write_arrow(self, reader, connection, request):
                    import pyarrow.feather as feather
                    staging = connection.staging_path(request.path)
                    table = reader.read_all()
                    feather.write_feather(table, staging)
                    connection.publish(staging, request.path)
                    return table.num_rows

            @hookimpl
            def odibi_formats():
                return [FormatSpec("feather", Feather, FeatherReadOptions, None, "Arrow IPC files")]
        """

    @hookspec
    def odibi_state_backends(self) -> list[StateBackendSpec]:
        """Register state backends (the YAML ``state.backend`` value).

        Returns:
            A list of :class:`~odibi_core.plugins.types.StateBackendSpec`.

        Example::

            from odibi_core.plugin import PluginOptions, StateBackendSpec, hookimpl

            class S3Options(PluginOptions):
                bucket: str
                key: str = "odibi/state.json"

            def _make(options: S3Options, ctx):  # ctx: StateBuildContext
                from my_s3_state.backend import S3StateBackend  # a DocumentStateBackend
                return S3StateBackend(options, project=ctx.project_name, run_id=ctx.run_id,
                                      lock_timeout=ctx.lock_timeout, history_limit=ctx.history)

            @hookimpl
            def odibi_state_backends():
                return [StateBackendSpec("s3", _make, S3Options, "State in an S3 object")]
        """

    @hookspec
    def odibi_secret_providers(self) -> list[SecretProviderSpec]:
        """Register secret providers (entries of ``secrets.providers``).

        Returns:
            A list of :class:`~odibi_core.plugins.types.SecretProviderSpec`.

        Example::

            from odibi_core.plugin import SecretProviderSpec, hookimpl

            class VaultProvider:
                name = "vault"
                def get(self, name: str) -> str | None:
                    import hvac
                    return hvac.Client().secrets.kv.read_secret(name)["data"]["data"].get("value")

            @hookimpl
            def odibi_secret_providers():
                return [SecretProviderSpec("vault", lambda ctx: VaultProvider(), "HashiCorp Vault")]
        """

    @hookspec
    def odibi_transforms(self) -> list[TransformSpec]:
        """Register Python transform steps usable as ``- function: NAME`` in any project.

        Returns:
            A list of :class:`~odibi_core.plugins.types.TransformSpec`.

        Example::

            from odibi_core import hookimpl, transform

            @transform(frame="arrow")
            def drop_empty_columns(table):
                kept = [c for c in table.column_names if table[c].null_count < len(table)]
                return table.select(kept)

            @hookimpl
            def odibi_transforms():
                return [drop_empty_columns.spec]
        """

    @hookspec
    def odibi_transformers(self) -> list[TransformerSpec]:
        """Register transformers usable as ``- transformer: NAME`` steps in any project.

        A transformer validates its ``params:`` with a pydantic model and renders one SQL query
        over the node's current frame (table ``this``) and its inputs; quote identifiers with a
        SQL builder (sqlglot), never by pasting strings. The built-in library
        (``odibi-transformers``) registers through this hook too.

        Returns:
            A list of :class:`~odibi_core.plugins.types.TransformerSpec`.

        Example::

            from pydantic import BaseModel, ConfigDict
            from odibi_core.plugin import TransformerSpec, hookimpl

            class KeepTopParams(BaseModel):
                model_config = ConfigDict(extra="forbid")
                column: str
                n: int = 10

            def _render(params: KeepTopParams, ctx) -> str:
                from sqlglot import exp, select

                column = exp.to_identifier(params.column, quoted=True)
                query = select("*").from_(ctx.current).order_by(exp.Ordered(this=column, desc=True))
                return query.limit(params.n).sql(dialect=ctx.dialect)

            @hookimpl
            def odibi_transformers():
                return [TransformerSpec("keep_top", KeepTopParams, _render, "The n largest rows")]
        """

    @hookspec
    def odibi_write_capabilities(self) -> list[WriteCapabilitySpec]:
        """Declare what a connection type (and format) supports as a write target.

        ``mode: upsert`` and transformers with a ``target_capability`` (``scd2``) are checked
        against these declarations at validate time, so a project that would upsert into a CSV
        file fails before it runs, with a message naming the targets that can.

        Returns:
            A list of :class:`~odibi_core.plugins.types.WriteCapabilitySpec`.

        Example::

            from odibi_core.plugin import WriteCapabilitySpec, hookimpl

            @hookimpl
            def odibi_write_capabilities():
                return [WriteCapabilitySpec(
                    "local+delta", "local", frozenset({"delta"}),
                    frozenset({"upsert", "scd2"}), "Delta tables in a local folder",
                )]
        """

    @hookspec
    def odibi_cli_commands(self) -> list[CliCommandSpec]:
        """Add sub-commands to ``odibi`` (the builtin ones are registered through this hook too).

        Names are unique: a plugin command named like a builtin (``run``) or like another
        plugin's is a conflict error naming both distributions.

        Returns:
            A list of :class:`~odibi_core.plugins.types.CliCommandSpec`.

        Example::

            import typer
            from odibi_core.plugin import CliCommandSpec, hookimpl

            def _app() -> typer.Typer:
                app = typer.Typer(help="Inspect the warehouse.")

                @app.command()
                def ping() -> None:
                    typer.echo("pong")

                return app

            @hookimpl
            def odibi_cli_commands():
                return [CliCommandSpec("warehouse", _app, "Inspect the warehouse.")]
        """

    @hookspec
    def odibi_doctor_checks(self, context: DoctorContext) -> list[DoctorCheck]:
        """Contribute lines to ``odibi doctor`` (telemetry settings, plugin health...).

        The kernel's own checks (Python, packages, plugins, the project's secrets, connections,
        state and reports) are a builtin implementation marked ``tryfirst``, so they come first.
        An implementation that raises becomes one failed line naming the plugin.

        Args:
            context: The plugin manager and the project being checked (if any); an
                implementation may leave the argument out.

        Returns:
            A list of :class:`~odibi_core.plugins.types.DoctorCheck`; details must be secret-free.

        Example::

            import os
            from odibi_core.plugin import DoctorCheck, hookimpl

            @hookimpl
            def odibi_doctor_checks(context):
                endpoint = os.environ.get("MY_ENDPOINT")
                if endpoint is None:
                    return [DoctorCheck("my-plugin", "endpoint", True, "unset", status="info")]
                return [DoctorCheck("my-plugin", "endpoint", True, endpoint)]
        """

    # --- lifecycle --------------------------------------------------------------------------

    @hookspec(firstresult=True)
    def odibi_run_pipeline(self, context: PipelineRunContext) -> RunResult | None:
        """Run one pipeline. Implement as a wrapper to observe or guard every pipeline run.

        The kernel's own implementation does the work; wrappers see the exception if it raises.

        Args:
            context: The run (project, pipeline, run id, engine, selected nodes).

        Returns:
            The :class:`~odibi_core.contracts.lifecycle.RunResult` (from the kernel's
            implementation).

        Example::

            import time
            from odibi_core import hookimpl

            @hookimpl(wrapper=True)
            def odibi_run_pipeline(context):
                start = time.perf_counter()
                result = yield
                took = time.perf_counter() - start
                print(f"{context.pipeline.pipeline}: {result.status} in {took:.2f}s")
                return result
        """

    @hookspec(firstresult=True)
    def odibi_run_node(self, context: NodeRunContext) -> NodeResult | None:
        """Run one node (read, transform, validate, write). Implement as a wrapper.

        Called in the worker thread that executes the node, with the ``contextvars`` of the
        pipeline run copied in, so a span opened by ``odibi_run_pipeline`` is the parent here.
        A failing node raises through the wrappers (an :class:`~odibi_core.errors.NodeError`).

        Args:
            context: The node, its engine and fingerprint, the run it belongs to.

        Returns:
            The :class:`~odibi_core.contracts.lifecycle.NodeResult`.

        Example::

            from odibi_core import hookimpl

            @hookimpl(wrapper=True)
            def odibi_run_node(context):
                try:
                    result = yield
                except Exception as exc:
                    print(f"node {context.node.name} failed: {type(exc).__name__}")
                    raise
                print(f"node {context.node.name}: {result.rows_out} rows")
                return result
        """

    @hookspec
    def odibi_run_finished(self, run: FinishedRun) -> str | None:
        """Report a finished pipeline run (the builtin HTML/JSON run report is one implementation).

        Called once per pipeline run after its result is final and recorded in state, whether
        it succeeded, failed or was interrupted; not called for ``--dry-run``. ``run`` carries
        what a reporter needs: the run context, the
        :class:`~odibi_core.contracts.lifecycle.RunResult`
        with each node's :class:`~odibi_core.contracts.lifecycle.NodeResult` (rows, SQL,
        schemas, validations, and the output ``sample`` and ``profile`` when ``reports:`` asks
        for them), the plan, the project folder and the installed plugins. Every value is
        already redacted except what the reporter writes itself: pass free text through
        :func:`odibi_core.redaction.redact_text`.

        An implementation that raises costs one warning line, never the run or other
        reporters. The builtin report plugin (``builtin-reports``) can be switched off with
        ``ODIBI_DISABLE_PLUGINS=builtin-reports`` (or ``plugins.deny``) when another reporter
        replaces it; ``reports.enabled: false`` turns it off per project.

        Args:
            run: The finished run.

        Returns:
            Where a human can read the report (a path or URL), or ``None``. The first location
            returned becomes ``RunResult.report`` (printed by ``odibi run``).

        Example::

            import json, urllib.request
            from odibi_core import hookimpl

            @hookimpl
            def odibi_run_finished(run):
                event = {"run": run.result.run_id, "status": run.result.status,
                         "nodes": {n: r.status for n, r in run.result.nodes.items()}}
                request = urllib.request.Request("http://dashboard.local/runs",
                                                 data=json.dumps(event).encode(), method="POST")
                urllib.request.urlopen(request, timeout=5)
                return None
        """
