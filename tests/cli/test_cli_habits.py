"""Commands behave like their neighbours: header rows, listed types, help without Python types,
selection by tag and pipeline with --exclude, and a project found from a sub-folder."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from odibi_core.errors import ExitCode
from odibi_core.testing.cli import invoke_odibi, run_odibi

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "examples" / "quickstart"


@pytest.fixture
def quickstart(tmp_path: Path) -> Path:
    target = tmp_path / "quickstart"
    shutil.copytree(
        QUICKSTART, target, ignore=shutil.ignore_patterns("lake", ".odibi", "__pycache__")
    )
    return target


def test_plugins_list_has_a_header_and_lists_the_available_types() -> None:
    proc = run_odibi(["plugins", "list"])
    assert proc.returncode == ExitCode.OK, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:4] == ["PLUGIN", "DISTRIBUTION", "VERSION", "STATUS"]
    header = next(i for i, line in enumerate(lines) if line.startswith("KIND "))
    rows = {
        tuple(line.split()[:3]) for line in lines[header + 1 :] if line and not line.startswith("(")
    }
    for kind, name, dist in (
        ("engine", "duckdb", "odibi-core"),
        ("connection", "local", "odibi-core"),
        ("format", "parquet", "odibi-core"),
        ("state", "local", "odibi-state-local"),
        ("secrets", "env", "odibi-core"),
        ("connection", "postgres", "odibi-connector-postgres"),
    ):
        assert (kind, name, dist) in rows, (kind, name)
    assert not any(row[0] == "transformer" for row in rows)  # many: only with --kind or --all
    assert "transformer" in lines[-1]
    only = run_odibi(["plugins", "list", "--kind", "transformer"])
    assert only.returncode == ExitCode.OK, only.stderr
    assert {line.split()[0] for line in only.stdout.splitlines()[1:]} == {"transformer"}
    wrong = run_odibi(["plugins", "list", "--kind", "engines"])
    assert wrong.returncode == ExitCode.USAGE_ERROR
    assert "did you mean 'engine'" in wrong.stderr


def test_plugins_list_json_says_what_each_plugin_provides() -> None:
    proc = run_odibi(["plugins", "list", "--all", "--json"])
    assert proc.returncode == ExitCode.OK, proc.stderr
    rows = {(p["name"], p["distribution"]): p for p in json.loads(proc.stdout)}
    assert "local" in rows[("state-local", "odibi-state-local")]["provides"]["state"]
    builtin_engines = [
        p for (_, dist), p in rows.items() if dist == "odibi-core" and "engine" in p["provides"]
    ]
    assert "duckdb" in builtin_engines[0]["provides"]["engine"]


def test_state_history_has_a_header_row_and_reports_hold_no_rows_by_default(
    quickstart: Path,
) -> None:
    assert run_odibi(["run", str(quickstart)]).returncode == ExitCode.OK
    [report] = (quickstart / ".odibi" / "reports" / "daily_sales").glob("*.json")
    assert all(node["sample"] is None for node in json.loads(report.read_text())["nodes"])
    first_customer = (
        (quickstart / "data" / "customers.csv").read_text().splitlines()[2].split(",")[1]
    )  # Brendan
    assert first_customer not in report.with_suffix(".html").read_text()
    proc = run_odibi(["state", "history", str(quickstart)])
    assert proc.returncode == ExitCode.OK, proc.stderr
    header, row = proc.stdout.splitlines()[:2]
    assert header.split()[:5] == ["PIPELINE", "RUN", "ID", "STATUS", "STARTED"]
    assert row.split()[0] == "daily_sales"
    assert row.split()[2] == "success"
    assert header.index("STATUS") == row.index("success")


def _commands() -> list[list[str]]:
    import typer
    from odibi_core.cli.main import create_app

    root = typer.main.get_command(create_app(with_plugins=False, argv=[]))
    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            found.append(path)

    walk(root, [])
    return found


def test_no_help_shows_a_python_type() -> None:
    commands = _commands()
    assert ["run"] in commands
    assert ["story", "show"] in commands
    for path in commands:  # in process: the same entry point, without 20 interpreter starts
        shown = invoke_odibi([*path, "--help"])
        assert shown.exit_code == ExitCode.OK, (path, shown.stderr)
        leaked = re.findall(r"<[a-z][a-z\[\], ]*>", shown.stdout)
        assert not leaked, (path, leaked)
    run_help = invoke_odibi(["run", "--help"]).stdout
    assert "--pipeline NAME" in run_help
    assert "--workers N" in run_help
    assert "--lock-timeout SECONDS" in run_help
    graph_help = run_odibi(["graph", "--help"]).stdout
    assert "Show only this pipeline" in graph_help
    assert "Run only" not in graph_help


TAGGED = """\
project: tagged
connections:
  raw: {type: local, base_path: ./data}
pipelines:
  - pipeline: daily
    nodes:
      - {name: orders, read: {connection: raw, format: csv, path: orders.csv}, tags: [raw]}
      - {name: customers, read: {connection: raw, format: csv, path: customers.csv}, tags: [raw, pii]}
      - name: joined
        depends_on: [orders, customers]
        tags: [mart]
        transform: {steps: ["SELECT * FROM orders JOIN customers USING (customer_id)"]}
      - name: totals
        depends_on: [joined]
        tags: [mart, slow]
        transform: {steps: ["SELECT count(*) AS n FROM joined"]}
  - pipeline: weekly
    nodes:
      - {name: orders_w, read: {connection: raw, format: csv, path: orders.csv}, tags: [raw]}
      - {name: end, depends_on: [orders_w], transform: {steps: ["SELECT * FROM orders_w"]}}
"""  # noqa: E501 (project YAML test data, kept one node per line)


def _planned(proc_stdout: str) -> dict[str, set[str]]:
    planned: dict[str, set[str]] = {}
    pipeline = ""
    for line in proc_stdout.splitlines():
        if line.startswith("pipeline "):
            pipeline = line.split()[1].rstrip(":")
            planned[pipeline] = set()
        elif line.strip().startswith("layer "):
            planned[pipeline] |= {n.strip() for n in line.split(":", 1)[1].split(",")}
    return planned


def test_select_by_tag_and_pipeline_with_exclude(quickstart: Path) -> None:
    (quickstart / "odibi.yaml").write_text(textwrap.dedent(TAGGED))

    def dry(*args: str) -> dict[str, set[str]]:
        proc = invoke_odibi(["run", str(quickstart), "--dry-run", *args])
        assert proc.exit_code == ExitCode.OK, proc.stderr
        return _planned(proc.stdout)

    assert dry("--select", "tag:slow") == {"daily": {"orders", "customers", "joined", "totals"}}
    assert dry("-s", "tag:raw", "--exclude", "customers") == {
        "daily": {"orders"},
        "weekly": {"orders_w"},
    }
    assert dry("--select", "pipeline:weekly") == {"weekly": {"orders_w", "end"}}
    noted = invoke_odibi(["run", str(quickstart), "--dry-run", "--exclude", "customers"])
    assert "note: pipeline daily: --exclude also leaves out joined, totals" in noted.stderr
    assert _planned(noted.stdout) == {"daily": {"orders"}, "weekly": {"orders_w", "end"}}
    assert dry("--select", "orders+", "-x", "tag:slow") == {
        "daily": {"orders", "customers", "joined"}
    }
    assert dry("--node", "end,totals") == {
        "daily": {"orders", "customers", "joined", "totals"},
        "weekly": {"orders_w", "end"},
    }
    typo = run_odibi(["run", str(quickstart), "--select", "tag:sloww"])  # as a real process
    assert typo.returncode == ExitCode.USAGE_ERROR
    assert "no node has tag 'sloww'" in typo.stderr
    assert "slow" in typo.stderr
    nothing = invoke_odibi(["run", str(quickstart), "--select", "totals", "--exclude", "orders"])
    assert nothing.exit_code == ExitCode.USAGE_ERROR
    assert "leaves no node to run" in nothing.stderr
    bad_tag = quickstart / "odibi.yaml"
    bad_tag.write_text(bad_tag.read_text().replace("tags: [mart, slow]", "tags: ['mart:x']"))
    refused = invoke_odibi(["validate", str(quickstart)])
    assert refused.exit_code == ExitCode.CONFIG_INVALID
    assert "odibi.yaml:" in refused.stderr
    assert "tags" in refused.stderr


def test_run_from_a_sub_folder_finds_the_project_above(quickstart: Path) -> None:
    sub = quickstart / "data" / "nested"
    sub.mkdir()
    proc = run_odibi(["--debug", "run", "--dry-run"], cwd=sub)
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert "pipeline daily_sales" in proc.stdout
    assert (
        f"project file {(quickstart / 'odibi.yaml').resolve()} (found in a parent folder"
        in proc.stderr
    )
    graph = run_odibi(["graph"], cwd=sub)
    assert graph.returncode == ExitCode.OK
    assert "daily_sales" in graph.stdout
    (quickstart / "data" / ".git").mkdir()  # a repository root stops the search
    stopped = run_odibi(["validate"], cwd=sub)
    assert stopped.returncode == ExitCode.CONFIG_INVALID
    assert "no odibi.yaml in" in stopped.stderr
    assert "repository root" in stopped.stderr
