"""How a failed node is described: where it failed, the engine's message with its lines kept, the
failed step's SQL with a caret under the place the engine points at, and one hint.

Redaction comes first: the message and every SQL line are redacted before anything is laid out or
cut (a caret is placed by the redacted length of the text before it). Nothing is flattened onto one
line: an engine's multi-line message stays multi-line in the summary, logs, state and reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from odibi_core.engines.error_text import engine_lines, locate_fragment
from odibi_core.errors import EngineError, NodeError, OdibiError, SqlPosition
from odibi_core.redaction import redact_lines, redact_text

if TYPE_CHECKING:
    from odibi_core.config.loader import LoadedProject
    from odibi_core.config.models import NodeConfig
    from odibi_core.contracts.lifecycle import NodeResult

MAX_MESSAGE_LINES = 30
"""Lines of an engine message kept (the rest is summarised as ``(N more lines)``)."""

MAX_LINE_CHARS = 500
"""Characters kept of one message line (after redaction)."""

SHORT_SQL_LINES = 12
"""A step's SQL up to this many lines is shown whole; longer SQL around the line pointed at."""

CONTEXT_LINES = 3
"""Lines shown before and after the line pointed at in a long SQL."""


@dataclass(frozen=True)
class Phase:
    """A part of a node that produced a frame: its read or one transform step.

    Attributes:
        kind: ``read``, ``sql``, ``transformer`` or ``function``.
        step: 1-based transform step (``None`` for the read).
        sql: The step's SQL as run (stripped; a transformer's once it is rendered).
        function: The Python step's or the transformer's name.
        frame: The frame the part produced.
    """

    kind: str
    step: int | None = None
    sql: str | None = None
    function: str | None = None
    frame: Any = field(default=None, compare=False, repr=False)

    def describe(self) -> str:
        """``read``, ``step 2 (sql)``, ``step 3 (function add_margin)`` or
        ``step 4 (transformer scd2)``."""
        if self.kind == "read":
            return "read"
        if self.kind == "sql":
            return f"step {self.step} (sql)"
        if self.kind == "transformer":
            return f"step {self.step} (transformer {self.function})"
        return f"step {self.step} (function {self.function})"


@dataclass(frozen=True)
class FailureText:
    """A failure laid out for every output (console, logs, state, reports)."""

    error: str
    error_type: str
    step: int | None = None
    sql_excerpt: str | None = None
    hint: str | None = None

    def apply(self, result: NodeResult) -> None:
        """Store it in a node result (status ``failed``)."""
        result.status = "failed"
        result.error, result.error_type = self.error, self.error_type
        result.error_step, result.error_sql, result.error_hint = (
            self.step,
            self.sql_excerpt,
            self.hint,
        )


def engine_message(exc: BaseException) -> str:
    """What the engine (or the code that raised) said. An engine's message names its own kind
    (``Conversion Error: ...``) and a node error is the kernel's own sentence; any other error
    (a connection's, a Python step's) is prefixed by its class name, which says what failed."""
    if isinstance(exc, (EngineError, NodeError)):
        return exc.message
    if isinstance(exc, OdibiError):
        return f"{type(exc).__name__}: {exc.message}"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def layout_message(message: str) -> str:
    """``message`` redacted, then its lines kept (trailing blanks dropped, long ones cut)."""
    lines = [line.rstrip() for line in redact_text(message).strip("\n").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    lines = [
        line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + " …" for line in lines
    ]
    if len(lines) > MAX_MESSAGE_LINES:
        hidden = len(lines) - MAX_MESSAGE_LINES
        lines = [*lines[:MAX_MESSAGE_LINES], f"({hidden} more lines)"]
    return "\n".join(lines) or "(no message)"


def resolve_position(sql: str, position: SqlPosition | None) -> SqlPosition | None:
    """``position`` checked against ``sql``: inside it, on its fragment if the engine named one."""
    if position is None:
        return None
    lines = engine_lines(sql)
    if position.line >= 1 and position.line <= len(lines):
        text = lines[position.line - 1]
        start = position.column - 1
        if 0 <= start < max(len(text), 1) and (
            position.fragment is None or text[start:].startswith(position.fragment.split("\n")[0])
        ):
            return position
    return locate_fragment(sql, position.fragment) if position.fragment else None


def sql_excerpt(sql: str, position: SqlPosition | None) -> str | None:
    """The lines of ``sql`` around ``position``, numbered, with a caret line under the spot."""
    position = resolve_position(sql, position)
    if position is None:
        return None
    # redacted whole, then split: line by line, a secret with a line break inside would pass
    lines = [line.rstrip() for line in redact_lines(sql)]
    raw = engine_lines(sql)[position.line - 1]
    if len(lines) <= SHORT_SQL_LINES:
        first, last = 1, len(lines)
    else:
        first = max(1, position.line - CONTEXT_LINES)
        last = min(len(lines), position.line + CONTEXT_LINES)
    width = len(str(last))
    column = len(redact_text(raw[: position.column - 1]))
    marked = len(redact_text(raw[position.column - 1 : position.column - 1 + position.length])) or 1
    out = []
    for number in range(first, last + 1):
        out.append(f"{number:>{width}} | {lines[number - 1]}".rstrip())
        if number == position.line:
            out.append(f"{'':>{width}} | {' ' * column}{'^' * marked}")
    return "\n".join(out)


def describe_failure(
    exc: BaseException, *, where: str | None, phase: Phase | None = None, hint: str | None = None
) -> FailureText:
    """Lay out ``exc``: ``where`` it happened (``step 2 (sql)``, ``write``), the engine's lines,
    the step's SQL with a caret (when the engine said where), one hint (``exc``'s own first)."""
    message = layout_message(engine_message(exc))
    error_type = getattr(exc, "error_type", None) or type(exc).__name__
    excerpt = None
    if phase is not None and phase.sql is not None:
        excerpt = sql_excerpt(phase.sql, getattr(exc, "position", None))
    own_hint = exc.hint if isinstance(exc, OdibiError) and exc.hint else None
    shown_hint = own_hint or hint
    return FailureText(
        error=f"{where}: {message}" if where else message,
        error_type=error_type,
        step=phase.step if phase is not None else None,
        sql_excerpt=excerpt,
        hint=redact_text(shown_hint) if shown_hint else None,
    )


def step_hint(node: str, phase: Phase, location: str | None) -> str:
    """The hint for a failed read or step: where to fix it."""
    at = f" at {location}" if location else ""
    if phase.kind == "read":
        return f"Check the input of node {node}'s read{at} (path, format, options)."
    if phase.kind == "function":
        return (
            f"The Python step {phase.function!r} of node {node}{at} raised it; "
            "fix the function or its input."
        )
    return (
        f"Fix {phase.describe()} of node {node}{at}; "
        f"`odibi run --node {node}` reruns it and what it needs."
    )


def format_failure(result: NodeResult, *, indent: str = "  ") -> list[str]:
    """The lines a person reads about a failed node: the error, the SQL with its caret, the hint."""
    lines = (result.error or "failed").splitlines()
    out = [f"node {result.name} failed: {lines[0]}"]
    out += [f"{indent}{line}" for line in lines[1:]]
    if result.error_sql:
        out += [f"{indent}  {line}" for line in result.error_sql.splitlines()]
    if result.error_hint:
        out.append(f"{indent}hint: {result.error_hint}")
    return out


def node_locations(
    project: LoadedProject, pipeline: int, node: int, config: NodeConfig
) -> dict[int, str]:
    """``file:line`` of a node's read (key 0) and of each transform step (key: step number).

    Args:
        project: The loaded project (it knows where each key came from).
        pipeline: Index of the pipeline in the project's ``pipelines``.
        node: Index of the node in the pipeline's ``nodes``.
        config: The node.
    """
    base = ("pipelines", pipeline, "nodes", node)
    found: dict[int, str] = {}
    if config.read is not None:
        location = project.location((*base, "read"))
        if location is not None:
            found[0] = str(location)
    for i in range(len(config.transform.steps) if config.transform else 0):
        location = project.location((*base, "transform", "steps", i))
        if location is not None:
            found[i + 1] = str(location)
    return found


class NodeLocations:
    """``file:line`` of the reads and steps of one pipeline's nodes (see :func:`node_locations`)."""

    def __init__(self, project: LoadedProject, pipeline: str) -> None:
        self.project = project
        pipelines = project.config.pipelines
        self.pipeline = next(i for i, p in enumerate(pipelines) if p.pipeline == pipeline)
        self.nodes = {n.name: (i, n) for i, n in enumerate(pipelines[self.pipeline].nodes)}

    def __call__(self, name: str) -> dict[int, str]:
        """Locations of node ``name``'s read (key 0) and steps (key: step number)."""
        index, config = self.nodes[name]
        return node_locations(self.project, self.pipeline, index, config)
