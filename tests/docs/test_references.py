"""The generated references cover the code: every command, option, config key, hook, exit code.

These tests walk the code on their own (not through the generators) and look for each item in the
pages the strict build generated.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs/reference"


def _sections(text: str) -> dict[str, str]:
    """Markdown sections by their explicit ``{#id}``."""
    found: dict[str, str] = {}
    parts = re.split(r"^#+ .*\{#([^}]+)\}\s*$", text, flags=re.M)
    for anchor, body in zip(parts[1::2], parts[2::2], strict=False):
        found[anchor] = body
    return found


def _cli_commands() -> Iterator[tuple[list[str], Any]]:
    import typer
    from odibi_core.cli.main import create_app

    app = create_app(argv=[])  # no command named: builtin and plugin commands alike
    stack: list[tuple[list[str], Any]] = [(["odibi"], typer.main.get_command(app))]
    while stack:
        path, command = stack.pop()
        yield path, command
        if hasattr(command, "list_commands"):
            ctx = command.context_class(command, info_name=path[-1])
            for name in command.list_commands(ctx):
                stack.append(([*path, name], command.get_command(ctx, name)))


def test_every_cli_command_and_option_is_in_the_cli_reference(built_site: Any) -> None:
    assert built_site.returncode == 0, built_site.output
    sections = _sections((REFERENCE / "cli.md").read_text())
    commands = list(_cli_commands())
    assert {" ".join(p) for p, _ in commands} >= {
        "odibi run",
        "odibi validate",
        "odibi plugins list",
    }
    for path, command in commands:
        anchor = "-".join(path)
        assert anchor in sections, f"`{' '.join(path)}` has no section in the CLI reference"
        body = sections[anchor]
        for param in command.params:
            if getattr(param, "hidden", False):
                continue
            for opt in [*param.opts, *param.secondary_opts]:
                shown = opt if opt.startswith("-") else (param.metavar or opt).upper()
                assert f"`{shown}`" in body, (
                    f"{' '.join(path)}: {shown} missing from the CLI reference"
                )


def _unwrap(annotation: Any, path: str) -> Iterator[tuple[str, type[BaseModel]]]:
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield path, annotation
    elif origin is typing.Annotated:  # a discriminated union (transform steps)
        yield from _unwrap(typing.get_args(annotation)[0], path)
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _unwrap(arg, path)
    elif origin in (list, tuple, set, frozenset):
        yield from _unwrap(typing.get_args(annotation)[0], path + "[]")
    elif origin is dict:
        yield from _unwrap(typing.get_args(annotation)[1], path + ".<name>")


def config_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every key path under ``model`` (recursively through nested models)."""
    keys: set[str] = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}.{info.alias or name}" if prefix else (info.alias or name)
        keys.add(path)
        for sub_path, sub_model in _unwrap(info.annotation, path):
            keys |= config_keys(sub_model, sub_path)
    return keys


def test_every_config_key_is_in_the_configuration_reference(built_site: Any) -> None:
    from odibi_core.config.models import ProjectConfig

    assert built_site.returncode == 0, built_site.output
    page = (REFERENCE / "configuration.md").read_text()
    keys = config_keys(ProjectConfig)
    assert {
        "pipelines[].nodes[].read.incremental.column",
        "connections.<name>.type",
        "pipelines[].nodes[].transform.steps[].params",
    } <= keys
    missing = sorted(k for k in keys if f"| `{k}` |" not in page)
    assert missing == []


def test_every_installed_plugin_config_key_is_in_the_configuration_reference(
    built_site: Any,
) -> None:
    from odibi_core.plugins.manager import create_plugin_manager

    assert built_site.returncode == 0, built_site.output
    page = (REFERENCE / "configuration.md").read_text()
    pm = create_plugin_manager()
    expected: set[str] = set()
    for registry, prefix, selector in (
        (pm.engines(), "engine_options", "engine"),
        (pm.connections(), "connections.<name>", "type"),
        (pm.state_backends(), "state", "backend"),
    ):
        for name, registered in registry.items():
            heading = f"`{prefix}` when `{selector}: {name}`"
            assert heading in page, f"{name} ({registered.distribution}) is not documented"
            model = registered.spec.options_model()
            if model is not None:
                expected |= config_keys(model, prefix)
    for name, registered in pm.formats().items():
        spec = registered.spec
        for side, model in (("read", spec.read_options), ("write", spec.write_options)):
            heading = f"`{side}.options` when `format: {name}`"
            assert heading in page, f"format {name} is not documented"
            if model is not None:
                expected |= config_keys(model, f"pipelines[].nodes[].{side}.options")
    assert "engine_options.memory_limit" in expected
    assert "connections.<name>.base_path" in expected
    missing = sorted(k for k in expected if f"| `{k}` |" not in page)
    assert missing == []
    for name in pm.secret_providers():
        assert f"| `{name}` |" in page


def test_every_hook_and_exit_code_is_documented(built_site: Any) -> None:
    from odibi_core.errors import ExitCode
    from odibi_core.plugins.hookspecs import OdibiHookSpecs

    assert built_site.returncode == 0, built_site.output
    hooks = _sections((REFERENCE / "hooks.md").read_text())
    names = [n for n in vars(OdibiHookSpecs) if n.startswith("odibi_")]
    assert len(names) >= 9
    for name in names:
        assert name in hooks, f"hook {name} missing from the hook reference"
        assert "```python\ndef " + name in hooks[name]
    codes = (REFERENCE / "exit-codes.md").read_text()
    for member in ExitCode:
        assert f"| `{int(member)}` | `{member.name}` |" in codes
