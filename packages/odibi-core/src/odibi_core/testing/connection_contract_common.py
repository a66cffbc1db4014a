"""What every connection promises, file or table: registration, options, capability flags.

Mixed into both :class:`~odibi_core.testing.connection_contract.FileConnectionContractTests` and
:class:`~odibi_core.testing.connection_contract.TableConnectionContractTests`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from odibi_core.errors import ConfigError
from odibi_core.testing.connection_contract_hooks import ALL_WRITE_MODES, ConnectionContractHooks

if TYPE_CHECKING:
    from odibi_core.contracts.connection import Connection
    from odibi_core.plugins.manager import OdibiPluginManager


def project_yaml(
    connection_type: str,
    options: Mapping[str, Any],
    engine: str = "duckdb",
    read: str = "{connection: source, table: t}",
) -> str:
    """A one-connection project file (options as YAML flow values: JSON is YAML); the option
    keys start on line 5."""
    lines = [
        "project: contract",
        f"engine: {engine}",
        "connections:",
        "  source:",
        f"    type: {connection_type}",
    ]
    lines += [f"    {key}: {json.dumps(value)}" for key, value in options.items()]
    lines += [
        "pipelines:",
        "  - pipeline: p",
        "    nodes:",
        "      - name: one",
        f"        read: {read}",
        "",
    ]
    return "\n".join(lines)


class ConnectionCommonTests(ConnectionContractHooks):
    """Registration and option tests every connection passes."""

    project_engine: ClassVar[str] = "duckdb"
    """The engine of the project files the option tests validate (one that can use the type)."""

    project_read: ClassVar[str] = "{connection: source, table: t}"
    """The ``read:`` of the node in those project files (YAML flow mapping)."""

    known_capabilities: ClassVar[frozenset[str]] = frozenset()
    connection_class: ClassVar[type[Any]] = object

    def _load(self, pm: OdibiPluginManager, path: Path) -> Any:
        from odibi_core.config.loader import build_project, read_project_source

        return build_project(read_project_source(path), pm)

    def test_the_declared_capabilities_are_known_ones(self) -> None:
        assert self.connection_type, "set connection_type on the test class"
        unknown = set(self.capabilities) - self.known_capabilities
        assert not unknown, (
            f"unknown capabilities {sorted(unknown)}; known: {sorted(self.known_capabilities)}"
        )
        modes = set(self.write_modes) - set(ALL_WRITE_MODES)
        assert not modes, f"unknown write modes {sorted(modes)}"

    def test_it_registers_through_the_hook_with_an_options_model(
        self, plugin_manager: OdibiPluginManager, connection: Connection
    ) -> None:
        registered = plugin_manager.connections()
        assert self.connection_type in registered, sorted(registered)
        spec = plugin_manager.connection(self.connection_type)
        assert spec.description, "give the registration a one-line description"
        assert spec.config_model is not None, "declare an options model (pydantic PluginOptions)"
        assert spec.options_model() is not None  # a "module:Class" reference must load
        assert isinstance(connection, self.connection_class)

    def test_a_project_using_it_validates(
        self,
        plugin_manager: OdibiPluginManager,
        connection_options: dict[str, Any],
        write_project: Callable[..., Path],
    ) -> None:
        project = self._load(
            plugin_manager,
            write_project(
                project_yaml(
                    self.connection_type, connection_options, self.project_engine, self.project_read
                )
            ),
        )
        assert "source" in project.connection_options

    def test_an_unknown_option_is_one_clear_error_with_its_line(
        self,
        plugin_manager: OdibiPluginManager,
        connection_options: dict[str, Any],
        write_project: Callable[..., Path],
    ) -> None:
        options = {**connection_options, "no_such_option_here": 1}
        path = write_project(
            project_yaml(self.connection_type, options, self.project_engine, self.project_read)
        )
        with pytest.raises(ConfigError) as raised:
            self._load(plugin_manager, path)
        line = 6 + list(options).index("no_such_option_here")
        assert "no_such_option_here" in raised.value.message
        assert f"odibi.yaml:{line}" in raised.value.message

    def test_bad_option_values_are_clear_errors(
        self,
        plugin_manager: OdibiPluginManager,
        connection_options: dict[str, Any],
        write_project: Callable[..., Path],
    ) -> None:
        for bad, fragment in self.bad_options:
            path = write_project(
                project_yaml(
                    self.connection_type,
                    {**connection_options, **bad},
                    self.project_engine,
                    self.project_read,
                )
            )
            with pytest.raises(ConfigError) as raised:
                self._load(plugin_manager, path)
            assert fragment in raised.value.message, raised.value.message
            assert "odibi.yaml:" in raised.value.message
