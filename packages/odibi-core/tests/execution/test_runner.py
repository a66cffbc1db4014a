"""The runner: failures keep old outputs, error policies, retries, selection, validations."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
from odibi_core.config.loader import load_project
from odibi_core.execution.runner import RunOptions, run_project
from odibi_core.plugins.loader import PluginSettings
from odibi_core.plugins.manager import create_plugin_manager

CSV = "id,amount,status\n1,10.5,ok\n2,20.0,ok\n3,,bad\n"

PROJECT = """\
project: t
retry: {max_attempts: 3, initial_delay: 0}
connections:
  raw: {type: local, base_path: ./data}
  out: {type: local, base_path: ./out}
pipelines:
  - pipeline: p
    on_error: ON_ERROR
    nodes:
      - name: src
        read: {connection: raw, path: in.csv}
      - name: good
        depends_on: [src]
        transform: {steps: ["SELECT id, amount FROM this WHERE status = 'ok' ORDER BY id"]}
        write: {connection: out, path: good.parquet}
      - name: risky
        depends_on: [src]
        transform: {steps: ["STEP"]}
        write: {connection: out, path: risky.parquet}
      - name: after_risky
        depends_on: [risky]
        write: {connection: out, path: after.parquet}
"""

TRANSFORMS = """
from pathlib import Path
from odibi_core import transform
from odibi_core.errors import TransientIOError

@transform(frame="arrow")
def flaky(table, marker: str):
    p = Path(marker)
    n = int(p.read_text()) if p.exists() else 0
    p.write_text(str(n + 1))
    if n < 1:
        raise TransientIOError("connection reset by peer")
    return table

@transform(frame="arrow")
def broken(table):
    raise ValueError("not transient")
"""


def _project(write_project, step: str = "SELECT * FROM this", on_error: str = "fail_fast") -> Path:
    text = PROJECT.replace("ON_ERROR", on_error).replace('"STEP"', step)
    return write_project(text, files={"data/in.csv": CSV, "transforms.py": TRANSFORMS})


def _run(path: Path, **options: object):
    pm = create_plugin_manager(PluginSettings(autoload=False))
    project = load_project(path, pm=pm)
    return run_project(project, pm, RunOptions(**options))[0]  # type: ignore[arg-type]


def test_success_writes_outputs(write_project, tmp_path: Path) -> None:
    result = _run(_project(write_project))
    assert result.status == "success"
    assert pq.read_table(tmp_path / "out" / "good.parquet").column("id").to_pylist() == [1, 2]
    assert result.nodes["good"].rows_out == 2
    assert result.nodes["good"].sql == [
        "SELECT id, amount FROM this WHERE status = 'ok' ORDER BY id"
    ]


def test_failed_node_leaves_previous_output_intact(write_project, tmp_path: Path) -> None:
    path = _project(write_project)
    assert _run(path).status == "success"
    before = (tmp_path / "out" / "risky.parquet").read_bytes()
    text = path.read_text().replace(
        "[SELECT * FROM this]", '["SELECT CAST(status AS INTEGER) AS x FROM this"]'
    )
    assert text != path.read_text()
    path.write_text(text)
    result = _run(path)
    assert result.nodes["risky"].status == "failed"
    assert "Conversion Error" in (result.nodes["risky"].error or "")
    assert (tmp_path / "out" / "risky.parquet").read_bytes() == before
    leftovers = [p.name for p in (tmp_path / "out").iterdir() if "odibi-tmp" in p.name]
    assert leftovers == []


def test_fail_fast_skips_the_rest_and_continue_runs_independent_branches(write_project) -> None:
    path = _project(write_project, step='"SELECT nope FROM this"')
    result = _run(path, workers=1)
    assert result.status == "failed"
    assert result.nodes["risky"].status == "failed"
    assert result.nodes["after_risky"].status == "skipped"
    assert "upstream node risky" in (result.nodes["after_risky"].skipped_reason or "")

    cont = _run(
        _project(write_project, step='"SELECT nope FROM this"', on_error="continue"), workers=1
    )
    assert cont.nodes["good"].status == "success"
    assert cont.nodes["after_risky"].status == "skipped"


def test_transient_errors_are_retried_others_are_not(write_project, tmp_path: Path) -> None:
    marker = tmp_path / "attempts.txt"
    step = f'{{function: flaky, params: {{marker: "{marker}"}}}}'
    result = _run(_project(write_project, step=step))
    assert result.nodes["risky"].status == "success"
    assert marker.read_text() == "2"

    result = _run(_project(write_project, step="{function: broken}"))
    assert result.nodes["risky"].status == "failed"
    assert result.nodes["risky"].error_type == "ValueError"
    assert "not transient" in (result.nodes["risky"].error or "")


def test_validation_failure_stops_the_write(write_project, tmp_path: Path) -> None:
    text = (
        PROJECT.replace("ON_ERROR", "fail_fast")
        .replace('"STEP"', '"SELECT * FROM this"')
        .replace(
            "        write: {connection: out, path: risky.parquet}",
            "        validation: {not_null: [amount], accepted_values: {status: [ok]}, "
            "row_count: {min: 1, max: 10}}\n"
            "        write: {connection: out, path: risky.parquet}",
        )
    )
    result = _run(write_project(text, files={"data/in.csv": CSV}))
    node = result.nodes["risky"]
    assert node.status == "failed"
    failed = {v.rule: v for v in node.validations if not v.passed}
    assert set(failed) == {"not_null(amount)", "accepted_values(status)"}
    assert failed["not_null(amount)"].failing_rows == 1
    assert not (tmp_path / "out" / "risky.parquet").exists()


def test_node_selection_runs_ancestors_only(write_project, tmp_path: Path) -> None:
    result = _run(_project(write_project), nodes=["good"])
    assert result.order == ["src", "good"]
    assert not (tmp_path / "out" / "risky.parquet").exists()
    plus = _run(_project(write_project), nodes=["risky+"])
    assert plus.order == ["src", "risky", "after_risky"]


def test_write_mode_error_refuses_existing_output(write_project, tmp_path: Path) -> None:
    text = (
        PROJECT.replace("ON_ERROR", "fail_fast")
        .replace('"STEP"', '"SELECT * FROM this"')
        .replace("path: good.parquet}", "path: good.parquet, mode: error}")
    )
    path = write_project(text, files={"data/in.csv": CSV})
    assert _run(path).nodes["good"].status == "success"
    second = _run(path)
    assert second.nodes["good"].status == "failed"
    assert "already exists" in (second.nodes["good"].error or "")


def test_append_mode_adds_rows(write_project, tmp_path: Path) -> None:
    text = (
        PROJECT.replace("ON_ERROR", "fail_fast")
        .replace('"STEP"', '"SELECT * FROM this"')
        .replace("path: good.parquet}", "path: good.csv, mode: append}")
    )
    path = write_project(text, files={"data/in.csv": CSV})
    _run(path)
    _run(path)
    lines = (tmp_path / "out" / "good.csv").read_text().strip().splitlines()
    assert lines[0] == "id,amount"
    assert len(lines) == 5


def test_lifecycle_wrappers_see_every_node(write_project) -> None:
    from odibi_core import hookimpl

    seen: list[str] = []

    class Observer:
        @hookimpl(wrapper=True)
        def odibi_run_node(self, context):
            try:
                result = yield
            except Exception as exc:
                seen.append(f"{context.node.name}:raised:{type(exc).__name__}")
                raise
            seen.append(f"{context.node.name}:{result.status}")
            return result

        @hookimpl(wrapper=True)
        def odibi_run_pipeline(self, context):
            result = yield
            seen.append(f"run:{context.pipeline.pipeline}:{result.status}")
            return result

    pm = create_plugin_manager(
        PluginSettings(autoload=False), extra_plugins=[("observer", Observer())]
    )
    project = load_project(
        _project(write_project, step='"SELECT nope FROM this"', on_error="continue"), pm=pm
    )
    run_project(project, pm, RunOptions(workers=1))
    assert "risky:raised:NodeError" in seen
    assert "good:success" in seen
    assert "src:success" in seen
    assert seen[-1] == "run:p:failed"


TWO_PIPELINES = """\
project: t
connections:
  raw: {type: local, base_path: ./data}
  out: {type: local, base_path: ./out}
pipelines:
  - pipeline: first
    nodes:
      - name: a
        read: {connection: raw, path: in.csv}
        write: {connection: out, path: a.parquet}
  - pipeline: second
    nodes:
      - name: b
        read: {connection: raw, path: in.csv}
        write: {connection: out, path: b.parquet}
"""


def test_on_work_start_is_called_once_after_the_wrappers_set_up_before_any_node(
    write_project,
) -> None:
    """`odibi run` resumes the garbage collector there, so a plugin's set-up at the first
    pipeline is frozen with the rest of the start-up, and every node runs after it."""
    from odibi_core import hookimpl

    events: list[str] = []

    class Observer:
        @hookimpl(wrapper=True)
        def odibi_run_pipeline(self, context):
            events.append(f"set up {context.pipeline.pipeline}")
            return (yield)

        @hookimpl(wrapper=True)
        def odibi_run_node(self, context):
            events.append(f"node {context.node.name}")
            return (yield)

    pm = create_plugin_manager(
        PluginSettings(autoload=False), extra_plugins=[("observer", Observer())]
    )
    project = load_project(write_project(TWO_PIPELINES, files={"data/in.csv": CSV}), pm=pm)
    results = run_project(
        project, pm, RunOptions(on_work_start=lambda: events.append("work starts"))
    )

    assert [r.status for r in results] == ["success", "success"]
    assert events == ["set up first", "work starts", "node a", "set up second", "node b"]
