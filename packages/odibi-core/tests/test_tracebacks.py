"""Tracebacks fold the hook machinery's frames (a real pluggy call) unless all are asked for."""

from __future__ import annotations

import pluggy
import pytest
from odibi_core.tracebacks import format_traceback

hookspec = pluggy.HookspecMarker("demo")
hookimpl = pluggy.HookimplMarker("demo")


class Specs:
    @hookspec(firstresult=True)
    def demo_call(self, value: int) -> int:  # type: ignore[empty-body]
        """Return something."""


class Wrapper:
    @hookimpl(wrapper=True)
    def demo_call(self, value: int):  # type: ignore[no-untyped-def]
        return (yield)


class Failing:
    @hookimpl
    def demo_call(self, value: int) -> int:
        return user_code(value)


def user_code(value: int) -> int:
    raise ValueError(f"bad value {value}")


def _raised() -> BaseException:
    pm = pluggy.PluginManager("demo")
    pm.add_hookspecs(Specs)
    pm.register(Failing())
    pm.register(Wrapper())
    with pytest.raises(ValueError, match="bad value 3") as info:
        pm.hook.demo_call(value=3)
    return info.value


def test_pluggy_frames_are_folded_and_the_failing_code_kept() -> None:
    text = format_traceback(_raised(), full=False)
    assert "in user_code" in text
    assert "in demo_call" in text
    assert "_multicall" not in text
    assert "/pluggy/" not in text
    assert "frames of pluggy hidden: --debug=full shows them]" in text
    assert text.rstrip().endswith("ValueError: bad value 3")


def test_full_keeps_every_frame() -> None:
    text = format_traceback(_raised(), full=True)
    assert "_multicall" in text
    assert "hidden" not in text


def test_chained_causes_are_folded_too() -> None:
    try:
        try:
            raise _raised()
        except ValueError as exc:
            raise RuntimeError("wrapped") from exc
    except RuntimeError as outer:
        text = format_traceback(outer, full=False)
    assert "The above exception was the direct cause" in text
    assert "_multicall" not in text
    assert "RuntimeError: wrapped" in text
