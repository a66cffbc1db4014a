"""SQL steps read only tables they can see: upstream nodes by name and ``this``."""

from __future__ import annotations

from typing import Any

import pytest
from odibi_core.config.locations import Location, LocationMap
from odibi_core.config.problems import ERROR, WARNING
from odibi_core.config.sql_tables import check_sql_tables, tables_read


def _project(
    steps: list[Any], depends_on: list[str] | None = None, read: bool = False
) -> dict[str, Any]:
    node: dict[str, Any] = {"name": "report", "transform": {"steps": steps}}
    if depends_on is not None:
        node["depends_on"] = depends_on
    if read:
        node["read"] = {"connection": "raw", "path": "x.csv"}
    return {
        "pipelines": [
            {
                "pipeline": "p",
                "nodes": [
                    {"name": "orders", "read": {}},
                    {"name": "customers", "read": {}},
                    {"name": "enriched", "read": {}},
                    node,
                ],
            }
        ]
    }


def _messages(data: dict[str, Any], dialect: str = "duckdb") -> list[str]:
    locations = LocationMap({(): Location("odibi.yaml", 1)})
    return [p.message for p in check_sql_tables(data, locations, dialect)]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM enriched",
        "WITH recent AS (SELECT * FROM enriched) SELECT * FROM recent",
        "SELECT * FROM (SELECT * FROM enriched) AS sub",
        "SELECT * FROM read_csv('data/*.csv')",
        "SELECT * FROM 'data/extra.parquet'",
        "SELECT * FROM range(10) r(x)",
        "SELECT * FROM information_schema.tables",
        'SELECT * FROM ENRICHED e JOIN "Enriched" f USING (id)',
        "SELECT e.* FROM enriched e WHERE e.id IN (SELECT id FROM enriched)",
        "SELEC broken FROM",  # left to the engine
    ],
)
def test_visible_tables_ctes_subqueries_functions_and_files_are_fine(sql: str) -> None:
    assert _messages(_project([{"sql": sql}], depends_on=["enriched"])) == []


def test_a_typo_of_a_node_name_is_reported_with_a_suggestion() -> None:
    assert _messages(_project(["SELECT * FROM enrichd"], depends_on=["enriched"])) == [
        "unknown table 'enrichd' (did you mean 'enriched'?); this step sees: enriched, this"
    ]


def test_a_node_that_is_not_a_dependency_is_named_as_such() -> None:
    (message,) = _messages(
        _project(["SELECT * FROM orders o JOIN enriched e USING (id)"], depends_on=["enriched"])
    )
    assert "node 'orders' is in this pipeline but not in the depends_on of node 'report'" in message


def test_a_node_with_an_unknown_dependency_is_left_to_the_graph_check() -> None:
    assert _messages(_project(["SELECT * FROM orders"], depends_on=["order"])) == []


def test_this_is_visible_only_once_the_node_has_a_frame() -> None:
    two_inputs = _project(
        ["SELECT * FROM this", "SELECT * FROM this"], depends_on=["orders", "customers"]
    )
    assert _messages(two_inputs) == ["unknown table 'this'; this step sees: customers, orders"]
    assert _messages(_project(["SELECT * FROM this"], read=True)) == []
    assert _messages(_project(["SELECT * FROM this"], depends_on=["orders"])) == []


def test_the_location_is_the_step() -> None:
    data = _project([{"sql": "SELECT 1"}, {"sql": "SELECT * FROM nope"}], depends_on=["enriched"])
    locations = LocationMap({(): Location("odibi.yaml", 1)})
    key = ("pipelines", 0, "nodes", 3, "transform", "steps", 1, "sql")
    locations.set(key, Location("odibi.yaml", 42))
    (problem,) = check_sql_tables(data, locations, "duckdb")
    assert (problem.location, problem.path, problem.severity) == (
        Location("odibi.yaml", 42),
        key,
        ERROR,
    )
    (warning,) = check_sql_tables(data, locations, "spark", severity=WARNING)
    assert warning.severity == WARNING


def test_spark_sql_is_parsed_in_its_dialect() -> None:
    assert tables_read(
        "SELECT * FROM `enriched` LATERAL VIEW explode(items) t AS item", "spark"
    ) == ["enriched"]
