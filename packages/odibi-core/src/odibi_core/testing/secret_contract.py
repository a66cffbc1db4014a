"""The contract test suite every secret provider passes.

Subclass :class:`SecretProviderContractTests`, name the provider, and provide the ``store_secret``
fixture (how a value gets into your store); pytest runs every contract test against the provider,
built through your registration hook as a run builds it::

    import pytest
    import my_vault_plugin
    from odibi_core.testing.secret_contract import SecretProviderContractTests

    class TestVaultProvider(SecretProviderContractTests):
        provider_name = "vault"
        plugin = my_vault_plugin

        @pytest.fixture
        def store_secret(self, vault_client):
            def store(name, value):
                vault_client.write(name, value)
            return store

What the suite tests: the provider registers through ``odibi_secret_providers``; a stored name
resolves to its value through the project's provider chain (``secrets.providers``); an unknown
name gives ``None`` from the provider and, referenced by a project, one ``SecretMissingError``
naming the variable and never any value; resolved values are registered for redaction (masked
in every output); and Hypothesis-generated odd values (whitespace, unicode, ``=``, quotes,
backslashes, line breaks) round-trip exactly. Override :meth:`SecretProviderContractTests.values`
to narrow the values if your store cannot hold some (say so in your docs).

Threading: providers are built once per project load and called from one thread; the suite does
not call them concurrently.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odibi_core.errors import SecretMissingError

if TYPE_CHECKING:
    from odibi_core.plugins.manager import OdibiPluginManager

StoreSecret = Callable[[str, str], None]
"""``store_secret(name, value)``: make ``value`` the provider's secret ``name``."""

LONG_VALUE = "contract-s3cret-value-0123456789"
"""A value long enough to be registered for redaction."""


def project_text(provider: str, reference: str | None = None) -> str:
    """A project using only ``provider``; with ``reference``, a connection option refers to it."""
    lines = ["project: contract", "secrets:", f"  providers: [{provider}]"]
    if reference:
        lines += [
            "connections:",
            "  lake:",
            "    type: local",
            f'    base_path: "${{secret:{reference}}}"',
        ]
    else:
        lines += ["connections:", "  lake: {type: local}"]
    lines += [
        "pipelines:",
        "  - pipeline: p",
        "    nodes:",
        "      - name: one",
        "        read: {connection: lake, format: csv, path: in.csv}",
    ]
    return "\n".join([*lines, ""])


class SecretProviderContractTests:
    """Contract tests for :class:`~odibi_core.contracts.secrets.SecretProvider` implementations."""

    provider_name: ClassVar[str] = ""
    """The registered provider name (an entry of ``secrets.providers``)."""

    plugin: ClassVar[object | None] = None
    """The module (or object) with the plugin's hook implementations; ``None`` for a builtin."""

    # --- hooks a subclass provides ---------------------------------------------------------

    @pytest.fixture
    def store_secret(self) -> StoreSecret:
        """Override: a function storing a secret where the provider (built for the project in
        ``tmp_path``) finds it."""
        raise NotImplementedError("override the store_secret fixture")

    def values(self) -> st.SearchStrategy[str]:
        """The values the round-trip test stores (default: any non-empty text without NUL or
        lone surrogates, which no environment can hold)."""
        return st.text(
            st.characters(codec="utf-8", exclude_characters="\x00"),
            min_size=1,
            max_size=40,
        )

    @pytest.fixture
    def plugin_manager(
        self, make_plugin_manager: Callable[..., OdibiPluginManager]
    ) -> OdibiPluginManager:
        """A fresh manager with the builtins and :attr:`plugin`."""
        plugins = (("contract-plugin", self.plugin),) if self.plugin is not None else ()
        return make_plugin_manager(*plugins)

    # --- helpers ---------------------------------------------------------------------------

    @staticmethod
    def fresh_name() -> str:
        """A secret name no store has yet."""
        return f"ODIBI_CONTRACT_{uuid.uuid4().hex[:12].upper()}"

    def resolve(
        self, pm: OdibiPluginManager, project: Path, name: str
    ) -> tuple[str | None, str | None]:
        """``(value, provider)`` of ``${secret:name}`` through the project's provider chain."""
        from odibi_core.config.loader import read_project_source
        from odibi_core.config.resolver import ReferenceResolver

        return ReferenceResolver(read_project_source(project), pm).resolve("secret", name)

    # --- tests -----------------------------------------------------------------------------

    def test_it_registers_through_the_hook(
        self, plugin_manager: OdibiPluginManager, tmp_path: Path
    ) -> None:
        from odibi_core.contracts.secrets import SecretProvider
        from odibi_core.plugins.types import BuildContext

        assert self.provider_name in plugin_manager.secret_providers()
        spec = plugin_manager.secret_provider(self.provider_name)
        assert spec.description, "give the registration a one-line description"
        provider = spec.factory(
            BuildContext(name="secrets", project_dir=tmp_path, project_name="contract")
        )
        assert isinstance(provider, SecretProvider)
        assert provider.get(self.fresh_name()) is None

    def test_a_stored_name_resolves_through_the_provider_chain(
        self,
        plugin_manager: OdibiPluginManager,
        store_secret: StoreSecret,
        write_project: Callable[..., Path],
    ) -> None:
        name = self.fresh_name()
        store_secret(name, LONG_VALUE)
        project = write_project(project_text(self.provider_name))
        assert self.resolve(plugin_manager, project, name) == (LONG_VALUE, self.provider_name)

    def test_a_missing_name_is_an_error_naming_it_and_no_value(
        self,
        plugin_manager: OdibiPluginManager,
        store_secret: StoreSecret,
        write_project: Callable[..., Path],
    ) -> None:
        from odibi_core.config.loader import build_project, read_project_source

        present, missing = self.fresh_name(), self.fresh_name()
        store_secret(present, LONG_VALUE)
        project = write_project(project_text(self.provider_name, missing))
        with pytest.raises(SecretMissingError) as raised:
            build_project(read_project_source(project), plugin_manager)
        assert missing in raised.value.message
        assert LONG_VALUE not in raised.value.message + str(raised.value.hint)
        assert self.resolve(plugin_manager, project, missing) == (None, None)

    def test_resolved_values_are_registered_for_redaction(
        self,
        plugin_manager: OdibiPluginManager,
        store_secret: StoreSecret,
        write_project: Callable[..., Path],
        clean_redaction: None,
    ) -> None:
        from odibi_core.config.loader import build_project, read_project_source
        from odibi_core.redaction import redact_text

        name = self.fresh_name()
        store_secret(name, LONG_VALUE)
        assert LONG_VALUE in redact_text(f"before {LONG_VALUE}")
        build_project(
            read_project_source(write_project(project_text(self.provider_name, name))),
            plugin_manager,
        )
        assert LONG_VALUE not in redact_text(f"the value is {LONG_VALUE} here")

    def test_odd_values_round_trip_exactly(
        self,
        plugin_manager: OdibiPluginManager,
        store_secret: StoreSecret,
        write_project: Callable[..., Path],
    ) -> None:
        project = write_project(project_text(self.provider_name))
        odd = st.sampled_from(
            [
                " lead",
                "trail ",
                "a=b=c",
                "'single'",
                '"double"',
                "back\\slash",
                "two\nlines",
                "tab\there",
                "#not a comment",
                "é 日本 🙂",
                "\u2028sep\x0c",
                "$HOME ${x}",
            ]
        )

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.one_of(odd, self.values()))
        def check(value: str) -> None:
            name = self.fresh_name()
            store_secret(name, value)
            got: Any = self.resolve(plugin_manager, project, name)
            assert got == (value, self.provider_name)

        check()
