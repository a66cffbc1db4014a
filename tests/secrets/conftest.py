"""Fixtures for the secrets end-to-end tests: a state backend plugin installed for subprocesses.

Runs need a state backend so the state file can be checked. ``testfile`` is a minimal
:class:`~odibi_core.contracts.state.DocumentStateBackend` shipped here as a real distribution
(a ``.dist-info`` with an ``odibi.plugins`` entry point on ``PYTHONPATH``), so ``odibi`` loads it
exactly as it loads any installed plugin. Every other backend installed in the environment (such
as ``local`` from odibi-state-local) is exercised too.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

PLUGIN_MODULE = '''
"""A minimal JSON-file state backend, for tests only (no cross-process locking)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from odibi_core.contracts.state import DocumentStateBackend, HolderInfo, LoadedDocument
from odibi_core.plugins.hookspecs import hookimpl
from odibi_core.plugins.types import StateBackendSpec


class TestFileBackend(DocumentStateBackend):
    name = "testfile"

    def __init__(self, path, **kwargs):
        super().__init__(**kwargs)
        self.path = path

    @property
    def location(self):
        return str(self.path)

    def load_document(self):
        return LoadedDocument(self.path.read_bytes() if self.path.exists() else None, None)

    def store_document(self, data, token):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, self.path)

    @contextlib.contextmanager
    def lock(self, name, *, timeout, run_id=None):
        yield HolderInfo.current(lock_name=name, run_id=run_id)

    def holders(self):
        return []

    def force_unlock(self, lock_id):
        raise NotImplementedError


def _factory(options, context):
    return TestFileBackend(Path(context.project_dir) / ".odibi-test-state" / "state.json",
                           project=context.project_name, run_id=context.run_id)


@hookimpl
def odibi_state_backends():
    return [StateBackendSpec("testfile", _factory, None, "test-only JSON file state")]
'''


@pytest.fixture(scope="session")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment additions that install the ``testfile`` state backend for a subprocess."""
    root = tmp_path_factory.mktemp("plugin-site")
    (root / "odibi_test_file_state.py").write_text(textwrap.dedent(PLUGIN_MODULE))
    info = root / "odibi_test_file_state-0.0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: odibi-test-file-state\nVersion: 0.0.1\n"
    )
    (info / "entry_points.txt").write_text("[odibi.plugins]\ntestfile = odibi_test_file_state\n")
    paths = [str(root), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {"PYTHONPATH": os.pathsep.join(paths)}


def installed_state_backends() -> list[str]:
    """Installed state backends that keep state in a local file with default options (``local``).

    Backends that need a service and options (``azure_blob``) are covered by their own leak
    tests against their service; the matrix reads the state file from the project folder.
    """
    from odibi_core.plugins.manager import create_plugin_manager
    from pydantic import ValidationError

    usable = []
    for name, registered in create_plugin_manager().state_backends().items():
        model = registered.spec.options_model()
        try:
            if model is not None:
                model()
        except ValidationError:
            continue
        usable.append(name)
    return sorted(usable)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``backend``: the test plugin's ``testfile`` plus every installed state backend."""
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", ["testfile", *installed_state_backends()], scope="module")


@pytest.fixture(scope="session")
def files_under() -> object:
    """``files_under(root, skip)``: every file under ``root`` as text, except top-level names in
    ``skip``."""

    def collect(root: Path, skip: set[str]) -> dict[str, str]:
        found = {}
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and rel.split("/")[0] not in skip and "__pycache__" not in rel:
                found[rel] = path.read_bytes().decode("utf-8", "replace")
        return found

    return collect
