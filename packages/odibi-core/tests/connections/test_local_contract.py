"""The builtin ``local`` connection passes the file connection contract suite (duckdb engine)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from odibi_core.testing.connection_contract import FileConnectionContractTests


class TestLocalConnectionContract(FileConnectionContractTests):
    """Every file-connection contract test, on a folder under the test's tmp dir."""

    connection_type = "local"
    capabilities = frozenset({"path", "glob", "folder", "fingerprint", "stale_cleanup"})
    write_modes = frozenset({"overwrite", "append", "error"})
    bad_options = (({"allow_outside_symlinks": "sometimes"}, "allow_outside_symlinks"),)

    @pytest.fixture
    def connection_options(self, tmp_path: Path) -> dict[str, Any]:
        return {"base_path": str(tmp_path / "lake")}
