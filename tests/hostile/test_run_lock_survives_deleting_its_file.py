"""Promise: deleting the run-lock file while a run holds it does not let a second run in.

Real processes: a run of the CLI holds its pipeline's lock; every ``*.lock`` file beside the state
is deleted (a user tidying up); a second run of the same pipeline is refused, naming the holder's
process; once the holder is gone, the pipeline runs again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from odibi_core.testing.cli import run_odibi

PROJECT = """
project: tidy
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: nightly
    nodes:
      - name: numbers
        read: {connection: raw, path: numbers.csv}
        transform:
          steps:
            - function: pause
        write: {connection: lake, path: numbers.parquet}
"""

TRANSFORMS = '''
import os
import time

from odibi_core import transform


@transform(frame="arrow")
def pause(table):
    """Hold the run while PAUSE_FILE exists."""
    while os.path.exists(os.environ.get("PAUSE_FILE", "")):
        time.sleep(0.05)
    return table
'''


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the lock-file guard is Linux's abstract sockets"
)
def test_a_second_run_is_refused_after_the_lock_files_were_deleted(
    write_project: Callable[..., Path],
) -> None:
    project = write_project(
        PROJECT, files={"data/numbers.csv": "n\n1\n2\n", "transforms.py": TRANSFORMS}
    )
    pause = project.parent / "pause"
    pause.touch()
    env = {**os.environ, "PAUSE_FILE": str(pause), "PYTHONUNBUFFERED": "1"}
    holder = subprocess.Popen(
        [sys.executable, "-m", "odibi_core.cli.main", "run", str(project)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        sidecar = project.parent / ".odibi" / "state.json.pipeline.nightly.lock"
        deadline = time.monotonic() + 120
        while not (sidecar.exists() and sidecar.read_text().strip()):
            assert holder.poll() is None, holder.communicate()
            assert time.monotonic() < deadline, "the first run never took its lock"
            time.sleep(0.05)
        removed = list(sidecar.parent.glob("*.lock"))
        for lock_file in removed:
            lock_file.unlink()
        assert sidecar in removed

        second = run_odibi(["run", str(project), "--no-wait"], env=env)
        assert second.returncode == 5, second.stderr
        assert f"held by process {holder.pid}" in second.stderr
        assert "was removed while it held the lock" in second.stderr
        assert not (project.parent / "lake" / "numbers.parquet").exists()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate(timeout=60)
    pause.unlink()
    after = run_odibi(["run", str(project), "--no-wait"], env=env)
    assert after.returncode == 0, after.stderr
    assert (project.parent / "lake" / "numbers.parquet").exists()
