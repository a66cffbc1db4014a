"""Node selection for ``odibi run --select`` / ``--exclude`` (dbt-style selectors).

A selector is

* ``NAME`` (or ``node:NAME``): the node called NAME;
* ``tag:TAG``: every node whose ``tags:`` holds TAG;
* ``pipeline:NAME``: every node of pipeline NAME;

optionally with ``+`` before it (its ancestors too) and/or after it (its descendants too), as in
dbt: ``+enriched``, ``orders+``, ``+tag:daily+``.

A node runs only with its inputs, so the nodes to run are the selected nodes *and all their
ancestors*, whether or not ``+`` was written before a selector. Excluding a node leaves out that
node *and all its descendants* (they would have no input). The result is ancestor-closed: a
node that runs has every input it needs. Selecting nothing (no ``--select``) means every node.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from odibi_core.errors import UsageError

if TYPE_CHECKING:
    from odibi_core.planning.dag import Plan

METHODS = ("node", "tag", "pipeline")
"""Selector methods: ``METHOD:VALUE``; a bare value is a node name."""


@dataclass(frozen=True)
class Selector:
    """One parsed selector.

    Attributes:
        method: ``node``, ``tag`` or ``pipeline``.
        value: The name, tag or pipeline it matches.
        ancestors: ``+`` before it: the matched nodes' ancestors too.
        descendants: ``+`` after it: the matched nodes' descendants too.
        text: As written (for messages).
    """

    method: str
    value: str
    ancestors: bool
    descendants: bool
    text: str


def parse_selector(text: str) -> Selector:
    """Parse ``text`` (``[+]METHOD:VALUE[+]`` or ``[+]NAME[+]``); a malformed one is a usage
    error."""
    body = text.strip()
    ancestors = body.startswith("+")
    descendants = body.endswith("+") and len(body) > 1
    body = body[1 if ancestors else 0 : len(body) - (1 if descendants else 0)]
    method, sep, value = body.partition(":")
    if not sep:
        method, value = "node", body
    if method not in METHODS:
        from odibi_core.config.suggestions import did_you_mean

        raise UsageError(
            f"selector {text!r}: unknown method {method!r}{did_you_mean(method, METHODS)}",
            hint="Selectors: NAME, tag:TAG, pipeline:NAME, with + before (ancestors) "
            "or after (descendants).",
        )
    if not value or "+" in value or ":" in value:
        raise UsageError(
            f"selector {text!r} is malformed",
            hint="Selectors: NAME, tag:TAG, pipeline:NAME, with + before (ancestors) "
            "or after (descendants).",
        )
    return Selector(method, value, ancestors, descendants, text)


def parse_selectors(texts: Iterable[str]) -> list[Selector]:
    """Parse each of ``texts`` (a comma inside one also separates selectors: ``a,b``)."""
    return [parse_selector(part) for text in texts for part in text.split(",") if part.strip()]


def base_matches(selector: Selector, plan: Plan) -> set[str]:
    """The nodes of ``plan`` the selector names, before ``+`` is applied."""
    if selector.method == "pipeline":
        return set(plan.nodes) if plan.pipeline.pipeline == selector.value else set()
    if selector.method == "tag":
        return {name for name, node in plan.nodes.items() if selector.value in node.tags}
    return {selector.value} if selector.value in plan.nodes else set()


def matches(selector: Selector, plan: Plan) -> set[str]:
    """The nodes of ``plan`` the selector stands for, ``+`` applied."""
    found = base_matches(selector, plan)
    for name in list(found):
        if selector.ancestors:
            found |= plan.ancestors(name)
        if selector.descendants:
            found |= plan.descendants(name)
    return found


def select_nodes(
    plan: Plan, select: Sequence[Selector], exclude: Sequence[Selector] = ()
) -> list[str]:
    """The nodes of ``plan`` to run, in execution order (see the module docstring): the selected
    nodes that are not excluded, and their ancestors."""
    wanted: set[str] = (
        set(plan.nodes) if not select else set().union(*(matches(s, plan) for s in select))
    )
    dropped: set[str] = set().union(*(matches(s, plan) for s in exclude)) if exclude else set()
    for name in list(dropped):
        dropped |= plan.descendants(name)
    chosen = wanted - dropped
    for name in list(chosen):
        chosen |= plan.ancestors(name)  # never dropped: an excluded ancestor drops its descendants
    return [n for layer in plan.layers for n in layer if n in chosen]


def left_out_downstream(
    plan: Plan, select: Sequence[Selector], exclude: Sequence[Selector]
) -> list[str]:
    """Selected nodes that do not run only because they are downstream of an excluded node (what
    ``odibi run`` notes, so an ``--exclude`` never drops more than the user sees)."""
    if not exclude:
        return []
    wanted = set(plan.nodes) if not select else set().union(*(matches(s, plan) for s in select))
    named = set().union(*(matches(s, plan) for s in exclude))
    running = set(select_nodes(plan, select, exclude))
    return [n for n in plan.order if n in wanted and n not in named and n not in running]


def check_selectors(plans: Sequence[Plan], selectors: Sequence[Selector]) -> None:
    """A selector that names nothing in any of ``plans`` is a usage error (a typo must not run
    everything else, or nothing, silently)."""
    from odibi_core.config.suggestions import did_you_mean

    for selector in selectors:
        if any(base_matches(selector, plan) for plan in plans):
            continue
        if selector.method == "tag":
            known = sorted({t for p in plans for n in p.nodes.values() for t in n.tags})
            what = f"no node has tag {selector.value!r}"
        elif selector.method == "pipeline":
            known = [p.pipeline.pipeline for p in plans]
            what = f"no pipeline {selector.value!r} is selected"
        else:
            known = sorted({n for p in plans for n in p.nodes})
            names = ", ".join(p.pipeline.pipeline for p in plans)
            what = f"no node {selector.value!r} in pipeline(s) {names}"
        raise UsageError(f"selector {selector.text!r}: {what}{did_you_mean(selector.value, known)}")
