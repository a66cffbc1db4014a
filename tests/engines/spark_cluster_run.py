"""Run the parity projects on a Spark standalone cluster and report what Spark measured.

Started by ``test_spark_cluster.py`` as its own process, because a process holds one SparkContext
and the test run's shared local session may already be running. Usage::

    python spark_cluster_run.py spark://127.0.0.1:PORT http://127.0.0.1:MASTER_UI_PORT WORKDIR

One SparkSession is started on the cluster from the spark engine's own options (what
``engine_options: {master: spark://...}`` does), and every parity project then runs on it through
``odibi_core.testing.parity`` with those engine options, reusing it as a run on Databricks or
Synapse reuses the active session. Outputs are compared with the duckdb baseline exactly as in
``test_parity.py``. The last line printed is a JSON report: the session's master, the projects and
outputs compared, the executors and stages as the driver's REST API describes them, the input rows
of every project, and the master's own view of the cluster while the application ran.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from odibi_engine_spark.testing import TEST_JVM_OPTIONS  # noqa: E402
from test_parity import (  # noqa: E402
    EDGE_PROJECT,
    EXAMPLES,
    NOT_ON_ENGINE,
    compare_engines,
    make_edge_data,
)

SESSION_CONF = {
    "spark.ui.enabled": "true",  # the driver's REST API reports the executors' metrics
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.memory": "1g",
    "spark.executor.memory": "512m",
    "spark.executor.cores": "1",
    "spark.cores.max": "1",
    "spark.sql.shuffle.partitions": "1",  # one executor core: more partitions only add tasks
    "spark.default.parallelism": "1",
    # small, short jobs: the client compiler only and one GC thread start and warm up faster
    "spark.driver.extraJavaOptions": TEST_JVM_OPTIONS,
    "spark.executor.extraJavaOptions": TEST_JVM_OPTIONS,
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def input_rows(folder: Path) -> int:
    """Rows in the project's input files (CSV, Parquet, JSON lines), counted with DuckDB."""
    import duckdb

    readers = {".csv": "read_csv", ".parquet": "read_parquet", ".json": "read_json_auto"}
    total = 0
    with duckdb.connect() as con:
        for path in sorted(folder.rglob("*")):
            if path.suffix in readers and "lake" not in path.parts and "out" not in path.parts:
                query = f"SELECT count(*) FROM {readers[path.suffix]}('{path}')"
                row = con.execute(query).fetchone()
                total += int(row[0]) if row else 0
    return total


def copier(work: Path, name: str) -> Callable[[Path, str], Path]:
    def copy(source: Path, label: str) -> Path:
        target = work / name / label
        ignore = shutil.ignore_patterns("lake", "out", ".odibi", "__pycache__")
        shutil.copytree(source, target, ignore=ignore)
        return target / "odibi.yaml"

    return copy


def main() -> int:
    master, master_ui, work = sys.argv[1], sys.argv[2].rstrip("/"), Path(sys.argv[3])
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from odibi_engine_spark.engine import SparkEngine
    from odibi_engine_spark.options import SparkOptions

    started = time.monotonic()
    timings: dict[str, float] = {}
    ui_port = free_port()
    engine_options = {
        "master": master,
        "app_name": "odibi-cluster-parity",
        "conf": {**SESSION_CONF, "spark.ui.port": str(ui_port)},
    }
    owner = SparkEngine(SparkOptions(**engine_options))  # starts the session on the cluster
    context = owner.spark.sparkContext
    app_id = context.applicationId
    timings["session"] = time.monotonic() - started
    report: dict[str, Any] = {
        "master": context.master,
        "app_id": app_id,
        "started_session": owner.started_session,
        "projects": {},
        "input_rows": 0,
        "seconds": timings,
    }
    try:
        projects: list[tuple[Path, Callable[[Path], None] | None]] = [
            (p, None) for p in EXAMPLES if (p.name, "spark") not in NOT_ON_ENGINE
        ]  # examples Spark refuses at load time are covered by test_parity
        projects.append((EDGE_PROJECT, lambda folder: make_edge_data(folder / "data")))
        for project, prepare in projects:
            copy = copier(work, project.name)
            report["projects"][project.name] = compare_engines(
                project, "spark", copy, prepare, engine_options=engine_options
            )
            report["input_rows"] += input_rows(work / project.name / "spark")
            timings[project.name] = time.monotonic() - started - sum(timings.values())
        api = f"http://127.0.0.1:{ui_port}/api/v1/applications/{app_id}"
        report["executors"] = get_json(f"{api}/allexecutors")
        report["stages"] = get_json(f"{api}/stages")
        report["cluster"] = get_json(f"{master_ui}/json/")
    finally:
        owner.close()
    print(json.dumps(report, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
