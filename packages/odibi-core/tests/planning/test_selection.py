"""``--select`` / ``--exclude`` against a reference computed from the definition on random DAGs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from odibi_core.config.models import PipelineConfig
from odibi_core.errors import UsageError
from odibi_core.planning.dag import Plan, build_plan
from odibi_core.planning.selection import (
    left_out_downstream,
    parse_selector,
    parse_selectors,
    select_nodes,
)

TAGS = ("a", "b", "c")


@st.composite
def pipelines(draw: st.DrawFn) -> PipelineConfig:
    """A pipeline of 1-12 nodes, each depending on some earlier ones, with random tags."""
    count = draw(st.integers(1, 12))
    nodes = []
    for i in range(count):
        deps = draw(st.lists(st.integers(0, i - 1), max_size=3, unique=True)) if i else []
        node = {
            "name": f"n{i}",
            "tags": draw(st.lists(st.sampled_from(TAGS), unique=True, max_size=2)),
        }
        if deps:
            node["depends_on"] = [f"n{d}" for d in deps]
            node["transform"] = {
                "steps": ["SELECT * FROM " + " CROSS JOIN ".join(f"n{d}" for d in deps)]
            }
        else:
            node["read"] = {"connection": "raw", "path": f"n{i}.csv"}
        nodes.append(node)
    return PipelineConfig.model_validate({"pipeline": "p", "nodes": nodes})


def reachability(upstream: dict[str, list[str]]) -> dict[str, set[str]]:
    """Warshall's transitive closure: ``result[x]`` = every node ``x`` depends on, directly or
    not."""
    reach = {x: set(deps) for x, deps in upstream.items()}
    for k in upstream:
        for i in upstream:
            if k in reach[i]:
                reach[i] |= reach[k]
    return reach


def reference(pipeline: PipelineConfig, select: list[str], exclude: list[str]) -> set[str]:
    """The documented meaning, computed independently of the planner."""
    upstream = {n.name: list(n.depends_on) for n in pipeline.nodes}
    anc = reachability(upstream)
    desc = {x: {y for y in upstream if x in anc[y]} for x in upstream}

    def denote(text: str) -> set[str]:
        body = text.strip("+")
        if body.startswith("tag:"):
            base = {n.name for n in pipeline.nodes if body[4:] in n.tags}
        elif body.startswith("pipeline:"):
            base = set(upstream) if body[9:] == pipeline.pipeline else set()
        else:
            base = {body.removeprefix("node:")} & set(upstream)
        out = set(base)
        for x in base:
            out |= anc[x] if text.startswith("+") else set()
            out |= desc[x] if text.endswith("+") else set()
        return out

    wanted = set(upstream) if not select else set().union(*map(denote, select))
    dropped = set().union(*map(denote, exclude)) if exclude else set()
    dropped |= {y for x in dropped for y in desc[x]}
    kept = wanted - dropped
    return kept | {y for x in kept for y in anc[x]}


def selectors(count: int) -> st.SearchStrategy[str]:
    body = st.one_of(
        st.integers(0, count - 1).map(lambda i: f"n{i}"),
        st.integers(0, count - 1).map(lambda i: f"node:n{i}"),
        st.sampled_from(TAGS).map(lambda t: f"tag:{t}"),
        st.sampled_from(["pipeline:p", "pipeline:other"]),
    )
    return st.tuples(st.booleans(), body, st.booleans()).map(
        lambda t: ("+" if t[0] else "") + t[1] + ("+" if t[2] else "")
    )


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_selection_matches_the_reference(data: st.DataObject) -> None:
    pipeline = data.draw(pipelines())
    count = len(pipeline.nodes)
    select = data.draw(st.lists(selectors(count), max_size=3))
    exclude = data.draw(st.lists(selectors(count), max_size=2))
    plan = build_plan(pipeline, strict=False)
    chosen = select_nodes(plan, parse_selectors(select), parse_selectors(exclude))
    assert set(chosen) == reference(pipeline, select, exclude)
    assert chosen == [n for n in plan.order if n in set(chosen)]  # execution order
    for name in chosen:  # a node that runs has its inputs
        assert set(plan.upstream[name]) <= set(chosen)


def test_node_plus_keeps_the_old_meaning() -> None:
    pipeline = PipelineConfig.model_validate(
        {
            "pipeline": "p",
            "nodes": [
                {"name": "a", "read": {"connection": "raw", "path": "a.csv"}},
                {"name": "b", "depends_on": ["a"]},
                {"name": "c", "depends_on": ["b"]},
            ],
        }
    )
    assert build_plan(pipeline, select=["b"]).selected == ["a", "b"]
    assert build_plan(pipeline, select=["b+"]).selected == ["a", "b", "c"]
    assert build_plan(pipeline, exclude=["b"]).selected == ["a"]
    full = build_plan(pipeline)
    assert left_out_downstream(full, [], parse_selectors(["b"])) == ["c"]
    assert left_out_downstream(full, parse_selectors(["a"]), parse_selectors(["b"])) == []
    with pytest.raises(UsageError, match="no node 'x'"):
        build_plan(pipeline, select=["x"])


@pytest.mark.parametrize("text", ["", "+", "++", "tag:", "colour:red", "a:b:c", "a+b"])
def test_malformed_selectors_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_selector(text)


def test_tags_do_not_change_fingerprints() -> None:
    base = {
        "pipeline": "p",
        "nodes": [{"name": "a", "read": {"connection": "raw", "path": "a.csv"}}],
    }
    tagged = {
        "pipeline": "p",
        "nodes": [{**base["nodes"][0], "tags": ["x"], "report_samples": True}],
    }
    first: Plan = build_plan(PipelineConfig.model_validate(base))
    second: Plan = build_plan(PipelineConfig.model_validate(tagged))
    assert first.fingerprints == second.fingerprints
