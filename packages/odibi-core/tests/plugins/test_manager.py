"""Plugin discovery: guarded loading, switches, conflicts, typos, requirements."""

from __future__ import annotations

from pathlib import Path

import pytest
from odibi_core.errors import PluginConflictError, PluginError
from odibi_core.plugins.loader import PluginSettings
from odibi_core.plugins.manager import create_plugin_manager

GOOD = """
from odibi_core import hookimpl
from odibi_core.plugins.types import ConnectionSpec

@hookimpl
def odibi_connections():
    return [ConnectionSpec("fancy", lambda options, ctx: None, None, "A fancy connection")]
"""

BROKEN = """
raise RuntimeError("this plugin is broken on purpose")
"""


def test_broken_plugin_is_recorded_and_others_still_load(plugin_distributions) -> None:
    plugin_distributions("odibi-broken", "odibi_broken_mod", BROKEN)
    plugin_distributions("odibi-good", "odibi_good_mod", GOOD)
    pm = create_plugin_manager(PluginSettings())
    by_dist = {p.distribution: p for p in pm.plugins}
    assert by_dist["odibi-broken"].status == "failed"
    assert "this plugin is broken on purpose" in (by_dist["odibi-broken"].reason or "")
    assert by_dist["odibi-good"].status == "active"
    assert by_dist["odibi-good"].hooks == ["odibi_connections"]
    assert "fancy" in pm.connections()
    assert "duckdb" in pm.engines()


def test_unknown_component_names_failed_plugins(plugin_distributions) -> None:
    plugin_distributions("odibi-broken", "odibi_broken_mod2", BROKEN)
    pm = create_plugin_manager(PluginSettings())
    with pytest.raises(PluginError) as info:
        pm.engine("spork")
    message = info.value.message
    assert "unknown engine 'spork'" in message
    assert "odibi-broken" in message
    assert "failed" in message


def _marker_plugin(marker: Path) -> str:
    return f"""
from pathlib import Path
Path({str(marker)!r}).write_text("imported")
from odibi_core import hookimpl

@hookimpl
def odibi_engines():
    return []
"""


@pytest.mark.parametrize(
    "settings",
    [
        PluginSettings(autoload=False),
        PluginSettings(allow=frozenset()),
        PluginSettings(allow=frozenset({"odibi-other"})),
        PluginSettings(deny=frozenset({"odibi-marker"})),
    ],
    ids=["autoload-off", "allow-none", "allow-other", "denied"],
)
def test_blocked_plugin_is_never_imported(
    plugin_distributions, tmp_path: Path, settings: PluginSettings
) -> None:
    marker = tmp_path / "marker.txt"
    plugin_distributions("odibi-marker", "odibi_marker_mod", _marker_plugin(marker))
    pm = create_plugin_manager(settings)
    info = next(p for p in pm.plugins if p.distribution == "odibi-marker")
    assert info.status == "blocked"
    assert info.reason
    assert not marker.exists()


def test_allowed_plugin_is_imported(plugin_distributions, tmp_path: Path) -> None:
    marker = tmp_path / "marker.txt"
    plugin_distributions("odibi-marker", "odibi_marker_mod3", _marker_plugin(marker))
    create_plugin_manager(PluginSettings(allow=frozenset({"odibi-marker"})))
    assert marker.read_text() == "imported"


def test_settings_from_environment() -> None:
    settings = PluginSettings.from_env(
        {"ODIBI_PLUGINS": "Odibi_State.Local, odibi-otel", "ODIBI_DISABLE_PLUGINS": "odibi-otel"}
    )
    assert settings.allow == frozenset({"odibi-state-local", "odibi-otel"})
    assert settings.blocked_reason("odibi-otel") is not None
    assert settings.blocked_reason("odibi-state-local") is None
    assert PluginSettings.from_env({"ODIBI_PLUGINS": ""}).allow == frozenset()
    assert not PluginSettings.from_env({"ODIBI_DISABLE_PLUGIN_AUTOLOAD": "1"}).autoload


def test_yaml_settings_can_only_narrow() -> None:
    base = PluginSettings(allow=frozenset({"a", "b"}))
    merged = base.merged_with(autoload=None, allow=["b", "c"], deny=["x"])
    assert merged.allow == frozenset({"b"})
    assert merged.deny == frozenset({"x"})
    assert not PluginSettings().merged_with(autoload=False, allow=None, deny=[]).autoload


def test_duplicate_names_fail_naming_both_distributions(plugin_distributions) -> None:
    plugin_distributions("odibi-first", "odibi_first_mod", GOOD)
    plugin_distributions("odibi-second", "odibi_second_mod", GOOD)
    pm = create_plugin_manager(PluginSettings())
    with pytest.raises(PluginConflictError) as info:
        pm.connections()
    assert "odibi-first" in info.value.message
    assert "odibi-second" in info.value.message
    assert "'fancy'" in info.value.message


def test_plugin_may_not_replace_a_builtin(plugin_distributions) -> None:
    plugin_distributions("odibi-shadow", "odibi_shadow_mod", GOOD.replace('"fancy"', '"local"'))
    pm = create_plugin_manager(PluginSettings())
    with pytest.raises(PluginConflictError) as info:
        pm.connection("local")
    assert "odibi-core" in info.value.message
    assert "odibi-shadow" in info.value.message


def test_hook_name_typo_is_reported_with_suggestion(plugin_distributions) -> None:
    plugin_distributions(
        "odibi-typo",
        "odibi_typo_mod",
        GOOD.replace("def odibi_connections", "def odibi_conections"),
    )
    pm = create_plugin_manager(PluginSettings())
    info = next(p for p in pm.plugins if p.distribution == "odibi-typo")
    assert info.status == "failed"
    assert "odibi_conections" in (info.reason or "")
    assert "did you mean 'odibi_connections'" in (info.reason or "")


def test_requires_fails_fast(plugin_distributions) -> None:
    plugin_distributions("odibi-good", "odibi_good_mod4", GOOD, version="0.3.0")
    pm = create_plugin_manager(PluginSettings())
    pm.require(["odibi-good>=0.2"])
    with pytest.raises(PluginError, match=r"odibi-good 0\.3\.0 is installed"):
        pm.require(["odibi-good>=1.0"])
    with pytest.raises(PluginError, match="not installed"):
        pm.require(["odibi-not-there>=0.1"])


def test_make_plugin_manager_fixture_registers_given_plugins(make_plugin_manager) -> None:
    from odibi_core import hookimpl
    from odibi_core.plugins.types import EngineSpec

    class Plugin:
        @hookimpl
        def odibi_engines(self):
            return [EngineSpec("fake", lambda o, c: None)]

    pm = make_plugin_manager(("odibi-fake", Plugin()))
    assert pm.engines()["fake"].distribution == "odibi-fake"
    assert set(pm.engines()) == {"duckdb", "fake"} | ({"pandas"} & set(pm.engines()))
