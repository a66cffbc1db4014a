"""Running ``- transformer: NAME`` steps: validate params, render SQL for the engine, run it.

A transformer renders one SQL query in the engine's dialect (:attr:`Engine.sql_dialect`) over the
node's current frame (table ``this``) and its upstream nodes (tables by node name). A transformer
with a ``target_capability`` (``scd2``) also sees the node's write target as the table ``target``
when it exists, so it can compute the target's next version; the node's write then replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from odibi_core.config.transformer_step import TransformerStep
from odibi_core.contracts.engine import CURRENT_FRAME_NAME
from odibi_core.contracts.requests import ReadRequest
from odibi_core.errors import NodeError
from odibi_core.execution.targets import write_target_exists
from odibi_core.plugins.types import TransformerContext

if TYPE_CHECKING:
    from odibi_core.config.models import NodeConfig
    from odibi_core.contracts.connection import Connection
    from odibi_core.contracts.engine import Engine
    from odibi_core.execution.formats import FormatDispatch
    from odibi_core.plugins.manager import OdibiPluginManager
    from odibi_core.plugins.types import TransformerSpec

TARGET_TABLE_NAME = "target"
"""The table name under which a target-rewriting transformer sees the node's write target."""


def has_transformer_steps(node: NodeConfig) -> bool:
    """Whether ``node`` has a ``- transformer:`` step."""
    steps = node.transform.steps if node.transform is not None else []
    return any(isinstance(step, TransformerStep) for step in steps)


def transformers_for(node: NodeConfig, pm: OdibiPluginManager) -> Mapping[str, TransformerSpec]:
    """The registered transformers by name, or nothing for a node without transformer steps
    (so a project that uses none never imports a transformer library)."""
    if not has_transformer_steps(node):
        return {}
    return {name: registered.spec for name, registered in pm.transformers().items()}


def run_transformer_step(
    node: NodeConfig,
    engine: Engine,
    step: TransformerStep,
    frame: Any,
    upstream: Mapping[str, Any],
    transformers: Mapping[str, TransformerSpec],
    connections: Mapping[str, Connection],
    formats: FormatDispatch | None = None,
) -> tuple[Any, str]:
    """Run ``step`` over ``frame``; return the new frame and the SQL that produced it.
    ``formats`` reads a plugin-format write target (a Delta table) for ``target``."""
    query, tables = render_transformer_step(
        node, engine, step, frame, upstream, transformers, connections, formats
    )
    return engine.sql(query, tables), query


def render_transformer_step(
    node: NodeConfig,
    engine: Engine,
    step: TransformerStep,
    frame: Any,
    upstream: Mapping[str, Any],
    transformers: Mapping[str, TransformerSpec],
    connections: Mapping[str, Connection],
    formats: FormatDispatch | None = None,
) -> tuple[str, dict[str, Any]]:
    """The SQL ``step`` renders over ``frame`` and the tables it reads (nothing runs yet, except
    reading the write target of a target-rewriting transformer)."""
    spec = transformers.get(step.transformer)
    if spec is None:
        from odibi_core.config.suggestions import did_you_mean
        from odibi_core.config.transformer_checks import INSTALL_HINT

        raise NodeError(
            f"node {node.name!r}: unknown transformer {step.transformer!r}"
            f"{did_you_mean(step.transformer, transformers)}",
            node=node.name,
            hint=INSTALL_HINT,
        )
    params = spec.params_model.model_validate(step.params)
    tables = dict(upstream)
    if frame is not None:
        tables[CURRENT_FRAME_NAME] = frame
    target = None
    if spec.target_capability is not None:
        target_frame = read_write_target(node, engine, connections, formats)
        if target_frame is not None:
            tables[TARGET_TABLE_NAME] = target_frame
            target = TARGET_TABLE_NAME
    schemas = {name: engine.schema(table) for name, table in tables.items()}
    context = TransformerContext(
        dialect=engine.sql_dialect,
        current=CURRENT_FRAME_NAME if frame is not None else None,
        inputs=tuple(upstream),
        target=target,
        columns={name: tuple(c.name for c in schema) for name, schema in schemas.items()},
        column_types={name: tuple(c.type for c in schema) for name, schema in schemas.items()},
    )
    return spec.render(params, context), tables


def read_write_target(
    node: NodeConfig,
    engine: Engine,
    connections: Mapping[str, Connection],
    formats: FormatDispatch | None = None,
) -> Any:
    """The node's current write target as a frame, or ``None`` when it does not exist yet."""
    write = node.write
    if write is None:
        raise NodeError(
            f"node {node.name!r}: this transformer rewrites the node's write target; add write:",
            node=node.name,
        )
    if not write_target_exists(node, connections, formats):
        return None
    request = ReadRequest(format=write.format, path=write.path, table=write.table)
    connection = connections[write.connection]
    if formats is not None:
        return engine.persist(formats.read(engine, connection, request))
    return engine.persist(engine.read(connection, request))
