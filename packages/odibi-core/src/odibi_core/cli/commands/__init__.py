"""Builtin command groups. Each module exposes ``register(app)``."""

#: Each builtin command (or command group) and the module whose ``register(app)`` adds it, in
#: help order. A command's module is imported only when the command is mounted: ``odibi run``
#: never imports the ``init``, ``story`` or ``doctor`` modules. A test checks that this table
#: and what the modules register agree.
BUILTIN_COMMANDS: dict[str, str] = {
    "run": "odibi_core.cli.commands.run",
    "validate": "odibi_core.cli.commands.run",
    "graph": "odibi_core.cli.commands.run",
    "init": "odibi_core.cli.commands.project",
    "plugins": "odibi_core.cli.commands.plugins",
    "state": "odibi_core.cli.commands.state",
    "secrets": "odibi_core.cli.commands.secrets",
    "story": "odibi_core.cli.commands.story",
    "doctor": "odibi_core.cli.commands.doctor",
}

#: Modules whose ``register(app)`` adds builtin commands, in help order.
BUILTIN_COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(BUILTIN_COMMANDS.values()))
