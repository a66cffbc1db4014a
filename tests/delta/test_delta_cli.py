"""Delta end to end: ``odibi run`` and ``odibi delta`` as subprocesses, concurrent writers as
real processes (appends both commit; an overwrite that loses the race fails cleanly)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from odibi_core.testing.cli import run_odibi

WORKER = Path(__file__).with_name("delta_worker.py")

PROJECT = """\
project: events
connections:
  raw: {{type: local, base_path: ./data}}
  lake: {{type: local, base_path: {lake}}}
pipelines:
  - pipeline: load
    nodes:
      - name: events
        read: {{connection: raw, path: seed.csv}}
        transform:
          steps:
            - "SELECT range AS id, CAST(hash(range) % 1000003 AS BIGINT) AS day FROM range({rows})"
        write: {{connection: lake, path: t, format: delta, mode: {mode}, options: {options}}}
"""


def _project(
    folder: Path, lake: Path, *, rows: int = 10, mode: str = "append", options: str = "{}"
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    (folder / "data" / "seed.csv").write_text("x\n1\n")
    path = folder / "odibi.yaml"
    path.write_text(PROJECT.format(lake=lake, rows=rows, mode=mode, options=options))
    return path


def _odibi(capsys, *args: str) -> tuple[int, str, str]:
    """The CLI in this process (cheaper; the subprocess path is covered by run_odibi calls).
    Process-wide stream redaction is left out: capsys owns the streams here."""
    from unittest import mock

    from odibi_core.cli.main import _invoke

    capsys.readouterr()
    with mock.patch("odibi_core.redaction.process.install_process_redaction", return_value=None):
        code = _invoke(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_then_history_vacuum_optimize(tmp_path, capsys):
    lake = tmp_path / "lake"
    project = str(_project(tmp_path / "p", lake, options="{partition_by: [day]}"))
    result = run_odibi(["run", project])
    assert result.returncode == 0, result.stderr
    assert _odibi(capsys, "run", project)[0] == 0
    history = run_odibi(["delta", "history", "lake:t", project, "--json"])
    assert history.returncode == 0, history.stderr
    assert [c["version"] for c in json.loads(history.stdout)] == [1, 0]
    text = _odibi(capsys, "delta", "history", "lake:t", project)[1]
    assert "version 1  WRITE" in text
    assert "10 rows added" in text
    code, out, err = _odibi(capsys, "delta", "optimize", "lake:t", project, "--json")
    assert code == 0, err
    assert json.loads(out)["numFilesRemoved"] > 0
    code, out, _ = _odibi(capsys, "delta", "vacuum", "lake:t", project)
    assert code == 0
    assert "would delete (dry run; add --apply): 0 file(s)" in out
    code, _, err = _odibi(capsys, "delta", "vacuum", "lake:t", project, "--retention-hours", "0")
    assert code == 2
    assert "--force-short-retention" in err
    before = len(list((lake / "t").rglob("*.parquet")))
    short = (
        "delta",
        "vacuum",
        "lake:t",
        project,
        "--retention-hours",
        "0",
        "--force-short-retention",
    )
    files = json.loads(_odibi(capsys, *short, "--json")[1])["files"]
    assert files
    assert len(list((lake / "t").rglob("*.parquet"))) == before
    code, out, _ = _odibi(capsys, *short, "--apply")
    assert code == 0
    assert f"deleted: {len(files)} file(s)" in out
    assert len(list((lake / "t").rglob("*.parquet"))) == before - len(files)
    code, _, err = _odibi(capsys, "delta", "history", "lake:nothing", project)
    assert code == 1
    assert "no Delta table at lake:nothing" in err
    code, _, err = _odibi(capsys, "delta", "history", "lake", project)
    assert code == 2
    assert "CONNECTION:PATH" in err


def _seed(lake: Path) -> None:
    import pyarrow as pa
    from odibi_core.connections.local import LocalConnection
    from odibi_core.contracts.requests import WriteRequest
    from odibi_format_delta.format import DeltaFormat

    data = pa.table({"id": pa.array([0], pa.int64()), "day": pa.array([0], pa.int64())})
    DeltaFormat().write_arrow(
        data.to_reader(),
        LocalConnection("lake", lake),
        WriteRequest(mode="overwrite", format="delta", path="t"),
    )


def test_two_processes_appending_both_commit(tmp_path):
    lake = tmp_path / "lake"
    _seed(lake)
    flag = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), "append", str(lake), str(flag), str(tag)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in (1, 2)
    ]
    flag.touch()
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    from deltalake import DeltaTable

    table = DeltaTable(str(lake / "t"))
    assert table.version() == 6  # the seed plus 3 appends of each writer, none lost
    days = table.to_pyarrow_table(columns=["day"])["day"].to_pylist()
    assert days.count(1) == 30
    assert days.count(2) == 30


def test_an_overwrite_that_loses_the_race_fails_cleanly(tmp_path):
    from deltalake import DeltaTable

    lake = tmp_path / "lake"
    _seed(lake)
    big = _project(tmp_path / "big", lake, rows=400_000, mode="overwrite")
    flag = tmp_path / "go"
    flag.touch()
    other = subprocess.Popen(
        [sys.executable, str(WORKER), "overwrite-until-stopped", str(lake), str(flag), "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while DeltaTable(str(lake / "t")).version() < 1 and other.poll() is None:
            time.sleep(0.05)
        result = run_odibi(["run", str(big)])
    finally:
        (tmp_path / "stop").touch()
        out, err = other.communicate(timeout=120)
    assert other.returncode == 0, err
    assert result.returncode == 1, result.stdout
    shown = result.stdout + result.stderr
    assert "DeltaConflict" in shown
    assert "another writer committed to Delta table lake:t first" in shown
    table = DeltaTable(str(lake / "t"))
    assert table.to_pyarrow_table()["id"].to_pylist() == [-1]  # the other writer's data only
    assert table.version() == int(out.split()[-1])  # every commit is the other writer's
