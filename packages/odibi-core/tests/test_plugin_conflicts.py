"""A name registered twice is an error that names both distributions and blames the newcomer."""

from __future__ import annotations

import types
from collections.abc import Callable

import pytest
from odibi_core import hookimpl
from odibi_core.errors import PluginConflictError
from odibi_core.plugins.types import ConnectionSpec


def _plugin_registering(name: str) -> types.ModuleType:
    module = types.ModuleType("acme_plugin")

    @hookimpl
    def odibi_connections() -> list[ConnectionSpec]:
        return [ConnectionSpec(name, lambda options, ctx: None)]

    module.odibi_connections = odibi_connections  # type: ignore[attr-defined]
    return module


def test_shadowing_a_builtin_names_both_and_hints_at_the_plugin(
    make_plugin_manager: Callable,
) -> None:
    pm = make_plugin_manager(("acme-files", _plugin_registering("local")))
    with pytest.raises(PluginConflictError) as caught:
        pm.connections()
    message = caught.value.message
    assert (
        "by odibi-core (plugin builtin-connections) and by acme-files (plugin acme-files)"
        in message
    )
    assert "ODIBI_DISABLE_PLUGINS=acme-files" in caught.value.hint
