"""The distribution registers engine ``pandas`` through its entry point, not the kernel."""

from __future__ import annotations

from odibi_core.plugins.manager import create_plugin_manager


def test_pandas_comes_from_its_own_distribution() -> None:
    engines = create_plugin_manager().engines()
    assert engines["pandas"].distribution == "odibi-engine-pandas"
    assert engines["duckdb"].distribution == "odibi-core"


def test_the_kernel_alone_has_no_pandas_engine() -> None:
    from odibi_core.plugins.loader import PluginSettings

    assert "pandas" not in create_plugin_manager(PluginSettings(autoload=False)).engines()
