"""A broken SQL step reads the same in the run summary and in the HTML report: which step failed,
the engine's message with its lines kept, the step's SQL with the caret under the spot, one hint;
never an ``EngineError: EngineError:`` doubling, an internal view name or a staging file.

Generated: the kind of breakage, which step of several is broken, its indentation and the lines
before the broken one vary; both engines of the core (duckdb, pandas) run every case.
"""

from __future__ import annotations

import html
import itertools
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odibi_core.errors import ExitCode
from odibi_core.testing.cli import invoke_odibi
from odibi_core.testing.engine_contract_compute import INTERNAL_NAMES

pytest.importorskip("pandas")  # the pandas engine is part of the full install the tests use

INTERNAL = INTERNAL_NAMES
DOUBLED = re.compile(r"\b(\w*Error): \1:")


@dataclass(frozen=True)
class Breakage:
    """One way to break a step: the broken line, the token the caret must point at (``None``:
    the engine names no place), and a line the engine's message must keep on a line of its own."""

    line: str
    token: str | None
    own_line: str | None = None
    computing: bool = False


BREAKAGES = {
    "unknown column": Breakage("nme AS broken", "nme", own_line="Candidate bindings"),
    "unknown table": Breakage(
        "id AS broken FROM nosuch_table", "nosuch_table", own_line="Did you mean"
    ),
    "syntax": Breakage("id,, name AS broken", ","),
    "conversion": Breakage("CAST(amount AS INTEGER) AS broken", None, computing=True),
    "raised": Breakage("error('boom ' || name) AS broken", None, computing=True),
}

PROJECT = """\
project: broken
engine: {engine}
connections:
  raw: {{type: local, base_path: ./data}}
  lake: {{type: local, base_path: ./lake}}
pipelines:
  - pipeline: p
    nodes:
      - name: src
        read: {{connection: raw, format: csv, path: t.csv, options: {{all_varchar: true}}}}
      - name: out
        depends_on: [src]
        transform:
          steps:
{steps}
        write: {{connection: lake, format: parquet, path: out.parquet}}
"""


def _steps(broken: int, total: int, breakage: Breakage, indent: str, before: int) -> str:
    out = []
    for number in range(1, total + 1):
        source = "src" if number == 1 else "this"
        if number != broken:
            out.append(
                f"            - SELECT * FROM {source}"
            )  # keeps a broken column: it is computed
            continue
        lines = ["SELECT id, name, amount,"] + [f"  id AS filler_{i}," for i in range(before)]
        tail = "" if "FROM" in breakage.line else f"\nFROM {source}"
        lines.append(f"{indent}{breakage.line}{tail}")
        body = "\n".join(lines).replace("\n", "\n              ")
        out.append(f"            - |\n              {body}")
    return "\n".join(out)


def _error_block(report: Path) -> str:
    """The text of the report's error box, as a person reads it."""
    page = report.read_text(encoding="utf-8")
    start = page.index('<div class="error"')
    end = (
        page.index("</div></div>", start)
        if "</div></div>" in page[start:]
        else page.index("</div>", start)
    )
    block = re.sub(r"<pre[^>]*>|</pre>|<div[^>]*>", "\n", page[start:end])
    return html.unescape(re.sub(r"<[^>]+>", "", block))


def _caret_points_at(text: str, token: str) -> bool:
    """Whether an excerpt in ``text`` has a caret line starting under ``token`` on the line
    above."""
    lines = text.splitlines()
    for above, below in itertools.pairwise(lines):
        if "|" in above and re.match(r"^\s*\|\s*\^+\s*$", below):
            sql = above[above.index("|") + 2 :]
            caret = below[below.index("|") + 2 :]
            return sql[caret.index("^") :].startswith(token)
    return False


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("broken-sql")
    (root / "data").mkdir()
    (root / "data" / "t.csv").write_text("id,name,amount\n1,a,10\n2,b,x\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("kind", sorted(BREAKAGES))
@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    engine=st.sampled_from(["duckdb", "pandas"]),
    total=st.integers(1, 3),
    data=st.data(),
    indent=st.sampled_from(["", "  ", "      "]),
    before=st.integers(0, 3),
)
def test_a_broken_step_reads_the_same_in_the_summary_and_the_report(
    workdir: Path, engine: str, kind: str, total: int, data: st.DataObject, indent: str, before: int
) -> None:
    breakage = BREAKAGES[kind]
    broken = data.draw(st.integers(1, total), label="broken step")
    shutil.rmtree(workdir / ".odibi", ignore_errors=True)
    project = workdir / "odibi.yaml"
    project.write_text(
        PROJECT.format(engine=engine, steps=_steps(broken, total, breakage, indent, before)),
        encoding="utf-8",
    )
    result = invoke_odibi(["--log-level", "ERROR", "run", str(project)])
    assert result.exit_code == ExitCode.RUN_FAILED, result.stdout + result.stderr
    summary = result.stdout[result.stdout.index("node out failed:") :]
    report = Path(re.search(r"report: (\S+\.html)", result.stdout).group(1))  # type: ignore[union-attr]
    boxed = _error_block(report)
    for shown in (summary, boxed):
        assert f"node out failed: step {broken} (sql)" in shown, shown
        assert not DOUBLED.search(shown), shown
        assert not INTERNAL.search(shown), shown
        assert "hint: Fix step" in shown, shown
        if breakage.own_line is not None:  # the engine's second line stays a line of its own
            assert re.search(rf"^\s*{breakage.own_line}", shown, re.MULTILINE), shown
        if breakage.token is not None:
            assert _caret_points_at(shown, breakage.token), shown
        if kind == "raised":
            assert "boom" in shown, shown
    excerpt = [ln.strip() for ln in summary.splitlines() if re.match(r"^\s+\d* *\| ", ln)]
    assert excerpt == [ln.strip() for ln in boxed.splitlines() if re.match(r"^\s*\d* *\| ", ln)]
