"""`odibi graph --format mermaid` is one diagram Mermaid's own parser accepts, whatever the names.

The parser is the `mermaid` npm package (pinned in scripts/mermaid, installed by scripts/setup.sh)
run under Node.js with jsdom: the same code that draws diagrams in a browser or on GitHub.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odibi_core.config.models import PipelineConfig
from odibi_core.planning.dag import build_plan
from odibi_core.planning.render import mermaid_text, render_mermaid
from odibi_core.testing.cli import run_odibi

REPO = Path(__file__).resolve().parents[2]
CHECKER = REPO / "scripts" / "mermaid" / "check.mjs"
KEYWORDS = [
    "end",
    "graph",
    "subgraph",
    "flowchart",
    "style",
    "class",
    "classDef",
    "click",
    "call",
    "default",
    "direction",
    "href",
    "linkStyle",
    "LR",
    "TD",
    "o",
    "x",
    "v",
    "_",
    "A",
]


class MermaidParser:
    """One long-running `node check.mjs`: a diagram per line in, a verdict per line out."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None or not (CHECKER.parent / "node_modules" / "mermaid").is_dir():
            pytest.fail(
                "Mermaid's parser is not installed: run scripts/setup.sh (needs Node.js and npm)"
            )
        self.proc = subprocess.Popen(
            [node, str(CHECKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=CHECKER.parent,
        )

    def parse(self, text: str) -> dict[str, object]:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(text) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the Mermaid checker stopped"
        return json.loads(line)  # type: ignore[no-any-return]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def mermaid() -> Iterator[MermaidParser]:
    parser = MermaidParser()
    yield parser
    parser.close()


def test_the_parser_refuses_what_the_old_output_was(mermaid: MermaidParser) -> None:
    # the checker is a real parser: a bare `end` node and two flowcharts back to back fail
    assert not mermaid.parse("flowchart LR\n  a --> end")["ok"]
    assert not mermaid.parse("flowchart LR\n  a --> b\nflowchart LR\n  c --> d")["ok"]
    assert mermaid.parse("flowchart LR\n  a --> b")["ok"]


names = st.one_of(
    st.sampled_from(KEYWORDS), st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
)


@st.composite
def projects(draw: st.DrawFn) -> list[PipelineConfig]:
    """1-3 pipelines whose node names include Mermaid keywords and repeat across pipelines."""
    pipelines = []
    for p in range(draw(st.integers(1, 3))):
        node_names = draw(st.lists(names, min_size=1, max_size=6, unique=True))
        nodes = []
        for i, name in enumerate(node_names):
            deps = (
                draw(st.lists(st.sampled_from(node_names[:i]), max_size=2, unique=True))
                if i
                else []
            )
            node = (
                {"name": name, "depends_on": deps}
                if deps
                else {"name": name, "read": {"connection": "raw", "path": "x.csv"}}
            )
            if len(deps) > 1:
                node["transform"] = {"steps": ["SELECT 1"]}
            nodes.append(node)
        pipeline_name = draw(
            st.one_of(
                st.sampled_from(["end", "graph", "a.b-c"]),
                st.from_regex(r"[A-Za-z0-9_.\-]{1,10}", fullmatch=True),
            )
        )
        pipelines.append(
            PipelineConfig.model_validate({"pipeline": f"{pipeline_name}{p}", "nodes": nodes})
        )
    return pipelines


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(projects())
def test_generated_projects_give_one_valid_diagram(
    mermaid: MermaidParser, pipelines: list[PipelineConfig]
) -> None:
    text = render_mermaid([build_plan(p) for p in pipelines])
    verdict = mermaid.parse(text)
    assert verdict == {"ok": True, "type": "flowchart-v2"}, (text, verdict)
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert not any(line.startswith("flowchart") for line in lines[1:])
    assert sum(line.startswith("  subgraph ") for line in lines) == len(pipelines)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(min_size=1, max_size=30))
def test_any_label_text_is_escaped(mermaid: MermaidParser, label: str) -> None:
    # quotes, brackets, `#`, `;`, `<script>`, newlines, emoji: all become entity codes
    text = (
        f'flowchart LR\n  subgraph s["{mermaid_text(label)}"]\n    '
        f'n1["{mermaid_text(label)}"]\n  end'
    )
    assert mermaid.parse(text)["ok"], text


def test_graph_command_with_two_pipelines(mermaid: MermaidParser, tmp_path: Path) -> None:
    (tmp_path / "odibi.yaml").write_text(
        textwrap.dedent("""\
        project: two
        connections: {raw: {type: local, base_path: ./data}}
        pipelines:
          - pipeline: first
            nodes:
              - {name: start, read: {connection: raw, path: a.csv}}
              - {name: end, depends_on: [start], transform: {steps: ["SELECT * FROM start"]}}
          - pipeline: second
            nodes:
              - {name: end, read: {connection: raw, path: b.csv}}
              - {name: subgraph, depends_on: [end]}
        """)
    )
    proc = run_odibi(["graph", "--format", "mermaid", str(tmp_path)])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("flowchart") == 1
    assert mermaid.parse(proc.stdout) == {"ok": True, "type": "flowchart-v2"}
    assert '"pipeline first"' in proc.stdout
    assert '"pipeline second"' in proc.stdout
    assert '["end (1 step(s))"]' in proc.stdout
