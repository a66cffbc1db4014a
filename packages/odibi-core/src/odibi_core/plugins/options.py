"""Base classes of plugin config models (kept apart so the CLI can start without pydantic).

A credential field is typed :class:`Secret` (a pydantic ``SecretStr`` that is masked in every
printed form and registered for redaction)::

    from odibi_core.plugins.options import PluginOptions, Secret

    class WarehouseOptions(PluginOptions):
        host: str
        password: Secret
"""

from __future__ import annotations

from pydantic import ConfigDict

from odibi_core.config.strict_values import StrictNumbers
from odibi_core.redaction.secret import Secret


class PluginOptions(StrictNumbers):
    """Base for a plugin's config model: unknown keys are errors, like everywhere in Odibi, and a
    number field refuses ``true``/``false``, NaN and infinity."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoOptions(PluginOptions):
    """The config model of a component that takes no options."""


__all__ = ["NoOptions", "PluginOptions", "Secret"]
