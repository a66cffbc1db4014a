"""``odibi run`` against Azurite as a subprocess: a SAS credential never shows in any output,
even at DEBUG; a write killed at random moments never leaves a partial file, and the next run
of the node removes whatever staging blob the killed one left."""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

from odibi_core.testing.cli import run_odibi

ROWS_NODE = """\
- name: numbers
  read: {connection: raw, path: seed.csv}
  transform: {steps: ["SELECT range AS id, range * 2 AS twice FROM range(ROWS)"]}
  write: {connection: az, path: out/numbers.parquet}
"""


def _rows(container, name: str) -> int:
    import pyarrow.parquet as pq

    return pq.read_metadata(io.BytesIO(container.download_blob(name).readall())).num_rows


def test_sas_token_never_reaches_any_output(azure_project, container, azurite):
    from azure.storage.blob import AccountSasPermissions, ResourceTypes, generate_account_sas

    token = generate_account_sas(
        "devstoreaccount1",
        azurite["key"],
        ResourceTypes(service=True, container=True, object=True),
        AccountSasPermissions(read=True, write=True, delete=True, list=True, add=True, create=True),
        expiry=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    project = azure_project(
        ROWS_NODE.replace("ROWS", "1000"),
        files={"seed.csv": "x\n1\n"},
        credential="sas_token: ${secret:AZ_SAS}",
    )
    signature = next(part for part in token.split("&") if part.startswith("sig="))[4:]
    result = run_odibi(
        ["--log-level", "DEBUG", "run", str(project)],
        extra_env={"AZ_SAS": token},
        cwd=project.parent,
    )
    assert result.returncode == 0, result.stderr
    assert _rows(container, "out/numbers.parquet") == 1000
    report_dir = project.parent / ".odibi"
    outputs = [result.stdout, result.stderr] + [
        p.read_text(errors="replace") for p in report_dir.rglob("*") if p.is_file()
    ]
    from urllib.parse import unquote

    for text in outputs:
        assert signature not in text
        assert unquote(signature) not in text
        assert "sig=" not in text or "sig=***" in text or "sig=[REDACTED]" in text


def test_killed_writes_never_leave_a_partial_file(azure_project, container):
    project = azure_project(ROWS_NODE.replace("ROWS", "200"), files={"seed.csv": "x\n1\n"})
    assert run_odibi(["run", str(project)]).returncode == 0
    assert _rows(container, "out/numbers.parquet") == 200
    project.write_text(project.read_text().replace("range(200)", "range(800000)"))
    rng = random.Random(7)
    for _ in range(2):
        process = subprocess.Popen(
            [sys.executable, "-m", "odibi_core.cli.main", "run", str(project)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=dict(os.environ),
        )
        time.sleep(rng.uniform(0.5, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        assert _rows(container, "out/numbers.parquet") in (200, 800_000)  # old or new, never half
    result = run_odibi(["run", str(project)])
    assert result.returncode == 0, result.stderr
    assert _rows(container, "out/numbers.parquet") == 800_000
    assert [b.name for b in container.list_blobs()] == ["out/numbers.parquet"]  # staging cleaned up
