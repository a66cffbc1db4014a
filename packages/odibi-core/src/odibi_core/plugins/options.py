"""Base classes of plugin config models (kept apart so the CLI can start without pydantic)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PluginOptions(BaseModel):
    """Base for a plugin's config model: unknown keys are errors, like everywhere in Odibi."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoOptions(PluginOptions):
    """The config model of a component that takes no options."""
