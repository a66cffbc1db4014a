"""Hypothesis strategies that generate hostile project files, as bytes ready to write.

Each example starts from a valid project and applies a few mistakes a person (or an attacker)
makes: unknown keys and typos of valid keys, values of the wrong type, deleted keys, YAML tags,
anchors and aliases (up to alias bombs), deep nesting, duplicate keys, stray characters,
original-Odibi expressions, references, and encodings other than UTF-8. Odibi's own tests push
them through ``odibi validate``; a plugin author can push them through a config model.

Needs ``hypothesis`` (a test dependency, not one of ``odibi-core``)::

    from hypothesis import given
    from odibi_core.testing.hostile_yaml import hostile_project_files

    @given(hostile_project_files())
    def test_never_crashes(raw: bytes) -> None: ...
"""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import strategies as st

BASE_PROJECT: dict[str, Any] = {
    "project": "hostile",
    "engine": "duckdb",
    "connections": {"raw": {"type": "local", "base_path": "./data"}},
    "retry": {"max_attempts": 3},
    "workers": 2,
    "pipelines": [
        {
            "pipeline": "p",
            "nodes": [
                {"name": "a", "read": {"connection": "raw", "path": "a.csv"}},
                {
                    "name": "b",
                    "depends_on": ["a"],
                    "transform": {"steps": [{"sql": "SELECT * FROM a"}]},
                    "validation": {"not_null": ["id"]},
                },
            ],
        }
    ],
}
"""The valid project every example starts from."""

KNOWN_KEYS = (
    "project",
    "engine",
    "engine_options",
    "connections",
    "pipelines",
    "pipeline",
    "nodes",
    "name",
    "depends_on",
    "read",
    "write",
    "transform",
    "steps",
    "sql",
    "function",
    "params",
    "validation",
    "retry",
    "max_attempts",
    "workers",
    "imports",
    "environments",
    "state",
    "backend",
    "plugins",
    "reports",
    "logging",
    "level",
    "secrets",
    "providers",
    "type",
    "base_path",
    "path",
    "format",
    "mode",
    "keys",
    "memory_limit",
    "threads",
    "incremental",
    "column",
    "on_error",
    "import_timeout",
)
"""Keys of the project file that typos are made of."""

TAGS = (
    "!foo",
    "!!python/name:os.system",
    "!!python/object:os.system",
    "!!str",
    "!!int",
    "!!map",
    "!!seq",
    "!",
    "!!binary",
    "!<tag:example.com,2000:x>",
)
REFERENCES = (
    "${date:-7d}",
    "${date:today}",
    "${vars.env}",
    "${env:ODIBI_HOSTILE_UNSET}",
    "${secret:ODIBI_HOSTILE_UNSET:-x}",
    "${env:ODIBI_HOSTILE_UNSET:-./data}",
    "$${literal}",
    "${",
    "${}",
    "${env:}",
)
ENCODINGS = ("utf-8",) * 12 + ("utf-8-sig", "utf-16", "utf-16-be", "utf-32", "latin-1", "cp1252")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["1e30", "true", "null", "2024-13-45", "~", "-", "*", "&x", "@", "`", "%"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=10), st.sampled_from(KNOWN_KEYS)), inner, max_size=4
        ),
    ),
    max_leaves=12,
)


@st.composite
def typos(draw: st.DrawFn) -> str:
    """A known key with one character dropped, doubled, swapped or changed."""
    key = draw(st.sampled_from(KNOWN_KEYS))
    i = draw(st.integers(0, len(key) - 1))
    edit = draw(st.sampled_from(["drop", "double", "swap", "change", "case"]))
    if edit == "drop":
        return key[:i] + key[i + 1 :] or key
    if edit == "double":
        return key[:i] + key[i] + key[i:]
    if edit == "swap" and i + 1 < len(key):
        return key[:i] + key[i + 1] + key[i] + key[i + 2 :]
    if edit == "case":
        return key.upper()
    return key[:i] + draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz_-")) + key[i + 1 :]


def _containers(data: Any, found: list[Any]) -> list[Any]:
    if isinstance(data, (dict, list)):
        found.append(data)
        for child in data.values() if isinstance(data, dict) else data:
            _containers(child, found)
    return found


@st.composite
def mutated_documents(draw: st.DrawFn) -> Any:
    """The base project with a few structural mistakes (as plain data)."""
    data: Any = copy.deepcopy(BASE_PROJECT)
    for _ in range(draw(st.integers(0, 4))):
        targets = _containers(data, [])
        if not targets:
            break
        target = draw(st.sampled_from(targets))
        action = draw(st.sampled_from(["add", "replace", "delete", "replace_root"]))
        if action == "replace_root" and draw(st.integers(0, 9)) == 0:
            data = draw(values)
        elif isinstance(target, dict) and action == "add":
            target[draw(st.one_of(typos(), st.text(max_size=10)))] = draw(values)
        elif isinstance(target, dict) and target:
            key = draw(st.sampled_from(sorted(target, key=repr)))
            if action == "delete":
                del target[key]
            else:
                target[key] = draw(values)
        elif isinstance(target, list):
            if target and action == "delete":
                target.pop(draw(st.integers(0, len(target) - 1)))
            else:
                target.append(draw(values))
    return data


@st.composite
def hostile_texts(draw: st.DrawFn) -> str:
    """A mutated project as YAML text, with a few text-level mistakes on top."""
    data = draw(mutated_documents())
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    lines = text.splitlines()
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(
            st.sampled_from(["tag", "reference", "nest", "alias", "bomb", "duplicate", "char"])
        )
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        line = lines[i] if lines else ""
        if kind == "tag" and ": " in line:
            head, _, tail = line.partition(": ")
            lines[i] = f"{head}: {draw(st.sampled_from(TAGS))} {tail}"
        elif kind == "tag" and line.lstrip().startswith("- "):
            lines[i] = line.replace("- ", f"- {draw(st.sampled_from(TAGS))} ", 1)
        elif kind == "reference" and ": " in line:
            lines[i] = f"{line.partition(': ')[0]}: '{draw(st.sampled_from(REFERENCES))}'"
        elif kind == "nest" and ": " in line:
            depth = draw(st.integers(1, 400))
            lines[i] = f"{line.partition(': ')[0]}: {'[' * depth}1{']' * depth}"
        elif kind == "alias":
            lines[0:0] = ["x-shared: &shared {type: local, base_path: ./data}"]
            lines.append(
                f"x-use: [*shared, *shared, {draw(st.sampled_from(['*shared', '*missing']))}]"
            )
        elif kind == "bomb":
            levels = draw(st.integers(2, 12))
            bomb = ["b0: &b0 [x, x, x, x, x, x, x, x, x]"]
            bomb += [f"b{n}: &b{n} [{', '.join([f'*b{n - 1}'] * 9)}]" for n in range(1, levels)]
            lines[0:0] = bomb
        elif kind == "duplicate" and lines:
            lines.insert(i, line)
        elif kind == "char" and line:
            j = draw(st.integers(0, len(line) - 1))
            lines[i] = (
                line[:j]
                + draw(
                    st.sampled_from(
                        [
                            "\t",
                            ":",
                            "{",
                            "[",
                            "'",
                            '"',
                            "\x00",
                            "\x07",
                            "\ufeff",
                            "\u2028",
                            "é",
                            "#",
                            "&",
                            "*",
                            "|",
                            ">",
                        ]
                    )
                )
                + line[j + 1 :]
            )
    return "\n".join(lines) + "\n"


@st.composite
def hostile_project_files(draw: st.DrawFn) -> bytes:
    """A hostile project file: :func:`hostile_texts` in a sometimes-wrong encoding."""
    text = draw(hostile_texts())
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="replace")
