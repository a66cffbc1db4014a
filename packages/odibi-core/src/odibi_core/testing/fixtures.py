"""pytest fixtures for Odibi and plugin authors (loaded automatically by the ``pytest11`` entry
point).

Example::

    def test_my_engine_registers(make_plugin_manager):
        import my_plugin
        pm = make_plugin_manager(("my-plugin", my_plugin))
        assert "polars" in pm.engines()
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from odibi_core.plugins.manager import OdibiPluginManager


@pytest.fixture
def make_plugin_manager() -> Callable[..., OdibiPluginManager]:
    """Factory of fresh plugin managers: builtins plus the given ``(name, plugin)`` pairs.

    Entry points are not loaded unless ``load_entry_points=True`` is passed, so a test sees only
    the plugins it names.
    """
    from odibi_core.plugins.loader import PluginSettings
    from odibi_core.plugins.manager import create_plugin_manager

    def factory(
        *plugins: tuple[str, object],
        load_entry_points: bool = False,
        settings: PluginSettings | None = None,
    ) -> OdibiPluginManager:
        return create_plugin_manager(
            settings or PluginSettings(), extra_plugins=plugins, load_entry_points=load_entry_points
        )

    return factory


@pytest.fixture
def clean_redaction() -> Iterator[None]:
    """Empty the process-wide redaction registry and restore the default mask, before and after."""
    from odibi_core.redaction import reset_registry
    from odibi_core.redaction.mask import DEFAULT_MASK, apply_mask

    reset_registry()
    apply_mask(DEFAULT_MASK)
    yield
    reset_registry()
    apply_mask(DEFAULT_MASK)


@pytest.fixture
def write_project(tmp_path: Path) -> Callable[..., Path]:
    """Write a project file (dedented YAML) and optional extra files; return the YAML's path.

    ``write_project(yaml_text, files={"data/a.csv": "x\\n1\\n"}, name="odibi.yaml")``
    """

    def write(
        yaml_text: str, *, files: dict[str, str] | None = None, name: str = "odibi.yaml"
    ) -> Path:
        for rel, content in (files or {}).items():
            target = tmp_path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(
                textwrap.dedent(content) if rel.endswith((".py", ".yaml")) else content
            )
        path = tmp_path / name
        path.write_text(textwrap.dedent(yaml_text))
        return path

    return write


@pytest.fixture
def plugin_distributions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Path]]:
    """Factory writing plugin distributions that entry-point discovery finds (in this process).

    ``plugin_distributions("odibi-foo", "odibi_foo", source)`` returns the module path. The
    folder is on ``sys.path`` for the test only; modules imported from it are forgotten after.
    """
    import importlib
    import sys

    from odibi_core.testing.distributions import make_distribution

    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    before = set(sys.modules)

    def make(dist: str, module: str, source: str, **kwargs: object) -> Path:
        path = make_distribution(root, dist, module, source, **kwargs)  # type: ignore[arg-type]
        importlib.invalidate_caches()
        return path

    yield make
    for name in set(sys.modules) - before:
        if sys.modules[name] is not None and str(
            getattr(sys.modules[name], "__file__", "") or ""
        ).startswith(str(root)):
            del sys.modules[name]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Options telling tests where their services are (see :mod:`odibi_core.testing.services`)."""
    group = parser.getgroup("odibi", "Odibi test services")
    group.addoption(
        "--odibi-service",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a test service variable, e.g. ODIBI_TEST_PG_DSN=... (repeatable)",
    )
    group.addoption(
        "--odibi-services-file",
        default=None,
        metavar="PATH",
        help="a file of NAME=value lines with test service variables",
    )
    parser.addini(
        "odibi_services_file",
        "file of NAME=value test service variables (relative to the rootdir; ignored when missing)",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Record the service options for :mod:`odibi_core.testing.services`."""
    from odibi_core.testing.services import configure

    named = config.getoption("--odibi-services-file") or config.getini("odibi_services_file")
    path = Path(named) if named else None
    if path is not None and not path.is_absolute():
        path = (Path.cwd() if config.getoption("--odibi-services-file") else config.rootpath) / path
    configure(config.getoption("--odibi-service"), path)
