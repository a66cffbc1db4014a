"""Promise: no path string, however odd, resolves outside its connection's base folder (unless the
connection allows symlinks leading elsewhere), and none makes Odibi fail with anything but a
config error (exit 3, never the internal error 70).

Hypothesis generates paths from ``..``, ``.``, empty and absolute parts, unicode, symlinks (one
leading inside the base folder, one leading out), globs, backslashes, drives, URIs and NUL
characters, and pushes them through every file connection: ``local`` (strict and with
``allow_outside_symlinks``) and ``hadoop`` (``file:`` and ``hdfs:`` base URIs; no Spark needed to
resolve), then through the project loader and ``odibi validate``.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from odibi_core.config.loader import build_project, read_project_source
from odibi_core.connections.local import LocalConnection
from odibi_core.contracts.connection import FileConnection
from odibi_core.errors import ConfigError
from odibi_core.files.listing import NoFilesMatch
from odibi_core.files.paths import has_glob, is_inside, static_prefix
from odibi_core.plugins.manager import create_plugin_manager

from .conftest import odibi

PARTS = [
    "..",
    ".",
    "",
    "a",
    "in.csv",
    "inside_link",
    "outside_link",
    "*",
    "**",
    "?",
    "[a-z]",
    "ü",
    "日本語",
    "\\",
    "..\\..",
    "\x00",
    "C:",
    "file:",
    "hdfs:",
    "~",
    " ",
    ".hidden",
    "x" * 300,
    "\ud800",
    "%2e%2e",
]
PREFIXES = ["", "", "", "/", "//", "./", "C:\\", "file:///", "\\\\server\\"]

paths = st.one_of(
    st.builds(
        lambda prefix, parts: prefix + "/".join(parts),
        st.sampled_from(PREFIXES),
        st.lists(st.one_of(st.sampled_from(PARTS), st.text(max_size=6)), max_size=6),
    ),
    st.text(max_size=20),
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A base folder with a symlink leading inside it and one leading out, and its connections."""
    from odibi_engine_spark.connection import HadoopConnection

    top = tmp_path_factory.mktemp("paths")
    base, outside = top / "base", top / "outside"
    (base / "inner").mkdir(parents=True)
    outside.mkdir()
    (base / "in.csv").write_text("a\n1\n")
    (base / "inner" / "in.csv").write_text("a\n1\n")
    (outside / "in.csv").write_text("secret\n")
    os.symlink(base / "inner", base / "inside_link")
    os.symlink(outside, base / "outside_link")
    return {
        "base": base,
        "connections": [
            LocalConnection("strict", base),
            LocalConnection("allowing", base, allow_outside_symlinks=True),
            HadoopConnection("file_uri", f"file://{base}"),
            HadoopConnection("hdfs_uri", "hdfs://namenode/lake"),
        ],
    }


def lexically_inside(base: str, resolved: str) -> bool:
    rest = resolved[len(base) :]
    return (
        resolved.startswith(base)
        and (rest == "" or rest.startswith("/"))
        and ".." not in rest.split("/")
    )


def check_connection(connection: FileConnection, base: Path, path: str) -> None:
    strict = not getattr(connection, "allow_outside_symlinks", False)
    base_text = str(base) if isinstance(connection, LocalConnection) else connection.base_uri  # type: ignore[attr-defined]
    for write in (False, True):
        try:
            connection.check_path(path, write=write)
            resolved = connection.resolve(path)
        except ConfigError:
            continue
        assert lexically_inside(base_text, resolved), (connection.name, path, resolved)
        if isinstance(connection, LocalConnection) and strict:
            checked = static_prefix(resolved) if has_glob(resolved) else resolved
            assert is_inside(base, Path(checked)), (path, resolved)
        if isinstance(connection, LocalConnection) and not write:
            try:
                files = connection.read_paths(path)
            except (ConfigError, NoFilesMatch):
                continue
            for file in files:
                assert lexically_inside(base_text, posixpath.normpath(file)), (path, file)
                assert not strict or is_inside(base, Path(file)), (path, file)
        if isinstance(connection, LocalConnection) and write:
            staging = connection.staging_path(path)
            assert not strict or is_inside(base, Path(staging)), (path, staging)
            assert Path(staging).parent == Path(resolved).parent


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=paths)
@example(path="../../etc/passwd")
@example(path="outside_link/in.csv")
@example(path="outside_link/*")
@example(path="inside_link/../in.csv")
@example(path="a\x00b")
@example(path="")
def test_generated_paths_stay_in_every_file_connection(world: dict[str, Any], path: str) -> None:
    for connection in world["connections"]:
        check_connection(connection, world["base"], path)


PROJECT = """\
project: generated
connections:
  raw: {{type: local, base_path: ./base}}
reports: {{enabled: false}}
pipelines:
  - pipeline: p
    nodes:
      - name: n
        read: {{connection: raw, path: {read}, format: csv}}
        write: {{connection: raw, path: {write}, format: csv}}
"""


@pytest.fixture(scope="module")
def plugin_manager() -> Any:
    return create_plugin_manager()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(read=paths, write=paths)
def test_generated_paths_in_a_project_are_valid_or_a_config_error(
    tmp_path: Path, plugin_manager: Any, read: str, write: str
) -> None:
    (tmp_path / "base").mkdir(exist_ok=True)
    (tmp_path / "odibi.yaml").write_text(
        PROJECT.format(read=json.dumps(read), write=json.dumps(write))
    )
    with contextlib.suppress(ConfigError):  # anything else (an internal error) fails the test
        build_project(read_project_source(tmp_path / "odibi.yaml"), plugin_manager)


@settings(
    max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(read=paths)
@example(read="..\\..\\etc\\passwd")
@example(read="/etc/passwd\x00.csv")
@example(read="ü/../../../x" + "y" * 300)
def test_odibi_validate_answers_generated_paths_with_exit_0_or_3(tmp_path: Path, read: str) -> None:
    (tmp_path / "base").mkdir(exist_ok=True)
    (tmp_path / "odibi.yaml").write_text(PROJECT.format(read=json.dumps(read), write='"out.csv"'))
    result = odibi("validate", cwd=tmp_path)
    assert result.returncode in (0, 3), (read, result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
