"""The quickstart example runs through the real CLI (a subprocess) on every engine, unchanged
except for its ``engine:`` line, and writes the same data each time."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from odibi_core.testing.cli import run_odibi
from odibi_core.testing.parity import assert_same_output, read_output

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart"
OUTPUTS = ("enriched.parquet", "region_totals.parquet")
SPARK_ENV = {"SPARK_LOCAL_IP": "127.0.0.1"}


def project_for(engine: str, root: Path) -> Path:
    """A copy of the quickstart whose ``engine:`` line says ``engine``."""
    target = root / engine
    shutil.copytree(
        QUICKSTART, target, ignore=shutil.ignore_patterns("lake", ".odibi", "__pycache__")
    )
    yaml_file = target / "odibi.yaml"
    text, count = re.subn(r"(?m)^engine: \w+", f"engine: {engine}", yaml_file.read_text())
    assert count == 1
    yaml_file.write_text(text)
    return yaml_file


@pytest.fixture(scope="module")
def duckdb_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The quickstart's outputs on the default engine, via the CLI."""
    project = project_for("duckdb", tmp_path_factory.mktemp("cli"))
    done = run_odibi(["run", str(project)])
    assert done.returncode == 0, done.stderr
    return {name: read_output(project.parent / "lake" / name, "parquet") for name in OUTPUTS}


@pytest.mark.parametrize("engine", ["pandas", pytest.param("spark", marks=pytest.mark.spark)])
def test_quickstart_runs_on_each_engine_through_the_cli(
    engine: str, tmp_path: Path, duckdb_outputs: dict[str, object]
) -> None:
    project = project_for(engine, tmp_path)
    validated = run_odibi(["validate", str(project)], extra_env=SPARK_ENV)
    assert validated.returncode == 0, validated.stderr
    assert f"engine {engine}" in validated.stdout
    done = run_odibi(["run", str(project)], extra_env=SPARK_ENV, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "daily_sales" in done.stdout
    assert "success" in done.stdout
    for name in OUTPUTS:
        assert_same_output(
            duckdb_outputs[name],
            read_output(project.parent / "lake" / name, "parquet"),  # type: ignore[arg-type]
            f"{engine} {name}",
        )


def test_validate_and_plugins_list_do_not_start_or_import_spark(tmp_path: Path) -> None:
    project = project_for("spark", tmp_path)
    env = {**SPARK_ENV, "PYTHONPROFILEIMPORTTIME": "1"}
    validated = run_odibi(["validate", str(project)], extra_env=env)
    assert validated.returncode == 0, validated.stderr
    listed = run_odibi(["plugins", "list", "--json"], extra_env=env)
    assert listed.returncode == 0, listed.stderr
    assert '"spark"' in listed.stdout or "odibi-engine-spark" in listed.stdout
    for done in (validated, listed):
        imported = [line for line in done.stderr.splitlines() if "import time:" in line]
        assert imported, "import timing was not captured"
        assert not [line for line in imported if re.search(r"\|\s+(pyspark|pandas)(\.|$)", line)]


def test_an_unknown_engine_option_is_rejected_with_its_location(tmp_path: Path) -> None:
    project = project_for("spark", tmp_path)
    text = project.read_text().replace(
        "engine: spark", 'engine: spark\nengine_options: {mastr: "local[1]"}'
    )
    project.write_text(text)
    done = run_odibi(["validate", str(project)])
    assert done.returncode == 3, done.stdout + done.stderr
    assert "mastr" in done.stderr
    assert "master" in done.stderr
