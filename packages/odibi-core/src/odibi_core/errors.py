"""The Odibi error tree and the documented process exit codes.

Every error a user can cause or meet is an :class:`OdibiError` subclass. Each carries an
:class:`ExitCode` and a one-line ``hint``; the CLI prints ``error: <message>`` and the hint, and
only prints a traceback with ``--debug``. Messages never contain secret values: they are built from
names and locations, and the CLI passes them through the redaction registry anyway.
"""

from __future__ import annotations

import enum
from typing import NamedTuple


class ExitCode(enum.IntEnum):
    """Process exit codes of the ``odibi`` command (stable, documented, tested).

    Modelled on pytest's ``ExitCode``: scripts and schedulers may branch on them.
    """

    OK = 0
    """Everything requested succeeded."""
    RUN_FAILED = 1
    """The pipeline ran and at least one node failed (or a validation failed)."""
    USAGE_ERROR = 2
    """The command line was wrong (unknown option, missing argument)."""
    CONFIG_INVALID = 3
    """The project file is invalid: not UTF-8, bad YAML, a tag, over a size or alias limit, an
    unknown key, a wrong value, a missing variable, a duplicate name, a cycle, an unknown node or
    table. Every problem is listed, one ``error: file:line: ...`` line each."""
    PLUGIN_ERROR = 4
    """A plugin the project needs failed to load (or its hook returned no spec), is missing,
    blocked or conflicts with another (and the project has no other problem)."""
    STATE_LOCKED = 5
    """A state or pipeline run lock is held by another run and the wait timed out (or
    ``--no-wait``)."""
    STATE_ERROR = 6
    """The state store is unreadable, torn, of a foreign lineage or unreachable; it was left
    untouched."""
    SECRETS_MISSING = 7
    """``odibi secrets validate`` found references that do not resolve."""
    CHECKS_FAILED = 8
    """``odibi doctor`` found a problem (a connection, the state backend or a plugin)."""
    INTERNAL_ERROR = 70
    """A bug in Odibi or a plugin: an unexpected exception. Rerun with ``--debug`` and report it."""
    INTERRUPTED = 130
    """Interrupted by the user (Ctrl-C, SIGINT): running work was cancelled, outputs were left as
    they
    were, and the run was recorded as ``interrupted``."""
    TERMINATED = 143
    """Stopped by SIGTERM (a scheduler, ``kill``, a container stop): handled like Ctrl-C."""


class OdibiError(Exception):
    """Root of every error Odibi raises on purpose.

    Args:
        message: One line saying what went wrong, naming files, keys and names (never secret
            values).
        hint: One line saying what the user can do about it.
    """

    exit_code: ExitCode = ExitCode.INTERNAL_ERROR
    default_hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint


class UsageError(OdibiError):
    """The command line asked for something impossible (unknown pipeline or node name, bad flag
    mix)."""

    exit_code = ExitCode.USAGE_ERROR


class LockNotFound(UsageError):
    """``odibi state unlock`` named a lock id that no lock has; the message lists the held locks."""

    default_hint = "`odibi state show` lists the held locks and their ids."


class ConfigError(OdibiError):
    """The project configuration is invalid; the message names file, line and key path."""

    exit_code = ExitCode.CONFIG_INVALID
    default_hint = "Fix the project file; `odibi validate` checks it without running anything."


class SecretMissingError(ConfigError):
    """A ``${secret:NAME}`` or ``${env:NAME}`` reference did not resolve. Names the variable
    only."""

    default_hint = (
        "Set the variable or add it to .env; `odibi secrets validate` lists every missing one."
    )


class PlanError(ConfigError):
    """The pipeline graph is invalid: unknown dependency, cycle, duplicate node name."""


class PluginError(OdibiError):
    """A plugin failed to load, is missing, blocked, or conflicts with another plugin."""

    exit_code = ExitCode.PLUGIN_ERROR
    default_hint = "`odibi plugins list --all` shows every plugin with its status and error."


class PluginConflictError(PluginError):
    """Two distributions registered the same name for the same kind of component."""


class StateError(OdibiError):
    """The state store cannot be used safely. Nothing was reset or overwritten."""

    exit_code = ExitCode.STATE_ERROR
    default_hint = "The state file was left in place for inspection; see `odibi state show`."


class StateCorruptError(StateError):
    """The state document is torn, unparseable, of an unknown version or of a foreign lineage."""

    default_hint = (
        "The file was left in place: inspect it, restore a backup, or move it aside to start a "
        "new history (Odibi never resets it for you)."
    )


class StateConflictError(StateError):
    """A write lost a race it must never win (stale version, lost lease): nothing was written.

    A state backend raises it from ``store_document`` when the stored document changed since it
    was loaded (see :class:`odibi_core.contracts.state.DocumentStateBackend`).
    """


class StateLockLost(StateConflictError):
    """A lock this run held was broken or expired unrenewed: writes stopped, nothing written.

    A state backend whose locks can be lost while held (leases) raises it from the holder's next
    ``store_document`` (see :class:`odibi_core.contracts.state.DocumentStateBackend`).
    """

    default_hint = (
        "Another run may hold the lock now; check `odibi state show`, then rerun this pipeline."
    )


class StateLockTimeout(OdibiError):
    """A lock is held by another run and the wait ran out. The message names the holder."""

    exit_code = ExitCode.STATE_LOCKED
    default_hint = (
        "Wait for the other run, raise --lock-timeout, or if the holder is dead run "
        "`odibi state unlock LOCK_ID`."
    )


class StateLockHeld(StateLockTimeout):
    """A lock cannot be broken because its holder is alive (an OS file lock lives exactly as long
    as its process). The message names the holder; stop that process to free the lock."""

    default_hint = (
        "Stop the holding process (its pid and host are in the message); the operating system "
        "releases its lock the moment it exits."
    )


class NodeError(OdibiError):
    """A node failed while reading, transforming, validating or writing."""

    exit_code = ExitCode.RUN_FAILED

    def __init__(self, message: str, *, node: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.node = node


class ValidationFailed(NodeError):
    """A node's data failed one of its validations; the output was not written."""


class SqlPosition(NamedTuple):
    """Where an engine points in a SQL text: 1-based ``line`` and ``column``, ``length`` characters.

    ``fragment`` is the text the engine points at, when it says so; a position whose line is 0 is
    known only by its fragment (found in the SQL if it occurs there once).
    """

    line: int
    column: int
    length: int = 1
    fragment: str | None = None


class EngineError(OdibiError):
    """An engine could not run a statement or compute a frame (raised inside a node).

    Engines raise a subclass. The message keeps the engine's own lines (never flattened) and names
    no internal view, schema or staging file.

    Args:
        message: The engine's message.
        hint: One line for the user.
        position: Where the engine points in the SQL the kernel gave it (the step's SQL text).
        computing: ``True`` when the failure happened while rows were computed (so a lazy
            upstream node may be to blame), ``False`` when the engine rejected the statement
            itself (syntax, unknown name, type error found before any row was computed).
    """

    exit_code = ExitCode.RUN_FAILED

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        position: SqlPosition | None = None,
        computing: bool = True,
    ) -> None:
        super().__init__(message, hint=hint)
        self.position = position
        self.computing = computing


class RunInterrupted(OdibiError):
    """The run was stopped by Ctrl-C (SIGINT): running work cancelled, unfinished nodes recorded
    as ``interrupted``, outputs left old or new and complete."""

    exit_code = ExitCode.INTERRUPTED
    default_hint = "Run the same command again: nodes start over; finished outputs are complete."


class RunTerminated(RunInterrupted):
    """The run was stopped by SIGTERM; handled exactly like Ctrl-C."""

    exit_code = ExitCode.TERMINATED


class TransientIOError(OdibiError):
    """An I/O failure worth retrying (network blip, throttling). Engines and connections raise it
    (or a subclass) to opt a failure into the ``retry`` policy; everything else fails at once."""

    exit_code = ExitCode.RUN_FAILED


class RunFailed(OdibiError):
    """A pipeline run finished with failed nodes (raised by the CLI layer after recording)."""

    exit_code = ExitCode.RUN_FAILED


class ChecksFailed(OdibiError):
    """``odibi doctor`` found at least one problem."""

    exit_code = ExitCode.CHECKS_FAILED


class SecretsMissing(OdibiError):
    """``odibi secrets validate`` found unresolved references."""

    exit_code = ExitCode.SECRETS_MISSING
