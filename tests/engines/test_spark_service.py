"""The Spark cluster service never breaks `scripts/services.sh start` on a machine without Java 17.

The script runs from a copy of the repository's ``scripts/services`` folder in a temporary
folder, with a ``java`` on ``PATH`` that reports an older version (or none at all): it must start
nothing, exit 0 so the other services still start, and leave the reason in ``.services/env`` in a
form shells can source, which the cluster tests then report.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from odibi_core.testing.services import read_env_file

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "services" / "spark.sh"


def run_start(root: Path, java_version: str | None) -> subprocess.CompletedProcess[str]:
    services = root / "scripts" / "services"
    services.mkdir(parents=True)
    shutil.copy(SCRIPT, services / "spark.sh")
    tools = root / "bin"
    tools.mkdir()
    for name in ("bash", "python3", "awk", "sed", "tr", "cat", "mkdir", "rm", "touch", "dirname"):
        found = shutil.which(name)
        assert found, name
        (tools / name).symlink_to(found)
    if java_version is not None:
        java = tools / "java"
        java.write_text(f"#!/bin/sh\necho 'openjdk version \"{java_version}\" 2019-01-15' >&2\n")
        java.chmod(0o755)
    env = {"PATH": str(tools), "HOME": os.environ.get("HOME", str(root))}
    return subprocess.run(
        [str(tools / "bash"), str(services / "spark.sh"), "start"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(("java_version", "found"), [("11.0.2", "11"), (None, "0")])
def test_without_java_17_nothing_starts_and_the_reason_is_recorded(
    tmp_path: Path, java_version: str | None, found: str
) -> None:
    done = run_start(tmp_path, java_version)
    assert done.returncode == 0, done.stderr
    assert "Spark needs Java 17 or newer" in done.stderr
    assert not (tmp_path / ".services" / "spark" / "master.pid").exists()
    values = read_env_file(tmp_path / ".services" / "env")
    assert "ODIBI_TEST_SPARK_MASTER" not in values
    assert f"found {found}" in values["ODIBI_TEST_SPARK_UNAVAILABLE"]
    sourced = subprocess.run(
        ["bash", "-c", 'set -a; . .services/env; echo "$ODIBI_TEST_SPARK_UNAVAILABLE"'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert sourced.stdout.strip() == values["ODIBI_TEST_SPARK_UNAVAILABLE"]
