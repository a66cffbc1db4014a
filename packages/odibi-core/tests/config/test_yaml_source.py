"""Reading one project file: UTF-8 only, no tags, merge keys, bounded size, depth and aliases."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from odibi_core.config.problems import Problem
from odibi_core.config.yaml_limits import YamlLimits
from odibi_core.config.yaml_source import load_yaml_file, load_yaml_text
from odibi_core.errors import ConfigError


def _write(tmp_path: Path, raw: bytes) -> Path:
    path = tmp_path / "p.yaml"
    path.write_bytes(raw)
    return path


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("project: x\n".encode("utf-16"), "p.yaml:1: the file is encoded as UTF-16"),
        ("project: x\n".encode("utf-32"), "p.yaml:1: the file is encoded as UTF-32"),
        ("project: x\n".encode("utf-16-le"), "p.yaml:1: the file contains NUL bytes"),
        (
            b"project: x\ndescription: caf\xe9 au lait\n",
            "p.yaml:2: the file is not UTF-8 (byte 0xe9 at column 17",
        ),
    ],
    ids=["utf-16", "utf-32", "utf-16-no-bom", "latin-1"],
)
def test_a_file_that_is_not_utf8_is_a_config_error_naming_the_line(
    tmp_path: Path, raw: bytes, expected: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_yaml_file(_write(tmp_path, raw), display="p.yaml")
    assert expected in info.value.message
    assert int(info.value.exit_code) == 3


def test_a_utf8_byte_order_mark_is_fine(tmp_path: Path) -> None:
    data, _ = load_yaml_file(_write(tmp_path, "project: café\n".encode("utf-8-sig")))
    assert data == {"project": "café"}


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !foo bar\n", "!foo"),
        ("a: !!python/name:os.system ''\n", "!!python/name:os.system"),
        ("a: !!python/object/apply:os.system [ls]\n", "!!python/object/apply:os.system"),
        ("a: !!map {b: 1}\n", "!!map"),
        ("a: !!seq [1]\n", "!!seq"),
        ("a: !!str 5\n", "!!str"),
        ("a: ! plain\n", "!"),
        ("a:\n  - !custom {b: 1}\n", "!custom"),
    ],
)
def test_every_tag_is_refused_at_its_line(text: str, tag: str) -> None:
    problems: list[Problem] = []
    load_yaml_text(text, "p.yaml", problems=problems)
    assert [p.text.split(": ")[1] for p in problems] == [f"YAML tag {tag} is not allowed"]
    assert problems[0].location is not None
    assert problems[0].location.line == text.count("\n")


def test_all_tags_and_duplicate_keys_of_a_file_are_reported_together() -> None:
    with pytest.raises(ConfigError) as info:
        load_yaml_text("a: !x 1\nb: !y 2\na: 3\n", "p.yaml")
    lines = info.value.message.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("p.yaml:1: YAML tag !x")
    assert lines[1].startswith("p.yaml:2: YAML tag !y")
    assert lines[2] == "p.yaml:3: duplicate key a (first defined at line 1)"


def test_merge_keys_let_explicit_keys_win_and_earlier_merges_win_over_later() -> None:
    text = (
        "base: &base {x: 1, y: 1, z: 1}\n"
        "other: &other {y: 2, w: 2}\n"
        "c:\n"
        "  <<: [*base, *other]\n"
        "  z: 3\n"
    )
    data, locations = load_yaml_text(text, "p.yaml")
    assert data["c"] == {"z": 3, "x": 1, "y": 1, "w": 2}
    assert locations.find(("c", "z")).line == 5  # type: ignore[union-attr]
    assert locations.find(("c", "x")).line == 1  # type: ignore[union-attr]


def test_an_alias_bomb_is_refused_in_well_under_a_second() -> None:
    bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i, name in enumerate("bcdefghijklmnopqrst"):
        bomb += f"{name}: &{name} [{', '.join(['*' + 'abcdefghijklmnopqrst'[i]] * 9)}]\n"
    start = time.monotonic()
    with pytest.raises(ConfigError, match="aliases here expand to more than 100,000 values"):
        load_yaml_text(bomb, "bomb.yaml")
    assert time.monotonic() - start < 1.0


def test_alias_limits_can_be_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: &a [1, 2, 3, 4]\nb: [*a, *a, *a]\n"
    with pytest.raises(ConfigError, match="more than 2 alias uses"):
        load_yaml_text(text, "p.yaml", limits=YamlLimits(max_aliases=2))
    with pytest.raises(ConfigError, match="expand to more than 5 values"):
        load_yaml_text(text, "p.yaml", limits=YamlLimits(max_alias_values=5))
    monkeypatch.setenv("ODIBI_YAML_MAX_ALIASES", "3")
    assert load_yaml_text(text, "p.yaml")[0]["b"] == [[1, 2, 3, 4]] * 3


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(
        ConfigError, match=r"p\.yaml:1: an alias refers to a mapping or list that contains it"
    ):
        load_yaml_text("a: &a [1, *a]\n", "p.yaml")


def test_nesting_is_bounded_with_and_without_aliases() -> None:
    with pytest.raises(ConfigError, match="nest more than 100 deep"):
        load_yaml_text("a: " + "[" * 101 + "]" * 101 + "\n", "p.yaml")
    load_yaml_text("a: " + "[" * 99 + "]" * 99 + "\n", "p.yaml")
    chain = "a: &a " + "[" * 60 + "]" * 60 + "\nb: " + "[" * 50 + "*a" + "]" * 50 + "\n"
    with pytest.raises(
        ConfigError, match="with aliases expanded, mappings and lists nest more than 100"
    ):
        load_yaml_text(chain, "p.yaml")


def test_a_50_mb_file_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    start = time.monotonic()
    with pytest.raises(
        ConfigError, match=r"big.yaml:1: the file is 52,428,800 bytes, more than the 4,194,304"
    ):
        load_yaml_file(path, display="big.yaml")
    assert time.monotonic() - start < 1.0
    small = _write(tmp_path, b"project: x\n# " + b"-" * 96 + b"\n")  # 110 bytes
    monkeypatch.setenv("ODIBI_YAML_MAX_BYTES", "50")
    with pytest.raises(ConfigError, match="the file is 110 bytes, more than the 50") as info:
        load_yaml_file(small)
    assert "ODIBI_YAML_MAX_BYTES" in info.value.hint
    monkeypatch.setenv("ODIBI_YAML_MAX_BYTES", "110")
    assert load_yaml_file(small)[0] == {"project": "x"}
    monkeypatch.setenv("ODIBI_YAML_MAX_BYTES", "lots")
    with pytest.raises(ConfigError, match="ODIBI_YAML_MAX_BYTES must be a whole number"):
        load_yaml_file(small)


def test_an_impossible_date_is_a_located_problem_not_a_crash() -> None:
    with pytest.raises(ConfigError, match=r"p\.yaml:2: since: cannot read the value '2024-13-45'"):
        load_yaml_text("a: 1\nsince: 2024-13-45\n", "p.yaml")


def test_syntax_errors_name_the_line_and_context() -> None:
    with pytest.raises(
        ConfigError,
        match=r"p.yaml:2: invalid YAML: did not find expected ',' or '\]' "
        r"\(while parsing a flow sequence at line 1\)",
    ):
        load_yaml_text("a: [1\nb: 2\n", "p.yaml")
    with pytest.raises(
        ConfigError,
        match=r"p\.yaml:2: invalid YAML: .*duplicate anchor 'x'; first occurrence at line 1",
    ):
        load_yaml_text("a: &x 1\nb: &x 2\n", "p.yaml")
