"""Registration: the entry point, the hook, and the promise that it stays light."""

from __future__ import annotations

import subprocess
import sys

from odibi_connector_postgres import plugin
from odibi_connector_postgres.options import PostgresOptions


def test_the_hook_registers_the_postgres_connection_type(make_plugin_manager) -> None:  # type: ignore[no-untyped-def]
    pm = make_plugin_manager(("odibi-connector-postgres", plugin))
    spec = pm.connection("postgres")
    assert spec.config_model == "odibi_connector_postgres.options:PostgresOptions"
    assert spec.options_model() is PostgresOptions  # named, imported when a project uses it
    assert spec.factory is plugin.build_connection
    assert "COPY" in spec.description


def test_the_installed_entry_point_is_found_by_the_kernel() -> None:
    from odibi_core.plugins.manager import create_plugin_manager

    registered = create_plugin_manager().connections()["postgres"]
    assert registered.distribution == "odibi-connector-postgres"


def test_the_factory_builds_a_named_connection_with_the_run_id(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from odibi_core.plugins.types import BuildContext

    context = BuildContext(name="warehouse", project_dir=tmp_path, project_name="p", run_id="run-7")
    connection = plugin.build_connection(PostgresOptions(host="db"), context)
    assert connection.name == "warehouse"
    assert connection.application_name == "odibi run-7"


def test_listing_plugins_imports_no_driver_nor_pyarrow() -> None:
    code = (
        "import sys\n"
        "from odibi_core.plugins.manager import create_plugin_manager\n"
        "pm = create_plugin_manager()\n"
        "assert any(p.distribution == 'odibi-connector-postgres' for p in pm.plugins)\n"
        "heavy = ('psycopg', 'pyarrow', 'numpy', 'adbc_driver_manager')\n"
        "print(' '.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "", f"imported at plugin listing: {out.strip()}"
