"""Execution layers: the earliest layer each node can run in, file order inside a layer."""

from __future__ import annotations

import random

import pytest
from odibi_core.errors import PlanError
from odibi_core.planning.dag import _layers


def reference_layers(upstream: dict[str, list[str]]) -> list[list[str]]:
    """The plain definition: a node's layer is one more than its deepest dependency's."""
    depth: dict[str, int] = {}
    for name in upstream:  # callers list dependencies before dependents
        depth[name] = 1 + max((depth[d] for d in upstream[name]), default=-1)
    layers: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for name in upstream:
        layers[depth[name]].append(name)
    return layers


@pytest.mark.parametrize("seed", range(25))
def test_layers_match_the_definition_on_random_graphs(seed: int) -> None:
    rng = random.Random(seed)
    names = [f"n{i}" for i in range(rng.randint(1, 40))]
    upstream = {
        name: rng.sample(names[:i], k=min(i, rng.randint(0, 3))) for i, name in enumerate(names)
    }
    shuffled = dict(
        sorted(upstream.items(), key=lambda _: rng.random())
    )  # file order need not be topological
    expected = reference_layers(upstream)
    position = {name: i for i, name in enumerate(shuffled)}
    assert _layers("p", shuffled) == [sorted(layer, key=position.__getitem__) for layer in expected]


def test_a_chain_of_ten_thousand_nodes_plans_in_ten_thousand_layers() -> None:
    upstream = {f"n{i}": [f"n{i - 1}"] if i else [] for i in range(10_000)}
    layers = _layers("p", upstream)
    assert len(layers) == 10_000
    assert layers[-1] == ["n9999"]


def test_a_cycle_is_still_named() -> None:
    with pytest.raises(PlanError, match=r"dependency cycle: (b -> c -> b|c -> b -> c)"):
        _layers("p", {"a": [], "b": ["a", "c"], "c": ["b"], "d": ["c"]})
