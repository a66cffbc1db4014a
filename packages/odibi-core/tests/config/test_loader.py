"""Project loading: locations in errors, suggestions, references, imports, environments."""

from __future__ import annotations

from pathlib import Path

import pytest
from odibi_core.config.loader import load_project, read_project_source
from odibi_core.errors import ConfigError, PlanError, SecretMissingError

BASE = """\
project: demo
connections:
  raw: {type: local, base_path: ./data}
pipelines:
  - pipeline: p
    nodes:
      - name: a
        read: {connection: raw, path: a.csv}
"""


def test_typo_names_file_line_key_and_suggestion(write_project) -> None:
    text = BASE.replace(
        "        read: {connection: raw, path: a.csv}",
        "        raed: {connection: raw, path: a.csv}",
    )
    path = write_project(text)
    with pytest.raises(ConfigError) as info:
        load_project(path)
    message = info.value.message
    assert "odibi.yaml:8" in message
    assert "pipelines[0].nodes[0].raed" in message
    assert "did you mean 'read'?" in message


def test_top_level_typo_suggests(write_project) -> None:
    path = write_project(BASE + "pipline_defaults: {}\n")
    with pytest.raises(ConfigError, match=r"odibi.yaml:9: pipline_defaults: unknown key"):
        load_project(path)


def test_plugin_section_typo_is_located(write_project) -> None:
    path = write_project(BASE.replace("base_path: ./data", "base_pth: ./data"))
    with pytest.raises(ConfigError) as info:
        load_project(path)
    assert "odibi.yaml:3" in info.value.message
    assert "connections.raw.base_pth" in info.value.message
    assert "did you mean 'base_path'?" in info.value.message


def test_missing_env_var_is_named_without_value(
    write_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ODIBI_TEST_MISSING_DIR", raising=False)
    monkeypatch.setenv("ODIBI_TEST_OTHER", "s3cr3t-value-123")
    path = write_project(
        BASE.replace("./data", "'${env:ODIBI_TEST_MISSING_DIR}/${ODIBI_TEST_OTHER}'")
    )
    with pytest.raises(SecretMissingError) as info:
        load_project(path)
    assert "ODIBI_TEST_MISSING_DIR" in info.value.message
    assert "odibi.yaml:3" in info.value.message
    assert "s3cr3t-value-123" not in info.value.message


def test_references_are_resolved_after_parsing(
    write_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    tricky = 'a: b # "quoted" \n - x'
    monkeypatch.setenv("ODIBI_TEST_TRICKY", tricky)
    path = write_project(
        BASE + "description: ${env:ODIBI_TEST_TRICKY}\n# ${env:ODIBI_TEST_ONLY_IN_COMMENT}\n"
    )
    project = load_project(path)
    assert project.config.description == tricky
    assert project.config.pipelines[0].nodes[0].name == "a"


def test_env_default_and_escape(write_project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ODIBI_TEST_UNSET", raising=False)
    path = write_project(BASE + "description: ${env:ODIBI_TEST_UNSET:-fallback} $${literal}\n")
    assert load_project(path).config.description == "fallback ${literal}"


def test_dotenv_beside_project_never_overrides_environment(
    write_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODIBI_TEST_SET", "from-env")
    monkeypatch.delenv("ODIBI_TEST_DOTENV_ONLY", raising=False)
    path = write_project(
        BASE + "description: ${env:ODIBI_TEST_SET}-${secret:ODIBI_TEST_DOTENV_ONLY}\n",
        files={".env": "ODIBI_TEST_SET=from-file\nexport ODIBI_TEST_DOTENV_ONLY='dotenv value'\n"},
    )
    assert load_project(path).config.description == "from-env-dotenv value"


def test_relative_base_path_is_relative_to_project_file(
    write_project, tmp_path: Path, monkeypatch
) -> None:
    path = write_project(BASE)
    monkeypatch.chdir("/")
    project = load_project(path)
    from odibi_core.connections.local import LocalConnection
    from odibi_core.plugins.types import BuildContext

    conn = LocalConnection.build(
        project.connection_options["raw"],  # type: ignore[arg-type]
        BuildContext("raw", project.project_dir, "demo"),
    )
    assert conn.root == (tmp_path / "data").resolve()


def test_imports_merge_and_cycles_are_named(write_project, tmp_path: Path) -> None:
    (tmp_path / "common.yaml").write_text(
        "connections:\n  lake: {type: local, base_path: ./lake}\n"
    )
    path = write_project("imports: [common.yaml]\n" + BASE)
    project = load_project(path)
    assert set(project.config.connections) == {"raw", "lake"}

    (tmp_path / "x.yaml").write_text("imports: [y.yaml]\n")
    (tmp_path / "y.yaml").write_text("imports: [x.yaml]\n")
    cyclic = write_project("imports: [x.yaml]\n" + BASE, name="cyclic.yaml")
    with pytest.raises(ConfigError, match=r"import cycle: .*x.yaml -> .*y.yaml -> .*x.yaml"):
        read_project_source(cyclic)


def test_environment_overlay_only_when_asked(write_project) -> None:
    text = (
        BASE + "environments:\n  prod:\n    connections:\n      raw: {type: local, base_path: "
        "/srv/raw}\n"
    )
    path = write_project(text)
    assert load_project(path).config.connections["raw"].plugin_options()["base_path"] == "./data"
    prod = load_project(path, environment="prod")
    assert prod.config.connections["raw"].plugin_options()["base_path"] == "/srv/raw"
    with pytest.raises(ConfigError, match=r"unknown environment 'prd'.*did you mean 'prod'"):
        load_project(path, environment="prd")


def test_secrets_of_other_environments_are_not_required(write_project, monkeypatch) -> None:
    monkeypatch.delenv("ODIBI_PROD_ONLY", raising=False)
    text = BASE + "environments:\n  prod:\n    description: ${secret:ODIBI_PROD_ONLY}\n"
    assert load_project(write_project(text)).config.project == "demo"


def test_duplicate_keys_are_rejected(write_project) -> None:
    path = write_project(BASE + "project: again\n")
    with pytest.raises(ConfigError, match=r"odibi.yaml:9: duplicate key project"):
        read_project_source(path)


def test_invalid_yaml_names_line(write_project) -> None:
    path = write_project(BASE + "oops: [unclosed\n")
    with pytest.raises(ConfigError, match=r"odibi.yaml:\d+: invalid YAML"):
        read_project_source(path)


def test_unknown_connection_in_node_is_located(write_project) -> None:
    path = write_project(BASE.replace("{connection: raw,", "{connection: rwa,"))
    with pytest.raises(
        ConfigError, match=r"odibi.yaml:8: .*unknown connection 'rwa' \(did you mean 'raw'\?\)"
    ):
        load_project(path)


def test_cycle_is_named_at_its_line(write_project) -> None:
    text = BASE + (
        "      - {name: b, depends_on: [a, c], transform: {steps: ['SELECT * FROM a']}}\n"
        "      - {name: c, depends_on: [b]}\n"
    )
    cycle = r"odibi.yaml:9: .*dependency cycle in pipeline p: b -> c -> b"
    with pytest.raises(PlanError, match=cycle):
        load_project(write_project(text))


def test_unknown_dependency_suggests_at_its_line(write_project) -> None:
    with pytest.raises(
        PlanError, match=r"odibi.yaml:9: .*unknown node 'aa' \(did you mean 'a'\?\)"
    ):
        load_project(write_project(BASE + "      - {name: b, depends_on: [aa]}\n"))


def test_planner_repeats_graph_checks_for_programmatic_callers() -> None:
    from odibi_core.config.models import PipelineConfig
    from odibi_core.planning.dag import build_plan

    pipeline = PipelineConfig.model_validate(
        {
            "pipeline": "p",
            "nodes": [{"name": "a", "depends_on": ["b"]}, {"name": "b", "depends_on": ["a"]}],
        }
    )
    with pytest.raises(PlanError, match=r"dependency cycle: (a -> b -> a|b -> a -> b)"):
        build_plan(pipeline)
