"""``odibi_core.plugin``: the plugin author's facade is complete, consistent and cheap to import."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import odibi_core.plugin as facade
import pytest


def test_all_lists_exactly_the_names_the_facade_resolves() -> None:
    assert sorted(facade.__all__) == sorted(facade._SOURCES)
    assert len(set(facade.__all__)) == len(facade.__all__)


@pytest.mark.parametrize("name", sorted(facade._SOURCES))
def test_each_name_is_the_kernel_object_itself(name: str) -> None:
    source = importlib.import_module(facade._SOURCES[name])
    assert getattr(facade, name) is getattr(source, name)
    assert name in dir(facade)


def test_type_checkers_see_the_same_names_as_the_runtime() -> None:
    tree = ast.parse(Path(facade.__file__).read_text())
    guarded = next(
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    )
    seen = {
        alias.name: stmt.module
        for stmt in guarded.body
        if isinstance(stmt, ast.ImportFrom)
        for alias in stmt.names
    }
    assert seen == facade._SOURCES


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'EngineSpecs'"):
        facade.EngineSpecs  # noqa: B018
    with pytest.raises(ImportError):
        exec("from odibi_core.plugin import EngineSpecs", {})


def test_importing_every_name_imports_no_data_library() -> None:
    code = (
        "import sys\n"
        "import odibi_core.plugin as p\n"
        "loaded = lambda *names: sorted(m for m in names if m in sys.modules)\n"
        "bare = loaded('pydantic', 'duckdb', 'pyarrow', 'pandas')\n"
        "for name in p.__all__: getattr(p, name)\n"
        "heavy = loaded('duckdb', 'pyarrow', 'pandas', 'pyspark')\n"
        "print(bare, heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[] []"


def test_the_testing_suites_are_documented_not_exported() -> None:
    assert "odibi_core.testing" in (facade.__doc__ or "")
    assert not any("testing" in module for module in facade._SOURCES.values())
