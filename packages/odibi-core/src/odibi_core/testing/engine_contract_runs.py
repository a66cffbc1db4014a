"""Engine contract, part three: what a run reports on this engine. Mixed into
:class:`~odibi_core.testing.engine_contract.EngineContract`.

A small project runs through the real runner with ``engine: <the engine's name>`` (the engine
under test comes from its plugin, as in a user's run) and the tests check the run's promises:
``success`` means the node's whole output was computed in this run; a node nobody reads is still
computed; a validation cannot pass on a frame that does not compute; when a lazy chain fails, the
node and step whose SQL fails are blamed (with a caret in its SQL) and the nodes after it are
skipped; no message names an internal view, schema or staging file. The project runs once per
engine and test session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from odibi_core.contracts.engine import Engine
from odibi_core.contracts.lifecycle import NodeResult, RunResult
from odibi_core.testing.engine_contract_compute import INTERNAL_NAMES

PEOPLE_CSV = "id,name\n1,ann\n2,bob\n"

PROMISES_PROJECT = """\
project: promises
engine: ENGINE
connections:
  data: {type: local, base_path: ./data}
  out: {type: local, base_path: ./out}
pipelines:
  - pipeline: leaves
    on_error: continue
    nodes:
      - name: people
        read: {connection: data, path: people.csv}
      - name: broken_leaf
        depends_on: [people]
        transform:
          steps:
            - sql: |
                SELECT id,
                       CAST(name AS INTEGER) AS n
                FROM people
      - name: counted
        depends_on: [people]
        transform: {steps: ["SELECT id, CAST(name AS INTEGER) AS n FROM people"]}
        validation: {row_count: {min: 1}}
      - name: good_leaf
        depends_on: [people]
        transform: {steps: ["SELECT id, upper(name) AS name FROM people"]}
  - pipeline: chain
    nodes:
      - name: people
        read: {connection: data, path: people.csv}
      - name: cleaned
        depends_on: [people]
        transform:
          steps:
            - sql: SELECT id, name FROM people
            - sql: |
                SELECT id,
                       CAST(name AS INTEGER) AS n
                FROM this
      - name: published
        depends_on: [cleaned]
        transform: {steps: ["SELECT * FROM cleaned"]}
        write: {connection: out, path: published.parquet}
  - pipeline: fine
    nodes:
      - name: people
        read: {connection: data, path: people.csv}
      - name: trimmed
        depends_on: [people]
        transform: {steps: ["SELECT id, lower(name) AS name FROM people WHERE id > 0"]}
      - name: joined
        depends_on: [trimmed]
        transform: {steps: ["SELECT t.id, t.name FROM trimmed t"]}
        write: {connection: out, path: joined.parquet}
"""
"""The project the run promises are checked on (``ENGINE`` is replaced by the engine's name):
unread, validated and lazily read broken nodes, and a lazy chain that computes."""


def run_promises_project(engine_name: str, folder: Path) -> dict[str, RunResult]:
    """Write :data:`PROMISES_PROJECT` for ``engine_name`` under ``folder``, run it, return the
    results by pipeline."""
    from odibi_core.config.loader import load_project
    from odibi_core.execution.runner import run_project
    from odibi_core.plugins.manager import create_plugin_manager

    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "people.csv").write_text(PEOPLE_CSV)
    project_file = folder / "odibi.yaml"
    project_file.write_text(PROMISES_PROJECT.replace("ENGINE", engine_name))
    pm = create_plugin_manager()
    return {r.pipeline: r for r in run_project(load_project(project_file, pm=pm), pm)}


def shown_text(node: NodeResult) -> str:
    """Everything a user may read about a node."""
    return "\n".join(
        filter(None, [node.error, node.error_sql, node.error_hint, node.skipped_reason])
    )


class RunContract:
    """Run-level promises on the engine under test (see the module docstring)."""

    _runs: ClassVar[dict[str, dict[str, RunResult]]] = {}

    @pytest.fixture
    def promises(
        self, engine: Engine, tmp_path_factory: pytest.TempPathFactory
    ) -> dict[str, RunResult]:
        """The results of :data:`PROMISES_PROJECT` on this engine (run once per session)."""
        if engine.name not in self._runs:
            folder = tmp_path_factory.mktemp(f"promises-{engine.name}")
            self._runs[engine.name] = run_promises_project(engine.name, folder)
            self._runs[engine.name]["__folder__"] = folder  # type: ignore[assignment]
        return self._runs[engine.name]

    def test_a_node_nothing_reads_is_computed_and_fails_if_it_cannot_be(
        self, promises: dict[str, Any]
    ) -> None:
        leaves = promises["leaves"]
        broken = leaves.nodes["broken_leaf"]
        assert leaves.status == "failed", shown_text(broken)
        assert broken.status == "failed", shown_text(broken)
        assert broken.error_step == 1
        assert (broken.error or "").startswith("step 1 (sql): ")
        assert broken.error_sql is not None
        assert "CAST(name AS INTEGER)" in broken.error_sql
        caret = next(line for line in broken.error_sql.splitlines() if "^" in line)
        assert caret.index("^") == broken.error_sql.splitlines()[1].index("CAST"), broken.error_sql
        assert leaves.nodes["good_leaf"].status == "success"
        assert leaves.nodes["good_leaf"].rows_out == 2

    def test_a_row_count_validation_cannot_pass_on_a_frame_that_fails_to_compute(
        self, promises: dict[str, Any]
    ) -> None:
        counted = promises["leaves"].nodes["counted"]
        assert counted.status == "failed", shown_text(counted)
        assert not [v for v in counted.validations if v.passed and v.rule == "row_count"]

    def test_a_lazy_failure_is_blamed_on_the_step_that_fails(
        self, promises: dict[str, Any]
    ) -> None:
        chain = promises["chain"]
        cleaned, published = chain.nodes["cleaned"], chain.nodes["published"]
        assert chain.status == "failed"
        assert cleaned.status == "failed", shown_text(cleaned)
        assert cleaned.error_step == 2, shown_text(cleaned)
        assert "CAST(name AS INTEGER)" in (cleaned.error_sql or ""), shown_text(cleaned)
        assert published.status == "skipped"
        assert "cleaned" in (published.skipped_reason or "")
        assert chain.nodes["people"].status == "success"
        assert not (promises["__folder__"] / "out" / "published.parquet").exists()

    def test_no_message_names_internal_views_or_staging_files(
        self, promises: dict[str, Any]
    ) -> None:
        for result in (r for name, r in promises.items() if name != "__folder__"):
            for node in result.nodes.values():
                assert not INTERNAL_NAMES.search(shown_text(node)), shown_text(node)

    def test_a_lazy_chain_that_computes_reports_success_everywhere(
        self, promises: dict[str, Any]
    ) -> None:
        fine = promises["fine"]
        assert fine.status == "success", {n: shown_text(r) for n, r in fine.nodes.items()}
        assert [fine.nodes[n].status for n in ("people", "trimmed", "joined")] == ["success"] * 3
        assert fine.nodes["joined"].rows_out == 2
