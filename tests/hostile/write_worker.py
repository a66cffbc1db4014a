"""A warm process that forks ``odibi run`` children for the crash tests (killed ones and next runs).

Run as ``python write_worker.py PROJECT_FILE``. It imports Odibi and loads the project once, then
for each line ``run PIPELINE NO_EXCHANGE PAUSE`` on stdin forks a child (printing ``child <pid>``)
that runs the pipeline exactly as ``odibi run`` does (runner, engine, connections, state, run
lock), with ``ODIBI_TEST_NO_EXCHANGE=NO_EXCHANGE`` and ``ODIBI_TEST_PAUSE=PAUSE`` (``-``: none);
when the child ends it prints ``exited <signal>`` (killed) or ``exited -<exit code>``. Forking
from a warm process makes a hundred crash trials take seconds, not minutes.
"""

from __future__ import annotations

import os
import sys

from odibi_core.config.loader import load_project
from odibi_core.execution.runner import RunOptions, run_project
from odibi_core.files.fault_points import NO_EXCHANGE_VARIABLE, PAUSE_VARIABLE
from odibi_core.plugins.manager import create_plugin_manager


def main(project_file: str) -> None:
    # imported before forking, so no child pays for them (a run would import them lazily)
    import duckdb  # noqa: F401
    import odibi_core.engines.duckdb_engine
    import odibi_core.reports.writer
    import odibi_core.transforms  # noqa: F401
    import odibi_state_local.backend  # noqa: F401
    import pyarrow  # noqa: F401

    pm = create_plugin_manager()
    project = load_project(project_file, pm=pm)  # the project does not change between runs
    for line in sys.stdin:
        command, pipeline, no_exchange, pause = [*line.split(), "", "", "", ""][:4]
        if command != "run":
            continue
        pid = os.fork()
        if pid == 0:  # the child: one run of the pipeline
            code = 3
            try:
                os.environ[NO_EXCHANGE_VARIABLE] = no_exchange
                os.environ[PAUSE_VARIABLE] = "" if pause == "-" else pause
                results = run_project(project, pm, RunOptions(pipelines=[pipeline]))
                code = 0 if all(r.status == "success" for r in results) else 1
            finally:
                os._exit(code)
        print(f"child {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(
            f"exited {os.WTERMSIG(status) if os.WIFSIGNALED(status) else -os.WEXITSTATUS(status)}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1])
