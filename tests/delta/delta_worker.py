"""A second writer in its own process: appends or overwrites a local Delta table through the
``delta`` format (what another pipeline's run does), started by the concurrency tests."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pyarrow as pa
from odibi_core.connections.local import LocalConnection
from odibi_core.contracts.requests import WriteRequest
from odibi_format_delta.format import DeltaFormat


def main() -> None:
    action, root, start_flag, tag = (
        sys.argv[1],
        Path(sys.argv[2]),
        Path(sys.argv[3]),
        int(sys.argv[4]),
    )
    lake, delta = LocalConnection("lake", root), DeltaFormat()
    while not start_flag.exists():  # both workers start together
        time.sleep(0.005)
    if action == "append":
        for i in range(3):
            data = pa.table(
                {"id": pa.array([i] * 10, pa.int64()), "day": pa.array([tag] * 10, pa.int64())}
            )
            delta.write_arrow(
                data.to_reader(), lake, WriteRequest(mode="append", format="delta", path="t")
            )
    elif action == "overwrite-until-stopped":
        # another writer (plain delta-rs) replacing the table again and again until told to
        # stop: an Odibi run that overwrites meanwhile must lose the race cleanly
        from deltalake import write_deltalake

        stop = start_flag.with_name("stop")
        data = pa.table({"id": pa.array([-1], pa.int64()), "day": pa.array([-1], pa.int64())})
        commits = 0
        while not stop.exists():
            write_deltalake(str(root / "t"), data, mode="overwrite")
            commits += 1
            time.sleep(0.01)
        print(f"committed {commits}")


if __name__ == "__main__":
    main()
