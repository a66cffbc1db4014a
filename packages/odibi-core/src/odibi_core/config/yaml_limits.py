"""Limits on what a project file may cost to read: size, nesting, aliases and their expansion.

YAML anchors and aliases let a few hundred bytes describe billions of values (an "alias bomb");
deep nesting exhausts the parser's stack. Each project file (the root and every import) is
checked against these limits before it is turned into data, so a hostile or broken file is refused
in milliseconds. Every limit can be raised through an environment variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from odibi_core.errors import ConfigError

ENV_MAX_BYTES = "ODIBI_YAML_MAX_BYTES"
ENV_MAX_DEPTH = "ODIBI_YAML_MAX_DEPTH"
ENV_MAX_ALIASES = "ODIBI_YAML_MAX_ALIASES"
ENV_MAX_ALIAS_VALUES = "ODIBI_YAML_MAX_ALIAS_VALUES"


@dataclass(frozen=True)
class YamlLimits:
    """What one project file may contain.

    Attributes:
        max_bytes: Size of the file in bytes (default 4 MiB; ``ODIBI_YAML_MAX_BYTES``).
        max_depth: Nesting of mappings and lists, aliases expanded (default 100;
            ``ODIBI_YAML_MAX_DEPTH``).
        max_aliases: Uses of ``*alias`` (merge keys ``<<: *x`` included) in one file (default
            10,000; ``ODIBI_YAML_MAX_ALIASES``).
        max_alias_values: Values that expanding the aliases adds to the file's own (default
            100,000; ``ODIBI_YAML_MAX_ALIAS_VALUES``).
    """

    max_bytes: int = 4 * 1024 * 1024
    max_depth: int = 100
    max_aliases: int = 10_000
    max_alias_values: int = 100_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> YamlLimits:
        """The defaults, each overridden by its environment variable when set."""
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            max_bytes=_positive(env, ENV_MAX_BYTES, defaults.max_bytes),
            max_depth=_positive(env, ENV_MAX_DEPTH, defaults.max_depth),
            max_aliases=_positive(env, ENV_MAX_ALIASES, defaults.max_aliases, zero_ok=True),
            max_alias_values=_positive(
                env, ENV_MAX_ALIAS_VALUES, defaults.max_alias_values, zero_ok=True
            ),
        )


def _positive(env: Mapping[str, str], name: str, default: int, *, zero_ok: bool = False) -> int:
    text = env.get(name, "").strip().replace("_", "")
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0 or (value == 0 and not zero_ok):
        floor = "0 or more" if zero_ok else "1 or more"
        raise ConfigError(
            f"environment variable {name} must be a whole number ({floor}), not {text!r}",
            hint=f"Unset {name} to use the default ({default}).",
        )
    return value
