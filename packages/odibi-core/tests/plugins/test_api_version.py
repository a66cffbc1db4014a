"""The plugin API check: which declared versions load, and what the refusal says."""

from __future__ import annotations

import odibi_core
from hypothesis import given
from hypothesis import strategies as st
from odibi_core.plugins.api_version import (
    PLUGIN_API_VERSION,
    api_problem,
    parse_api_version,
    provided,
)


def _problem(declared: object) -> str | None:
    return api_problem(declared, plugin="gadget", distribution="odibi-gadget", version="3.1.0")


def test_the_kernel_exports_its_plugin_api_version() -> None:
    assert odibi_core.PLUGIN_API_VERSION == PLUGIN_API_VERSION
    assert parse_api_version(PLUGIN_API_VERSION) == provided()


@given(major=st.integers(0, 50), minor=st.integers(0, 50), as_text=st.booleans())
def test_only_the_same_major_with_no_newer_minor_loads(
    major: int, minor: int, as_text: bool
) -> None:
    kernel_major, kernel_minor = provided()
    declared: object = f"{major}.{minor}" if as_text else major
    effective_minor = minor if as_text else 0
    problem = _problem(declared)
    compatible = major == kernel_major and effective_minor <= kernel_minor
    assert (problem is None) == compatible
    if problem is not None:
        assert problem.startswith(
            f"plugin gadget was built for plugin API {major}.{effective_minor}, "
        )
        assert f"provides plugin API {PLUGIN_API_VERSION}" in problem
        if (major, effective_minor) > (kernel_major, kernel_minor):
            assert "upgrade odibi-core" in problem
            assert "odibi-gadget<3.1.0" in problem
        else:
            assert "pip install -U odibi-gadget" in problem


@given(
    st.one_of(
        st.text().filter(lambda t: parse_api_version(t) is None),
        st.floats(),
        st.lists(st.integers()),
        st.booleans(),
        st.integers(max_value=-1),
    )
)
def test_a_malformed_declaration_is_refused_naming_the_attribute(declared: object) -> None:
    problem = _problem(declared)
    assert problem is not None
    assert "declares ODIBI_PLUGIN_API" in problem
    assert "not a plugin API version" in problem


def test_an_undeclared_plugin_is_taken_as_built_for_api_1() -> None:
    assert (_problem(None) is None) == (provided()[0] == 1)
