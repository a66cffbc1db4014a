"""The ``odibi`` command as users run it: a subprocess, with documented exit codes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from odibi_core.errors import ExitCode
from odibi_core.testing.cli import run_odibi
from odibi_core.testing.distributions import make_distribution

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "examples" / "quickstart"


@pytest.fixture
def quickstart(tmp_path: Path) -> Path:
    target = tmp_path / "quickstart"
    shutil.copytree(
        QUICKSTART, target, ignore=shutil.ignore_patterns("lake", ".odibi", "__pycache__")
    )
    return target / "odibi.yaml"


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.parquet"))
    }


def test_help_does_not_import_data_libraries() -> None:
    code = (
        "import sys\n"
        "from odibi_core.cli.main import _invoke\n"
        "rc = _invoke(['--help'])\n"
        "heavy = sorted(m for m in ('duckdb', 'pandas', 'pyarrow', 'pyspark', 'psycopg', "
        "'azure.storage.blob',"
        " 'opentelemetry.sdk') if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy))\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Commands:" in proc.stdout
    assert "HEAVY=\n" in proc.stdout


def test_plugins_list_does_not_import_sdks() -> None:
    code = (
        "import sys\n"
        "from odibi_core.cli.main import _invoke\n"
        "rc = _invoke(['plugins', 'list', '--all', '--json'])\n"
        "heavy = sorted(m for m in ('duckdb', 'pandas', 'pyspark', 'psycopg', 'azure.storage.blob',"
        " 'opentelemetry.sdk') if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy))\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith("HEAVY=")
    listed = json.loads(proc.stdout[: proc.stdout.rindex("HEAVY=")])
    assert any(p["name"] == "builtin-engines" and p["status"] == "active" for p in listed)


def test_version_and_usage_errors() -> None:
    version = run_odibi(["--version"])
    assert version.returncode == ExitCode.OK
    assert version.stdout.startswith("odibi ")
    bad = run_odibi(["run", "--no-such-flag"])
    assert bad.returncode == ExitCode.USAGE_ERROR
    assert "No such option" in bad.stderr


def test_run_example_is_byte_identical_on_rerun(quickstart: Path) -> None:
    first = run_odibi(["run", str(quickstart)])
    assert first.returncode == ExitCode.OK, first.stderr
    assert "daily_sales" in first.stdout
    assert "success" in first.stdout
    lake = quickstart.parent / "lake"
    digest = _digest(lake)
    assert set(digest) == {"enriched.parquet", "region_totals.parquet"}
    second = run_odibi(["run", str(quickstart)], cwd="/")
    assert second.returncode == ExitCode.OK, second.stderr
    assert _digest(lake) == digest


def test_validate_graph_and_dry_run_touch_nothing(quickstart: Path) -> None:
    valid = run_odibi(["validate", str(quickstart)])
    assert valid.returncode == ExitCode.OK, valid.stderr
    assert "valid (1 pipeline(s), 4 node(s), engine duckdb)" in valid.stdout
    for fmt, needle in (
        ("text", "layer 2"),
        ("mermaid", "p1n1 --> p1n3"),
        ("dot", "p1n3 -> p1n4"),
    ):
        graph = run_odibi(["graph", str(quickstart), "--format", fmt])
        assert graph.returncode == ExitCode.OK, graph.stderr
        assert needle in graph.stdout
    dry = run_odibi(["run", str(quickstart), "--dry-run"])
    assert dry.returncode == ExitCode.OK
    assert "dry run" in dry.stdout
    assert not (quickstart.parent / "lake").exists()
    assert not (quickstart.parent / ".odibi").exists()


def test_config_error_exit_code_and_message(quickstart: Path) -> None:
    text = quickstart.read_text().replace(
        "        read: {connection: raw, format: csv, path: orders.csv}",
        "        raed: {connection: raw, format: csv, path: orders.csv}",
    )
    quickstart.write_text(text)
    proc = run_odibi(["run", str(quickstart)])
    assert proc.returncode == ExitCode.CONFIG_INVALID
    assert "odibi.yaml:18" in proc.stderr
    assert "unknown key 'raed' (did you mean 'read'?)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_env_var_is_named_not_shown(quickstart: Path) -> None:
    quickstart.write_text(
        quickstart.read_text().replace("base_path: ./lake", "base_path: ${env:ODIBI_LAKE_DIR}")
    )
    env = {k: v for k, v in os.environ.items() if k != "ODIBI_LAKE_DIR"}
    proc = run_odibi(["run", str(quickstart)], env=env)
    assert proc.returncode == ExitCode.CONFIG_INVALID
    assert "${env:ODIBI_LAKE_DIR} is not set" in proc.stderr


def test_failed_run_exit_code_and_debug_traceback(quickstart: Path) -> None:
    quickstart.write_text(
        quickstart.read_text().replace("FROM enriched GROUP BY", "FROM enriched_typo GROUP BY")
    )
    proc = run_odibi(["run", str(quickstart)])
    assert proc.returncode == ExitCode.RUN_FAILED
    assert "region_totals" in proc.stdout
    assert "failed" in proc.stdout
    assert "enriched_typo" in proc.stdout
    assert "Traceback" not in proc.stderr
    debug = run_odibi(["--debug", "run", str(quickstart)])
    assert debug.returncode == ExitCode.RUN_FAILED
    assert "Traceback" in debug.stderr


def test_unknown_pipeline_is_a_usage_error(quickstart: Path) -> None:
    proc = run_odibi(["run", str(quickstart), "--pipeline", "daily_sale"])
    assert proc.returncode == ExitCode.USAGE_ERROR
    assert "did you mean 'daily_sales'" in proc.stderr


def test_missing_engine_plugin_is_a_plugin_error(quickstart: Path) -> None:
    quickstart.write_text(quickstart.read_text().replace("engine: duckdb", "engine: sparkle"))
    proc = run_odibi(["validate", str(quickstart)])
    assert proc.returncode == ExitCode.PLUGIN_ERROR
    assert "unknown engine 'sparkle'" in proc.stderr
    assert "odibi.yaml:4" in proc.stderr


def test_broken_plugin_does_not_crash_a_run_that_does_not_use_it(
    quickstart: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    make_distribution(
        site, "odibi-broken-plugin", "odibi_broken_plugin", "raise ImportError('no such sdk')\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])),
    }
    listed = run_odibi(["plugins", "list", "--all"], env=env)
    assert listed.returncode == ExitCode.OK
    assert "odibi-broken-plugin" in listed.stdout
    assert "failed" in listed.stdout
    assert "no such sdk" in listed.stdout
    run = run_odibi(["run", str(quickstart)], env=env)
    assert run.returncode == ExitCode.OK, run.stderr
    assert "no such sdk" in run.stderr  # reported once as a warning, run unaffected


def test_blocked_plugin_is_never_imported_by_the_cli(quickstart: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    marker = tmp_path / "imported.txt"
    make_distribution(
        site,
        "odibi-marker-plugin",
        "odibi_marker_plugin",
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('x')\n",
    )
    env = {**os.environ, "PYTHONPATH": str(site), "ODIBI_DISABLE_PLUGINS": "odibi-marker-plugin"}
    proc = run_odibi(["run", str(quickstart)], env=env)
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert not marker.exists()
    listed = run_odibi(["plugins", "list", "--all", "--json"], env=env)
    entry = next(p for p in json.loads(listed.stdout) if p["distribution"] == "odibi-marker-plugin")
    assert entry["status"] == "blocked"
    assert not marker.exists()
    yaml_block = quickstart.read_text() + "plugins:\n  deny: [odibi-marker-plugin]\n"
    quickstart.write_text(yaml_block)
    env.pop("ODIBI_DISABLE_PLUGINS")
    assert run_odibi(["run", str(quickstart)], env=env).returncode == ExitCode.OK
    assert not marker.exists()


def test_json_log_format(quickstart: Path) -> None:
    proc = run_odibi(["--log-format", "json", "run", str(quickstart)])
    assert proc.returncode == ExitCode.OK, proc.stderr
    records = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    node_lines = [r for r in records if r.get("node") == "enriched"]
    assert node_lines, proc.stderr
    assert {"timestamp", "level", "logger", "message", "run_id", "pipeline", "node"} <= set(
        node_lines[0]
    )
    assert node_lines[0]["pipeline"] == "daily_sales"


def test_init_scaffolds_a_runnable_project(tmp_path: Path) -> None:
    target = tmp_path / "new"
    made = run_odibi(["init", str(target)])
    assert made.returncode == ExitCode.OK, made.stderr
    assert f"cd {target} && odibi run" in made.stdout
    example = (QUICKSTART / "odibi.yaml").read_text().splitlines()
    written = (target / "odibi.yaml").read_text().splitlines()
    # named after the folder, with the command that runs it; everything else is the example
    assert written[1] == f"# Run it with:  cd {target} && odibi run"
    assert written[2] == "project: new"
    assert written[0] == example[0]
    assert written[3:] == example[3:]
    ignored = (target / ".gitignore").read_text().splitlines()
    assert {".odibi/", "lake/", ".env", ".venv/"} <= set(ignored)
    assert "# new" in (target / "README.md").read_text()
    assert "odibi secrets init" in (target / ".env.example").read_text()
    # run from the folder itself (the command the comment gives), then from a sub-folder
    assert run_odibi(["run"], cwd=target).returncode == ExitCode.OK
    (target / "data" / "deeper").mkdir()
    assert run_odibi(["validate"], cwd=target / "data" / "deeper").returncode == ExitCode.OK
    again = run_odibi(["init", str(target)])
    assert again.returncode == ExitCode.USAGE_ERROR
    assert "not empty" in again.stderr


def test_init_names_odd_folders_safely(tmp_path: Path) -> None:
    target = tmp_path / "my shop's data"
    made = run_odibi(["init", str(target)])
    assert made.returncode == ExitCode.OK, made.stderr
    assert "project: my_shop_s_data" in (target / "odibi.yaml").read_text()
    assert "cd '" in made.stdout  # shell-quoted
    assert run_odibi(["validate", str(target)]).returncode == ExitCode.OK
