"""The dotenv provider's parsing rules (documented in docs/secrets.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from odibi_core.secrets.dotenv import DotenvProvider, parse_dotenv


def test_dotenv_parsing_rules() -> None:
    text = "\n".join(
        [
            "# a comment line",
            "PLAIN=value",
            "export EXPORTED=yes",
            "SPACED = padded value   ",
            "INLINE=keep#this  # but not this",
            "SINGLE='no $ {escapes} \\n here' # comment",
            'DOUBLE="tab\\there \\"quoted\\" back\\\\slash"',
            'MULTI="line one',
            'line two"',
            "EMPTY=",
            "not a variable line",
            "PLAIN=later wins",
            "DOTTED.NAME-X=ok",
        ]
    )
    assert parse_dotenv(text) == {
        "PLAIN": "later wins",
        "EXPORTED": "yes",
        "SPACED": "padded value",
        "INLINE": "keep#this",
        "SINGLE": "no $ {escapes} \\n here",
        "DOUBLE": 'tab\there "quoted" back\\slash',
        "MULTI": "line one\nline two",
        "EMPTY": "",
        "DOTTED.NAME-X": "ok",
    }


def test_environment_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("FROM_FILE=file\nBOTH=file\n")
    monkeypatch.setenv("BOTH", "environment")
    provider = DotenvProvider(env_file)
    assert provider.get("FROM_FILE") == "file"
    assert provider.get("BOTH") is None  # the env provider answers for it
    assert provider.get("NOWHERE") is None


def test_a_missing_file_provides_nothing(tmp_path: Path) -> None:
    assert DotenvProvider(tmp_path / ".env").get("ANY") is None


def test_edits_to_the_file_are_seen(tmp_path: Path) -> None:
    import os

    env_file = tmp_path / ".env"
    env_file.write_text("K=one\n")
    provider = DotenvProvider(env_file)
    assert provider.get("K") == "one"
    env_file.write_text("K=two-longer\n")
    os.utime(env_file, ns=(1, 2_000_000_000_000_000_000))  # a different mtime, whatever the clock
    assert provider.get("K") == "two-longer"
