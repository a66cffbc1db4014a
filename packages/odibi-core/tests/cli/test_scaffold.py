"""``odibi_core.cli.scaffold``: names, templates and the refusal to overwrite."""

from __future__ import annotations

import keyword
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from odibi_core.cli.scaffold import (
    KIND_PREFIXES,
    NAME_PATTERN,
    PluginNames,
    scaffold,
    template_files,
)
from odibi_core.errors import ExitCode, UsageError
from odibi_core.plugins.hookspecs import ENTRY_POINT_GROUP

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    from pip._vendor import tomli as tomllib


@pytest.mark.parametrize("kind", sorted(KIND_PREFIXES))
def test_every_template_renders_to_valid_python_and_toml(tmp_path: Path, kind: str) -> None:
    folder = scaffold(kind, "sample_one", tmp_path)
    names = PluginNames.of(kind, "sample_one")
    assert folder == tmp_path / names.distribution
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert len(written) == len(template_files(kind))
    assert f"src/{names.package}/plugin.py" in written
    assert any(name.startswith("tests/test_") for name in written)
    for path in folder.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")  # raises on a template mistake
    meta = tomllib.loads((folder / "pyproject.toml").read_text())
    assert meta["project"]["name"] == names.distribution
    assert meta["project"]["entry-points"][ENTRY_POINT_GROUP] == {
        names.entry_point: f"{names.package}.plugin"
    }
    assert meta["project"]["dependencies"][0].startswith("odibi-core>=")
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_text().replace("${secret:", "")
            assert not re.search(r"\$[A-Za-z{]", text), path  # no placeholder left unfilled


@pytest.mark.parametrize("kind", sorted(KIND_PREFIXES))
def test_the_generated_code_passes_its_own_lint_rules(tmp_path: Path, kind: str) -> None:
    folder = scaffold(kind, "sample_one", tmp_path)
    ruff = Path(sys.executable).parent / "ruff"
    lint = subprocess.run(
        [str(ruff), "check", "--no-cache", "."],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_an_existing_folder_is_refused_and_left_alone(tmp_path: Path) -> None:
    scaffold("secrets", "vault", tmp_path)
    marker = tmp_path / "odibi-secrets-vault" / "pyproject.toml"
    marker.write_text("kept")
    with pytest.raises(UsageError, match="already exists; nothing was written") as raised:
        scaffold("secrets", "vault", tmp_path)
    assert raised.value.exit_code == ExitCode.USAGE_ERROR
    assert marker.read_text() == "kept"


@settings(max_examples=60, deadline=None)
@given(st.from_regex(NAME_PATTERN, fullmatch=True))
def test_a_valid_name_gives_importable_and_installable_names(name: str) -> None:
    if keyword.iskeyword(name) or name.endswith("_") or "__" in name:
        with pytest.raises(UsageError):
            PluginNames.of("connection", name)
        return
    names = PluginNames.of("connection", name)
    assert names.package.isidentifier()
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", names.distribution)
    assert names.class_prefix.isidentifier()
    assert names.class_prefix[0].isupper()


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=50).filter(lambda s: not NAME_PATTERN.fullmatch(s)))
def test_any_other_name_is_a_usage_error_naming_it(name: str) -> None:
    with pytest.raises(UsageError, match="invalid plugin name"):
        PluginNames.of("state", name)


def test_names_the_project_registers_are_refused() -> None:
    with pytest.raises(UsageError, match="already registered"):
        PluginNames.of("state", "local")
    assert PluginNames.of("connection", "local_files").distribution == "odibi-connector-local-files"
