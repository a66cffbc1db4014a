"""``"module:Class"`` options model references: loaded when a project uses the
component, with an error naming the component and the reference when they cannot be."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from odibi_core import hookimpl
from odibi_core.config.loader import load_project
from odibi_core.errors import ConfigError, PluginError
from odibi_core.plugins.loader import PluginSettings
from odibi_core.plugins.manager import create_plugin_manager
from odibi_core.plugins.options import PluginOptions
from odibi_core.plugins.options_ref import resolve_options_model
from odibi_core.plugins.types import ConnectionSpec

MODULE = "odibi_test_lazy_options"


class WarehouseOptions(PluginOptions):
    """Options of the test connection."""

    host: str
    port: int = 5439


@pytest.fixture
def options_module(monkeypatch: pytest.MonkeyPatch) -> str:
    """A module holding ``WarehouseOptions`` that is imported only when a reference is resolved."""
    import types

    module = types.ModuleType(MODULE)
    module.WarehouseOptions = WarehouseOptions  # type: ignore[attr-defined]
    module.NotAModel = dict  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, MODULE, module)
    return MODULE


def test_a_class_is_used_as_it_is_and_a_reference_is_imported(options_module: str) -> None:
    assert resolve_options_model(WarehouseOptions, what="x") is WarehouseOptions
    assert resolve_options_model(None, what="x") is None
    reference = f"{options_module}:WarehouseOptions"
    assert resolve_options_model(reference, what="x") is WarehouseOptions
    spec = ConnectionSpec("warehouse", lambda o, c: None, reference)  # type: ignore[arg-type,return-value]
    assert spec.options_model() is WarehouseOptions


@pytest.mark.parametrize(
    ("reference", "says"),
    [
        ("odibi_test_lazy_options.WarehouseOptions", "is not 'module:Class'"),
        (":WarehouseOptions", "is not 'module:Class'"),
        ("odibi_no_such_module_anywhere:Options", "cannot be loaded: ModuleNotFoundError"),
        ("odibi_test_lazy_options:Missing", "cannot be loaded: AttributeError"),
        ("odibi_test_lazy_options:NotAModel", "is not a PluginOptions subclass"),
    ],
)
def test_a_bad_reference_is_a_plugin_error_naming_the_component_and_the_reference(
    options_module: str, reference: str, says: str
) -> None:
    spec = ConnectionSpec("warehouse", lambda o, c: None, reference)  # type: ignore[arg-type,return-value]
    with pytest.raises(PluginError) as caught:
        spec.options_model()
    assert caught.value.message.startswith("connection 'warehouse': ")
    assert repr(reference) in caught.value.message
    assert says in caught.value.message


class _Warehouse:
    """A plugin registering ``warehouse`` with a given options reference."""

    def __init__(self, reference: str) -> None:
        self.reference = reference

    @hookimpl
    def odibi_connections(self) -> list[ConnectionSpec]:
        return [ConnectionSpec("warehouse", lambda o, c: None, self.reference, "test")]  # type: ignore[arg-type,return-value]


def _project(tmp_path: Path, connection: str) -> Path:
    (tmp_path / "odibi.yaml").write_text(
        "project: p\n"
        "connections:\n"
        f"  dw: {connection}\n"
        "  raw: {type: local, base_path: .}\n"
        "pipelines:\n"
        "  - pipeline: p\n"
        "    nodes:\n"
        "      - name: a\n"
        "        read: {connection: raw, format: csv, path: a.csv}\n"
    )
    return tmp_path / "odibi.yaml"


def _manager(reference: str) -> Any:
    return create_plugin_manager(
        PluginSettings(autoload=False),
        extra_plugins=[("acme-warehouse", _Warehouse(reference))],
        load_entry_points=False,
    )


def test_a_project_using_the_component_is_validated_by_the_referenced_model(
    tmp_path: Path, options_module: str
) -> None:
    pm = _manager(f"{options_module}:WarehouseOptions")
    loaded = load_project(_project(tmp_path, "{type: warehouse, host: dw.example}"), pm=pm)
    assert loaded.connection_options["dw"] == WarehouseOptions(host="dw.example")
    with pytest.raises(ConfigError) as caught:
        load_project(_project(tmp_path, "{type: warehouse, hots: dw.example}"), pm=pm)
    assert "hots" in str(caught.value.problems)  # type: ignore[attr-defined]


def test_a_reference_that_cannot_load_is_a_located_project_problem(tmp_path: Path) -> None:
    """A plugin error (exit 4, like a missing plugin), at the line of the connection using it."""
    pm = _manager("odibi_no_such_module_anywhere:Options")
    with pytest.raises(PluginError) as caught:
        load_project(_project(tmp_path, "{type: warehouse, host: dw.example}"), pm=pm)
    assert int(caught.value.exit_code) == 4
    message = caught.value.message
    assert "odibi.yaml:3: connections.dw: connection 'warehouse'" in message
    assert "'odibi_no_such_module_anywhere:Options' cannot be loaded" in message


def test_a_project_not_using_the_component_never_loads_its_model(tmp_path: Path) -> None:
    """Registered but unused: the reference is never resolved, even a broken one."""
    pm = _manager("odibi_no_such_module_anywhere:Options")
    (tmp_path / "odibi.yaml").write_text(
        "project: p\nconnections:\n  raw: {type: local, base_path: .}\npipelines:\n"
        "  - pipeline: p\n    nodes:\n      - name: a\n"
        "        read: {connection: raw, format: csv, path: a.csv}\n"
    )
    loaded = load_project(tmp_path / "odibi.yaml", pm=pm)
    assert "odibi_no_such_module_anywhere" not in sys.modules
    assert isinstance(loaded.connection_options["raw"], PluginOptions)
