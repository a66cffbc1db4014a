"""Model rules: numbers are numbers with sane bounds, a step is one kind, messages name the key."""

from __future__ import annotations

import pytest
from odibi_core.config.loader import load_project
from odibi_core.errors import ConfigError


def _error(write_project, text: str) -> str:
    path = write_project(text)
    with pytest.raises(ConfigError) as info:
        load_project(path)
    return info.value.message.replace(f"{path.parent}/", "")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "retry: {max_attempts: true}\n",
            "odibi.yaml:9: retry.max_attempts: must be a number, not true",
        ),
        ("workers: 1e30\n", "odibi.yaml:9: workers: Input should be a valid integer"),
        (
            "workers: 100000000000000000000000000000\n",
            "workers: Input should be less than or equal to 256",
        ),
        ("workers: false\n", "workers: must be a number, not false"),
        ("state: {lock_timeout: .inf}\n", "state.lock_timeout: must be a finite number"),
        ("state: {lock_timeout: .nan}\n", "state.lock_timeout: must be a finite number"),
        (
            "retry: {initial_delay: 100000}\n",
            "retry.initial_delay: Input should be less than or equal to 3600",
        ),
        ("engine_options: {threads: true}\n", "engine_options.threads: must be a number, not true"),
        (
            "engine_options: {memory_limit: lots}\n",
            "engine_options.memory_limit: memory_limit 'lots' is not a size",
        ),
        (
            "plugins: {import_timeout: 9999}\n",
            "plugins.import_timeout: Input should be less than or equal to 600",
        ),
    ],
)
def test_numbers_refuse_booleans_infinity_and_absurd_values(
    write_project, one_node_project, extra: str, expected: str
) -> None:
    assert expected in _error(write_project, one_node_project + extra)


def test_a_number_from_a_reference_is_still_accepted(
    write_project, one_node_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODIBI_TEST_WORKERS", "3")
    assert (
        load_project(
            write_project(one_node_project + "workers: ${env:ODIBI_TEST_WORKERS}\n")
        ).config.workers
        == 3
    )


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (
            "{sql: SELECT 1, function: f}",
            "a step has exactly one of sql:, function:, transformer: (this one has sql and "
            "function)",
        ),
        (
            "{sqll: SELECT 1}",
            "a step needs one of sql:, function:, transformer: (found: sqll) (did you mean 'sql'?)",
        ),
        (
            "{function: f, parms: {}}",
            "steps[0].parms: unknown key 'parms' (did you mean 'params'?)",
        ),
        ("{sql: SELECT 1, params: {}}", "steps[0].params: unknown key 'params'; valid keys: sql"),
        ("3", "a step is a SQL string or a mapping with one of sql:, function:"),
    ],
)
def test_a_step_is_one_kind_and_its_mistakes_say_so(
    write_project, one_node_project, step: str, expected: str
) -> None:
    message = _error(write_project, one_node_project + f"        transform: {{steps: [{step}]}}\n")
    assert "odibi.yaml:9: pipelines[0].nodes[0].transform." in message
    assert expected in message
    assert "unknown key 'sql' (did you mean 'sql'?)" not in message


def test_every_model_problem_is_reported_without_a_cap(write_project, one_node_project) -> None:
    nodes = "".join(f"      - {{name: n{i}, raed: {{}}}}\n" for i in range(15))
    lines = _error(write_project, one_node_project + nodes).splitlines()
    typos = [line for line in lines if "unknown key 'raed' (did you mean 'read'?)" in line]
    assert len(typos) == 15
    assert [int(line.split(":")[1]) for line in lines] == sorted(
        int(line.split(":")[1]) for line in lines
    )
