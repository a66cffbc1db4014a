"""A plugin that exits, interrupts, raises or hangs while importing never stops the host."""

from __future__ import annotations

import time

import pytest
from odibi_core.errors import ConfigError, PluginError
from odibi_core.plugins.loader import PluginSettings
from odibi_core.plugins.manager import create_plugin_manager

GOOD = """
from odibi_core import hookimpl
from odibi_core.plugins.types import ConnectionSpec

@hookimpl
def odibi_connections():
    return [ConnectionSpec("fancy", lambda options, ctx: None, None, "A fancy connection")]
"""


class OddExit(BaseException):
    """Stands for any BaseException subclass a plugin might raise."""


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("import sys\nsys.exit(3)\n", "sys.exit(3)"),
        ("raise SystemExit('bye')\n", "sys.exit('bye')"),
        ("raise KeyboardInterrupt\n", "KeyboardInterrupt"),
        ("class Odd(BaseException):\n    pass\nraise Odd('strange')\n", "Odd: strange"),
        ("raise GeneratorExit\n", "GeneratorExit"),
        ("import os\nos.environ['X'] = 1\n", "TypeError"),
    ],
    ids=[
        "sys-exit",
        "system-exit-text",
        "keyboard-interrupt",
        "base-exception",
        "generator-exit",
        "error",
    ],
)
def test_any_base_exception_at_import_marks_only_that_plugin_failed(
    plugin_distributions, source: str, reason: str
) -> None:
    plugin_distributions("odibi-exits", "odibi_exits_mod", source)
    plugin_distributions("odibi-good", "odibi_good_guarded", GOOD)
    pm = create_plugin_manager(PluginSettings())
    by_dist = {p.distribution: p for p in pm.plugins}
    assert by_dist["odibi-exits"].status == "failed"
    assert reason in (by_dist["odibi-exits"].reason or "")
    assert by_dist["odibi-good"].status == "active"
    assert "fancy" in pm.connections()
    assert "duckdb" in pm.engines()


def test_a_hanging_import_is_failed_after_the_timeout_and_the_host_goes_on(
    plugin_distributions,
) -> None:
    plugin_distributions("odibi-hangs", "odibi_hangs_mod", "import time\ntime.sleep(30)\n")
    plugin_distributions("odibi-good", "odibi_good_after_hang", GOOD)
    start = time.monotonic()
    pm = create_plugin_manager(PluginSettings(import_timeout=0.3))
    elapsed = time.monotonic() - start
    by_dist = {p.distribution: p for p in pm.plugins}
    assert by_dist["odibi-hangs"].status == "failed"
    assert "import took longer than 0.3 s" in (by_dist["odibi-hangs"].reason or "")
    assert by_dist["odibi-good"].status == "active"
    assert elapsed < 10  # generous: the bound is 0.3 s, the sleep 30 s


def test_timeout_zero_imports_in_the_calling_thread_with_the_same_guard(
    plugin_distributions,
) -> None:
    plugin_distributions(
        "odibi-main-thread",
        "odibi_main_thread_mod",
        """
        import threading
        from odibi_core import hookimpl
        from odibi_core.plugins.types import ConnectionSpec
        NAME = "in-main" if threading.current_thread() is threading.main_thread() else "in-worker"

        @hookimpl
        def odibi_connections():
            return [ConnectionSpec(NAME, lambda options, ctx: None, None, "")]
    """,
    )
    plugin_distributions("odibi-exits", "odibi_exits_main", "import sys\nsys.exit(2)\n")
    pm = create_plugin_manager(PluginSettings(import_timeout=0))
    assert "in-main" in pm.connections()
    assert next(p for p in pm.plugins if p.distribution == "odibi-exits").status == "failed"


def test_import_timeout_comes_from_the_environment_before_the_yaml() -> None:
    assert PluginSettings.from_env({}).effective_import_timeout == 5.0
    from_env = PluginSettings.from_env({"ODIBI_PLUGIN_IMPORT_TIMEOUT": "1.5"})
    assert (
        from_env.merged_with(autoload=None, allow=None, deny=[], import_timeout=9).import_timeout
        == 1.5
    )
    yaml_only = PluginSettings.from_env({}).merged_with(
        autoload=None, allow=None, deny=[], import_timeout=9
    )
    assert yaml_only.effective_import_timeout == 9
    for bad in ("soon", "-1", "601", "nan"):
        with pytest.raises(ConfigError, match="ODIBI_PLUGIN_IMPORT_TIMEOUT"):
            PluginSettings.from_env({"ODIBI_PLUGIN_IMPORT_TIMEOUT": bad})


@pytest.mark.parametrize(
    "returned",
    ["['not a spec']", "{'name': 'x'}", "'spark'", "[EngineSpec(None, lambda o, c: None)]", "42"],
)
def test_a_registration_hook_returning_no_spec_fails_its_plugin_with_exit_4(
    plugin_distributions, returned: str
) -> None:
    plugin_distributions(
        "odibi-garbage",
        "odibi_garbage_mod",
        f"""
        from odibi_core import hookimpl
        from odibi_core.plugins.types import EngineSpec

        @hookimpl
        def odibi_engines():
            return {returned}
    """,
    )
    pm = create_plugin_manager(PluginSettings())
    assert "duckdb" in pm.engines()  # unrelated runs go on
    info = next(p for p in pm.plugins if p.distribution == "odibi-garbage")
    assert info.status == "failed"
    assert "odibi_engines returned" in (info.reason or "")
    assert "EngineSpec" in (info.reason or "")
    with pytest.raises(PluginError) as error:
        pm.engine("spark-ish")
    assert "odibi-garbage" in error.value.message
    assert int(error.value.exit_code) == 4


def test_a_registration_hook_calling_sys_exit_fails_its_plugin(plugin_distributions) -> None:
    plugin_distributions(
        "odibi-exit-hook",
        "odibi_exit_hook_mod",
        """
        import sys
        from odibi_core import hookimpl

        @hookimpl
        def odibi_connections():
            sys.exit(9)
    """,
    )
    pm = create_plugin_manager(PluginSettings())
    assert "local" in pm.connections()
    info = next(p for p in pm.plugins if p.distribution == "odibi-exit-hook")
    assert info.status == "failed"
    assert "odibi_connections raised" in (info.reason or "")
    assert "sys.exit(9)" in (info.reason or "")
