"""Builtins go through the hooks third parties use: CLI commands, doctor checks, run reports.

Also: lifecycle hooks the kernel executes accept only wrappers, and every hook call goes
through pluggy (its monitoring sees registration, doctor and reporter calls).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from odibi_core import hookimpl
from odibi_core.config.loader import load_project
from odibi_core.contracts.lifecycle import FinishedRun
from odibi_core.doctor import run_doctor
from odibi_core.errors import PluginConflictError
from odibi_core.execution.runner import RunOptions, run_project
from odibi_core.plugins.loader import STATUS_BLOCKED, STATUS_FAILED, PluginSettings
from odibi_core.plugins.manager import create_plugin_manager
from odibi_core.plugins.types import CliCommandSpec, DoctorCheck

PROJECT = """\
project: t
connections:
  raw: {type: local, base_path: ./data}
  out: {type: local, base_path: ./out}
reports: {samples: true, sample_rows: 2}
pipelines:
  - pipeline: p
    nodes:
      - name: src
        read: {connection: raw, path: in.csv}
      - name: big
        depends_on: [src]
        transform: {steps: ["SELECT id FROM this WHERE id > 1 ORDER BY id"]}
        write: {connection: out, path: big.parquet}
"""
FILES = {"data/in.csv": "id\n1\n2\n3\n"}

COMMAND_PLUGIN = '''
import typer
from odibi_core import hookimpl
from odibi_core.plugins.types import CliCommandSpec

def _hello() -> None:
    """Say hello."""
    typer.echo("hello from a plugin")

@hookimpl
def odibi_cli_commands():
    return [CliCommandSpec("NAME", lambda: _hello, "Say hello.")]
'''


def _odibi(args: list[str], site: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "odibi_core.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_builtin_commands_are_registrations_of_the_core_distribution() -> None:
    pm = create_plugin_manager(PluginSettings(autoload=False), load_entry_points=False)
    commands = pm.cli_commands()
    assert {
        "run",
        "validate",
        "graph",
        "init",
        "doctor",
        "plugins",
        "state",
        "secrets",
        "story",
    } <= set(commands)
    assert {r.distribution for r in commands.values()} == {"odibi-core"}
    assert {r.plugin for r in commands.values()} == {"builtin-commands"}


def test_the_builtin_command_table_is_what_the_command_modules_register() -> None:
    """``BUILTIN_COMMANDS`` names each command with the module that registers it (so a command
    is mounted without importing the others): it must agree with the modules themselves."""
    import importlib

    from odibi_core.cli.builtin_commands import registered_command
    from odibi_core.cli.commands import BUILTIN_COMMAND_MODULES, BUILTIN_COMMANDS

    for module in BUILTIN_COMMAND_MODULES:
        scratch = typer.Typer()
        importlib.import_module(module).register(scratch)
        names = {i.name for i in scratch.registered_commands} | {
            g.name for g in scratch.registered_groups
        }
        assert names == {n for n, m in BUILTIN_COMMANDS.items() if m == module}, module
    assert callable(registered_command("run", BUILTIN_COMMANDS["run"]))
    assert isinstance(registered_command("state", BUILTIN_COMMANDS["state"]), typer.Typer)
    with pytest.raises(LookupError, match="registers no command 'graph'"):
        registered_command("graph", BUILTIN_COMMANDS["story"])


def test_a_plugin_command_named_like_a_builtin_is_a_conflict_naming_both() -> None:
    class Shadow:
        @hookimpl
        def odibi_cli_commands(self) -> list[CliCommandSpec]:
            return [CliCommandSpec("doctor", lambda: lambda: None, "mine")]

    pm = create_plugin_manager(
        PluginSettings(autoload=False),
        extra_plugins=[("acme-cli", Shadow())],
        load_entry_points=False,
    )
    with pytest.raises(PluginConflictError) as caught:
        pm.cli_commands()
    assert (
        "'doctor' is registered twice: by odibi-core (plugin builtin-commands) and by acme-cli"
        in (caught.value.message)
    )


def test_cli_mounts_a_plugin_single_command_and_refuses_a_shadowing_one(
    plugin_distributions: Callable[..., Path],
    tmp_path: Path,
) -> None:
    module = plugin_distributions(
        "acme-hello", "acme_hello", COMMAND_PLUGIN.replace("NAME", "hello")
    )
    site = module.parent
    ok = _odibi(["hello"], site, tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "hello from a plugin"

    plugin_distributions("acme-evil", "acme_evil", COMMAND_PLUGIN.replace("NAME", "validate"))
    clash = _odibi(["hello"], site, tmp_path)
    assert clash.returncode == 4, clash.stderr
    assert "'validate' is registered twice: by odibi-core" in clash.stderr
    assert "acme-evil" in clash.stderr
    # a builtin command never loads entry points, so it still works beside the conflict
    version = _odibi(["init", str(tmp_path / "proj")], site, tmp_path)
    assert version.returncode == 0, version.stderr


class Telemetry:
    """A real plugin object with a doctor check."""

    @hookimpl
    def odibi_doctor_checks(self, context: Any) -> list[DoctorCheck]:
        return [
            DoctorCheck(
                "acme",
                "endpoint",
                True,
                f"{len(context.plugin_manager.plugins)} plugins",
                status="info",
            )
        ]


class Broken:
    @hookimpl
    def odibi_doctor_checks(self) -> list[DoctorCheck]:
        raise RuntimeError("boom")


def test_doctor_shows_builtin_checks_first_then_plugin_lines_and_isolates_a_raising_plugin(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)

    def manager(settings: Any) -> Any:
        return create_plugin_manager(
            PluginSettings(autoload=False),
            load_entry_points=False,
            extra_plugins=[("acme-telemetry", Telemetry()), ("acme-broken", Broken())],
        )

    report = run_doctor(None, plugin_manager=manager)
    sections = list(report.sections())
    assert sections[0] == "environment"
    acme = report.sections()["acme"]
    assert [(line.name, line.status) for line in acme] == [("endpoint", "info")]
    assert acme[0].detail.endswith(" plugins")
    failed = [line for line in report.problems if line.name == "acme-broken"]
    assert failed
    assert "RuntimeError: boom" in failed[0].detail
    assert sections.index("acme") > sections.index("plugins")


def test_a_doctor_check_must_agree_with_its_status() -> None:
    with pytest.raises(ValueError, match="contradicts"):
        DoctorCheck("s", "n", False, status="ok")
    with pytest.raises(ValueError, match="unknown doctor status"):
        DoctorCheck("s", "n", True, status="fine")


class Reporter:
    """Another reporter: records what the hook exposes, returns a location."""

    def __init__(self) -> None:
        self.runs: list[FinishedRun] = []

    @hookimpl
    def odibi_run_finished(self, run: FinishedRun) -> str:
        self.runs.append(run)
        return f"https://dashboard.example/runs/{run.result.run_id}"


def test_a_replacement_reporter_sees_results_and_samples_and_the_builtin_can_be_switched_off(
    write_project: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ODIBI_DISABLE_PLUGINS", "builtin-reports")
    path = write_project(PROJECT, files=FILES)
    reporter = Reporter()
    pm = create_plugin_manager(
        extra_plugins=[("acme-dashboard", reporter)], load_entry_points=False
    )
    assert next(p for p in pm.plugins if p.name == "builtin-reports").status == STATUS_BLOCKED
    [result] = run_project(load_project(path, pm=pm), pm, RunOptions(workers=1))
    assert result.ok
    assert result.report == f"https://dashboard.example/runs/{result.run_id}"
    assert not (path.parent / ".odibi" / "reports").exists()
    [run] = reporter.runs
    assert run.result is result
    assert run.plan.order == ["src", "big"]
    assert run.result.nodes["big"].sample == [{"id": 2}, {"id": 3}]
    assert run.project_dir == path.parent


def test_reports_disabled_or_a_raising_reporter_never_fails_the_run(
    write_project: Callable[..., Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # an in-process CLI test may have left the odibi logger above WARNING: set it for this test
    caplog.set_level(logging.WARNING, logger="odibi")

    class Raising:
        @hookimpl
        def odibi_run_finished(self, run: FinishedRun) -> None:
            raise OSError("dashboard down")

    path = write_project(
        PROJECT.replace("reports: {samples: true, sample_rows: 2}", "reports: {enabled: false}"),
        files=FILES,
    )
    pm = create_plugin_manager(
        PluginSettings(autoload=False),
        extra_plugins=[("acme-raising", Raising())],
        load_entry_points=False,
    )
    [result] = run_project(load_project(path, pm=pm), pm, RunOptions(workers=1))
    assert result.ok
    assert result.report is None
    assert not (path.parent / ".odibi" / "reports").exists()
    assert any(
        "acme-raising" in r.getMessage() and "dashboard down" in r.getMessage()
        for r in caplog.records
    )


@pytest.mark.parametrize("hook", ["odibi_run_pipeline", "odibi_run_node"])
def test_a_plain_lifecycle_implementation_is_refused_at_load(
    hook: str,
    write_project: Callable[..., Path],
) -> None:
    calls: list[str] = []

    def plain(self: Any, context: Any) -> None:
        calls.append(hook)
        return None

    plugin_class = type("Hijack", (), {hook: hookimpl(plain)})
    pm = create_plugin_manager(
        PluginSettings(autoload=False),
        extra_plugins=[("acme-hijack", plugin_class())],
        load_entry_points=False,
    )
    info = next(p for p in pm.plugins if p.name == "acme-hijack")
    assert info.status == STATUS_FAILED
    assert f"implements {hook} without wrapper=True" in (info.reason or "")
    assert "@hookimpl(wrapper=True)" in (info.reason or "")
    [result] = run_project(
        load_project(write_project(PROJECT, files=FILES), pm=pm), pm, RunOptions(workers=1)
    )
    assert result.ok
    assert result.nodes["big"].rows_out == 2
    assert calls == []


def test_every_hook_call_goes_through_pluggy_monitoring(write_project: Callable[..., Path]) -> None:
    reporter = Reporter()
    pm = create_plugin_manager(
        PluginSettings(autoload=False), extra_plugins=[("acme", reporter)], load_entry_points=False
    )
    seen: list[str] = []
    pm.pm.add_hookcall_monitoring(lambda name, impls, kwargs: seen.append(name), lambda *args: None)
    pm.engines()
    pm.cli_commands()
    pm.doctor_checks()
    run_project(load_project(write_project(PROJECT, files=FILES), pm=pm), pm, RunOptions(workers=1))
    for hook in (
        "odibi_engines",
        "odibi_cli_commands",
        "odibi_doctor_checks",
        "odibi_run_pipeline",
        "odibi_run_node",
        "odibi_run_finished",
    ):
        assert hook in seen, hook


@settings(max_examples=25, deadline=None)
@given(
    outcomes=st.lists(
        st.sampled_from(["ok", "raises", "exits", "wrong type"]), min_size=1, max_size=6
    )
)
def test_each_plugin_is_called_on_its_own_so_one_failure_costs_only_its_records(
    outcomes: list[str],
) -> None:
    from odibi_core.plugins.types import EngineSpec

    def make(i: int, outcome: str) -> object:
        class Plugin:
            @hookimpl
            def odibi_engines(self) -> Any:
                if outcome == "raises":
                    raise RuntimeError(f"plugin {i} broke")
                if outcome == "exits":
                    raise SystemExit(3)
                if outcome == "wrong type":
                    return ["not a spec"]
                return [EngineSpec(f"engine{i}", lambda options, ctx: None)]

        return Plugin()

    plugins = [(f"acme-{i}", make(i, outcome)) for i, outcome in enumerate(outcomes)]
    pm = create_plugin_manager(
        PluginSettings(autoload=False), extra_plugins=plugins, load_entry_points=False
    )
    engines = pm.engines()
    assert set(engines) == {"duckdb"} | {f"engine{i}" for i, o in enumerate(outcomes) if o == "ok"}
    failed = {p.name for p in pm.plugins if p.status == STATUS_FAILED}
    assert failed == {f"acme-{i}" for i, o in enumerate(outcomes) if o != "ok"}


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["--log-level", "DEBUG", "run", "x.yaml"], "run"),
        (["--log-format=json", "hello"], "hello"),
        (["--debug", "--version"], None),
        ([], None),
    ],
)
def test_the_command_name_skips_global_options_and_their_values(
    argv: list[str], name: str | None
) -> None:
    from odibi_core.cli.main import _command_name

    assert _command_name(argv) == name
