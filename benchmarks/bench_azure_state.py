#!/usr/bin/env python
"""Latency of azure_blob state operations against Azurite: median and p95, with a same-run baseline.

    scripts/services.sh start            # or scripts/services/azurite.sh start
    .venv/bin/python benchmarks/bench_azure_state.py [--iterations 200] [--lease-duration 15]

Measured on fresh containers, taking turns call by call (never concurrently):

* ``raw SDK floor``: acquire a lease, upload with lease id + If-Match, release: the three requests
  any lease-guarded write needs, written by hand with the SDK. The baseline of the ratios.
* ``update()``: the backend's read-modify-write: state lease acquire + holder metadata, read,
  write (lease id + ETag + metadata), clear metadata + release.
* ``run lock + update()``: what a run adds around it: take ``pipeline.<name>`` (a lease on its own
  blob), one update (which also renews the run lease), release.
* ``read()``: one read of the document, no lock.

The Azurite URL comes from ``ODIBI_TEST_AZURITE_CONNECTION_STRING`` (environment or .services/env).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = "ODIBI_TEST_AZURITE_CONNECTION_STRING"


def connection_string() -> str:
    """The Azurite connection string, or exit with what to do."""
    value = os.environ.get(VAR)
    env_file = ROOT / ".services" / "env"
    if not value and env_file.is_file():
        for line in env_file.read_text().splitlines():
            key, _, raw = line.partition("=")
            if key.strip() == VAR:
                value = raw.strip().strip("'\"")
    if not value:
        sys.exit(f"{VAR} is not set: start Azurite first with `scripts/services.sh start`")
    return value


def percentile(samples: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``samples``, nearest-rank."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure(
    operations: list[Callable[[], object]], iterations: int, warmup: int = 10
) -> list[list[float]]:
    """Milliseconds of each call, per operation. The operations take turns (round robin), so a
    burst of load on the machine hits all of them alike and the ratios stay fair."""
    for _ in range(warmup):
        for fn in operations:
            fn()
    samples: list[list[float]] = [[] for _ in operations]
    for _ in range(iterations):
        for fn, out in zip(operations, samples, strict=True):
            start = time.perf_counter()
            fn()
            out.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    """Run every measurement and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--lease-duration", type=int, default=15)
    args = parser.parse_args()

    from azure.core import MatchConditions
    from azure.storage.blob import BlobLeaseClient, BlobServiceClient
    from odibi_core.testing.state_contract import bump
    from odibi_state_azure.backend import AzureBlobStateBackend
    from odibi_state_azure.options import AzureBlobStateOptions

    conn = connection_string()
    containers: list[str] = []

    def backend() -> AzureBlobStateBackend:
        name = f"bench-{uuid.uuid4().hex[:16]}"
        containers.append(name)
        options = AzureBlobStateOptions(
            connection_string=conn, container=name, lease_duration=args.lease_duration
        )
        return AzureBlobStateBackend.from_options(options, project="bench", run_id="bench-run")

    service = BlobServiceClient.from_connection_string(conn)
    raw_name = f"bench-{uuid.uuid4().hex[:16]}"
    containers.append(raw_name)
    service.create_container(raw_name)
    raw_blob = service.get_blob_client(raw_name, "bench/state.json")
    payload = b'{"serial": 1}\n' * 40
    etag = [raw_blob.upload_blob(payload, overwrite=True)["etag"]]

    def raw_floor() -> None:
        # the ETag of the previous write is reused: the floor makes no read request
        lease = BlobLeaseClient(raw_blob, lease_id=str(uuid.uuid4()))
        lease.acquire(lease_duration=args.lease_duration)
        written = raw_blob.upload_blob(
            payload,
            overwrite=True,
            lease=lease.id,
            etag=etag[0],
            match_condition=MatchConditions.IfNotModified,
        )
        etag[0] = written["etag"]
        lease.release()

    try:
        updater, runner = backend(), backend()

        def run_cycle() -> None:
            with runner.lock("pipeline.bench", timeout=30, run_id="bench-run"):
                runner.update(bump)

        labelled: list[tuple[str, int, Callable[[], object]]] = [
            ("raw SDK floor (acquire, write, release)", 3, raw_floor),
            ("update(): lock + read + write + release", 6, lambda: updater.update(bump)),
            ("run lock + update() + release", 11, run_cycle),
            ("read()", 1, updater.read),
        ]
        samples = measure([fn for _, _, fn in labelled], args.iterations)
        results = [
            (label, requests, got)
            for (label, requests, _), got in zip(labelled, samples, strict=True)
        ]
        final = updater.read()
        if final is None or final.serial != args.iterations + 10:
            serial = final.serial if final else None
            sys.exit(f"lost updates: serial {serial}, expected {args.iterations + 10}")
        updater.close()
        runner.close()
    finally:
        for name in containers:
            with contextlib.suppress(Exception):
                service.delete_container(name)
        service.close()

    base = statistics.median(results[0][2])
    print(
        f"azure_blob state latency against Azurite, {args.iterations} iterations each, "
        f"lease {args.lease_duration}s (milliseconds)"
    )
    print(f"{'operation':44} {'requests':>8} {'median':>8} {'p95':>8} {'max':>8} {'x floor':>8}")
    for label, requests, samples in results:
        median = statistics.median(samples)
        print(
            f"{label:44} {requests:>8} {median:8.2f} {percentile(samples, 0.95):8.2f} "
            f"{max(samples):8.2f} {median / base:8.2f}"
        )


if __name__ == "__main__":
    main()
