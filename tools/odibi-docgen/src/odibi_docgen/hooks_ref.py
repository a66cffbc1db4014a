"""The hook reference, generated from :class:`odibi_core.plugins.hookspecs.OdibiHookSpecs`."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

from odibi_docgen.common import GENERATED_NOTE, REFERENCE, code, table, write_if_changed
from odibi_docgen.rst import to_markdown

PAGE = REFERENCE / "hooks.md"

SECTION = re.compile(r"^(Args|Arguments|Parameters|Returns|Yields|Raises|Attributes):\s*$")


def resolve_import(target: str) -> str | None:
    """Full path of ``target`` if it names an importable module or attribute."""
    parts = target.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return None
            obj = getattr(obj, attr)
        return target
    return None


def google_sections(text: str) -> str:
    """``Args:`` / ``Returns:`` blocks -> bold headings with lists (plain Markdown)."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = SECTION.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        out += [f"**{match.group(1)}**", ""]
        i += 1
        items: list[str] = []
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
            line = lines[i]
            if line.strip():
                if len(line) - len(line.lstrip()) <= 4 and match.group(1) not in (
                    "Returns",
                    "Yields",
                ):
                    name, _, rest = line.strip().partition(":")
                    items.append(f"- `{name.strip()}`: {rest.strip()}")
                elif items:
                    items[-1] += " " + line.strip()
                else:
                    items.append(line.strip())
            i += 1
        out += [*items, ""]
    return "\n".join(out)


def _signature(name: str, func: object) -> str:
    sig = inspect.signature(func)  # type: ignore[arg-type]
    params = [p for p in sig.parameters.values() if p.name != "self"]
    args = ", ".join(
        f"{p.name}: {p.annotation}" if p.annotation is not inspect.Parameter.empty else p.name
        for p in params
    )
    ret = sig.return_annotation
    ret_text = "" if ret is inspect.Signature.empty else f" -> {ret}"
    return f"def {name}({args}){ret_text}"


def hook_specs() -> list[tuple[str, object, dict[str, object]]]:
    """``(name, function, spec options)`` of every hook, in source order."""
    from odibi_core.plugins.hookspecs import PROJECT_NAME, OdibiHookSpecs

    return [
        (name, func, getattr(func, f"{PROJECT_NAME}_spec", {}) or {})
        for name, func in vars(OdibiHookSpecs).items()
        if name.startswith("odibi_")
    ]


def implementers() -> dict[str, list[str]]:
    """Installed plugins implementing each hook: ``hook -> ["plugin (distribution)"]``."""
    from odibi_core.plugins.manager import create_plugin_manager

    pm = create_plugin_manager()
    by_plugin = {p.name: p.distribution for p in pm.plugins}
    result: dict[str, list[str]] = {}
    for name, _, _ in hook_specs():
        caller = getattr(pm.pm.hook, name)
        result[name] = [
            f"{impl.plugin_name} ({by_plugin.get(impl.plugin_name, '?')})"
            for impl in caller.get_hookimpls()
        ]
    return result


def render() -> str:
    """The whole page."""
    from odibi_core.plugins.hookspecs import ENTRY_POINT_GROUP

    def missing(role: str, target: str) -> None:
        raise ValueError(f"hookspec docstring: :{role}:`{target}` refers to nothing in the code")

    specs = hook_specs()
    impls = implementers()
    out = [
        GENERATED_NOTE,
        "# Hook reference\n",
        "Every hook a plugin may implement, generated from `OdibiHookSpecs` on every docs build. "
        f"A plugin is a module registered under the `{ENTRY_POINT_GROUP}` entry-point group whose "
        "functions carry `@hookimpl` (`from odibi_core import hookimpl`). Registration hooks "
        "return "
        "lists of typed records from [`odibi_core.plugins.types`][odibi_core.plugins.types]; "
        "lifecycle hooks are implemented as wrappers (`@hookimpl(wrapper=True)`).\n",
        '```toml\n[project.entry-points."odibi.plugins"]\nmy_plugin = "my_package.plugin"\n```\n',
    ]
    rows = []
    for name, func, opts in specs:
        summary = (inspect.getdoc(func) or "").splitlines()[0]
        style = (
            "first non-`None` result (wrap it)"
            if opts.get("firstresult")
            else "every result collected"
        )
        rows.append((f"[`{name}`](#{name})", style, summary))
    out.append(table(("Hook", "Results", "Summary"), rows))
    for name, func, opts in specs:
        out.append(f"## `{name}` {{#{name}}}\n")
        out.append(f"```python\n{_signature(name, func)}\n```\n")
        flags = [f"`{k}=True`" for k, v in sorted(opts.items()) if v is True]
        if flags:
            out.append("Spec options: " + ", ".join(flags) + ".\n")
        doc = inspect.getdoc(func) or ""
        out.append(to_markdown(google_sections(doc), resolve_import, missing) + "\n")
        found = impls.get(name) or []
        out.append(
            "Implemented by the installed plugins: "
            + (", ".join(code(i) for i in found) if found else "none")
            + ".\n"
        )
    return "\n".join(out)


def generate() -> Path:
    """Write the page (only if it changed)."""
    write_if_changed(PAGE, render())
    return PAGE
