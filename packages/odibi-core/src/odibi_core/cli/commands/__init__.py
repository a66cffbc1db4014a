"""Builtin command groups. Each module exposes ``register(app)``."""

#: Modules whose ``register(app)`` adds builtin commands, in help order.
BUILTIN_COMMAND_MODULES: tuple[str, ...] = (
    "odibi_core.cli.commands.run",
    "odibi_core.cli.commands.project",
    "odibi_core.cli.commands.plugins",
    "odibi_core.cli.commands.state",
    "odibi_core.cli.commands.secrets",
    "odibi_core.cli.commands.story",
    "odibi_core.cli.commands.doctor",
)
