#!/usr/bin/env python3
"""Benchmark: read a 2,000,000-row Parquet blob from Azurite and aggregate it.

Needs Azurite (``scripts/services.sh start``). Uploads a generated orders Parquet file to a fresh
container, then runs, as separate processes in alternating order, several times each:

* ``odibi run`` of a project reading the blob through an ``azure_blob`` connection and writing
  the aggregate to a local Parquet file;
* a hand-written script with the same library (adlfs registered with DuckDB, with the same 4 MiB
  blocks as the connection's default) — the baseline;
* a hand-written script with the other candidate (azure-storage-blob: download the blob, then
  DuckDB over the bytes), which is how the library was chosen;

and prints median wall time, median peak memory (max RSS) and the ratios. Target: odibi wall <=
1.3x the adlfs script. Peak RSS shows whether the file was streamed (it stays far below the size
of the data) or held in memory.

    .venv/bin/python benchmarks/bench_azure.py [--rows 2000000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from pathlib import Path

from bench_delta import generate, print_medians, run_alternating

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".bench" / "azure"
QUERY = "SELECT status, count(*) AS orders, sum(amount) AS revenue FROM {source} GROUP BY status"

PROJECT = """\
project: bench_azure
connections:
  az:
    type: azure_blob
    account_name: devstoreaccount1
    account_url: ${{env:ODIBI_TEST_AZURITE_BLOB_URL}}
    account_key: ${{secret:ODIBI_TEST_AZURITE_ACCOUNT_KEY}}
    container: {container}
  out: {{type: local, base_path: ./out}}
pipelines:
  - pipeline: azure
    nodes:
      - name: totals
        read: {{connection: az, path: orders.parquet}}
        transform:
          steps:
            - "{query}"
        write: {{connection: out, path: totals.parquet}}
"""

ADLFS = f"""
import os, sys
import duckdb
from adlfs import AzureBlobFileSystem
container, out = sys.argv[1], sys.argv[2]
fs = AzureBlobFileSystem(connection_string=os.environ["ODIBI_TEST_AZURITE_CONNECTION_STRING"],
                         blocksize=4 * 2**20)  # the connection's default block_size_mib
con = duckdb.connect()
con.register_filesystem(fs)
source = f"read_parquet('abfs://{{container}}/orders.parquet')"
query = {QUERY!r}.format(source=source)
con.execute(f"COPY ({{query}}) TO '{{out}}' (FORMAT PARQUET)")
"""

BLOB_SDK = f"""
import io, os, sys
import duckdb
import pyarrow.parquet as pq
from azure.storage.blob import BlobServiceClient
container, out = sys.argv[1], sys.argv[2]
svc = BlobServiceClient.from_connection_string(os.environ["ODIBI_TEST_AZURITE_CONNECTION_STRING"])
data = svc.get_blob_client(container, "orders.parquet").download_blob(max_concurrency=4).readall()
orders = pq.read_table(io.BytesIO(data))
con = duckdb.connect()
con.register("orders", orders)
query = {QUERY!r}.format(source="orders")
con.execute(f"COPY ({{query}}) TO '{{out}}' (FORMAT PARQUET)")
"""


def main() -> None:
    from azure.storage.blob import BlobServiceClient

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not os.environ.get("ODIBI_TEST_AZURITE_CONNECTION_STRING"):
        raise SystemExit("start Azurite (scripts/services.sh start) and export .services/env first")
    source = generate(args.rows) / "orders.parquet"
    container = f"bench-{uuid.uuid4().hex[:12]}"
    svc = BlobServiceClient.from_connection_string(
        os.environ["ODIBI_TEST_AZURITE_CONNECTION_STRING"]
    )
    client = svc.get_container_client(container)
    client.create_container()
    try:
        with open(source, "rb") as handle:
            client.upload_blob("orders.parquet", handle, max_concurrency=4)
        BENCH.mkdir(parents=True, exist_ok=True)
        project = BENCH / "odibi.yaml"
        project.write_text(PROJECT.format(container=container, query=QUERY.format(source="this")))
        scripts = {}
        for name, text in (("adlfs", ADLFS), ("blob_sdk", BLOB_SDK)):
            scripts[name] = BENCH / f"hand_{name}.py"
            scripts[name].write_text(text)
        commands = {
            "odibi run": [
                sys.executable,
                "-m",
                "odibi_core.cli.entry",
                "--log-level",
                "WARNING",
                "run",
                str(project),
            ],
            "hand-written adlfs": [
                sys.executable,
                str(scripts["adlfs"]),
                container,
                str(BENCH / "a.parquet"),
            ],
            "hand-written blob SDK": [
                sys.executable,
                str(scripts["blob_sdk"]),
                container,
                str(BENCH / "b.parquet"),
            ],
        }
        med = run_alternating(commands, args.repeats)
    finally:
        client.delete_container()
    size = source.stat().st_size / 2**20
    print(
        f"input: {args.rows:,} rows, one {size:.0f} MiB Parquet blob on Azurite, "
        f"{args.repeats} runs each, medians"
    )
    print_medians(med)
    base = med["hand-written adlfs"][0]
    print(
        f"  ratio odibi / hand-written adlfs: wall {med['odibi run'][0] / base:.2f}x "
        "(target <= 1.3x)"
    )
    print(
        f"  ratio blob SDK / adlfs: wall {med['hand-written blob SDK'][0] / base:.2f}x, "
        f"peak memory {med['hand-written blob SDK'][1] / med['hand-written adlfs'][1]:.2f}x"
    )


if __name__ == "__main__":
    main()
