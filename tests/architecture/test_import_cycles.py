"""No import cycles among the packages' modules (the graph is read with ``ast``, nothing runs)."""

from __future__ import annotations

import pytest

from tests.architecture.import_graph import cycles, import_graph, source_modules


def test_the_graph_sees_the_kernel_and_every_package() -> None:
    modules = source_modules()
    assert "odibi_core.cli.main" in modules
    assert "odibi_state_azure.backend" in modules
    graph = import_graph()
    assert "odibi_core.redaction.registry" in graph["odibi_core.redaction.exceptions"]
    assert "odibi_core.config.source" in graph["odibi_core.config.loader"]


def test_no_module_imports_itself_back_when_imported() -> None:
    """Imports run at import time (function-local, TYPE_CHECKING ones aside) form no cycle."""
    assert cycles(import_graph()) == []


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("odibi_core.logs", "odibi_core.redaction.process"),
        ("odibi_core.config.loader", "odibi_core.config.resolver"),
        ("odibi_state_azure.backend", "odibi_state_azure.locking"),
    ],
)
def test_untangled_pairs_stay_one_way_even_counting_every_import(one: str, other: str) -> None:
    graph = import_graph(everywhere=True)
    assert not (other in graph[one] and one in graph[other]), f"{one} and {other} import each other"


def test_a_cycle_is_found_when_there_is_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
