"""The parity projects on a real Spark standalone cluster (master and worker in their own JVMs).

``scripts/services.sh start`` starts the cluster (``scripts/services/spark.sh``). The projects run
in one SparkSession of their own process (``spark_cluster_run.py``), started from the spark
engine's options with ``master: spark://...``; what the executors did is asserted through Spark's
own bookkeeping: the driver's REST API (executors, stages) and the master's status.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from odibi_core.testing.services import require_service_variable, service_variable

pytestmark = pytest.mark.spark

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "spark_cluster_run.py"
EDGE_OUTPUTS = 10


@pytest.fixture(scope="module")
def cluster_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The runner's report of one session on the cluster (shared by the tests of this module)."""
    reason = service_variable("ODIBI_TEST_SPARK_UNAVAILABLE", start=HERE)
    if reason:
        pytest.fail(f"the Spark test cluster was not started: {reason}", pytrace=False)
    master = require_service_variable("ODIBI_TEST_SPARK_MASTER", start=HERE)
    master_ui = require_service_variable("ODIBI_TEST_SPARK_MASTER_UI", start=HERE)
    work = tmp_path_factory.mktemp("cluster")
    done = subprocess.run(
        [sys.executable, str(RUNNER), master, master_ui, str(work)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=work,
    )
    assert done.returncode == 0, f"the cluster run failed:\n{done.stderr[-6000:]}"
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    report["expected_master"] = master
    return report


def test_the_parity_projects_write_the_same_outputs_on_the_cluster(
    cluster_report: dict[str, Any],
) -> None:
    assert cluster_report["master"] == cluster_report["expected_master"]
    assert cluster_report["started_session"]  # from the engine options, not a local session
    projects = cluster_report["projects"]
    assert projects.pop("edge_project") == EDGE_OUTPUTS
    assert projects, "no example project ran"
    assert all(compared >= 1 for compared in projects.values()), projects


def test_the_executors_read_the_data_not_the_driver(cluster_report: dict[str, Any]) -> None:
    executors = {e["id"]: e for e in cluster_report["executors"]}
    driver = executors.pop("driver")
    assert driver["totalTasks"] == 0  # the driver ran no task: nothing was read there
    assert driver["totalInputBytes"] == 0
    assert executors, "no executor joined the application"
    assert sum(e["totalTasks"] for e in executors.values()) > 0
    assert sum(e["totalInputBytes"] for e in executors.values()) > 0
    assert all(e["hostPort"].startswith("127.0.0.1:") for e in executors.values())
    stages = [s for s in cluster_report["stages"] if s["status"] == "COMPLETE"]
    assert sum(s["inputRecords"] for s in stages) >= cluster_report["input_rows"] > 0
    assert sum(s["outputRecords"] for s in stages) > 0  # the writes ran in executor tasks too


def test_the_master_gave_the_application_the_workers_core(cluster_report: dict[str, Any]) -> None:
    cluster = cluster_report["cluster"]
    workers = [w for w in cluster["workers"] if w["state"] == "ALIVE"]
    assert len(workers) == 1
    assert workers[0]["cores"] == 1
    apps = {a["id"]: a for a in cluster["activeapps"]}
    app = apps[cluster_report["app_id"]]
    assert app["state"] == "RUNNING"
    assert app["cores"] == 1  # the executor runs on the worker, a JVM of its own
