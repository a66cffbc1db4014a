"""``--debug`` takes its value only when attached (``--debug=full``): a bare ``--debug`` never
swallows the command name, and nothing after the command is rewritten."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from odibi_core.cli.debug_flag import bare_debug_flag

GLOBAL = st.sampled_from([["--debug"], ["--debug=full"], ["-v"], ["--log-level", "DEBUG"],
                          ["--log-format", "json"], ["--debug=hooks"]])
AFTER = st.lists(st.sampled_from(["--debug", "x.yaml", "--json", "-n", "orders", "--debug=full"]),
                 max_size=5)


@given(before=st.lists(GLOBAL, max_size=4), command=st.sampled_from(["run", "validate", "state"]),
       after=AFTER)
def test_only_a_bare_global_debug_gets_a_value(before: list[list[str]], command: str,
                                               after: list[str]) -> None:
    flat = [arg for option in before for arg in option]
    rewritten = bare_debug_flag([*flat, command, *after])
    expected = ["--debug=on" if arg == "--debug" else arg for arg in flat]
    assert rewritten == [*expected, command, *after]


def test_a_level_named_like_an_option_value_is_left_alone() -> None:
    assert bare_debug_flag(["--log-level", "--debug", "run"]) == ["--log-level", "--debug", "run"]
