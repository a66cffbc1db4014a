"""Transformer steps are checked at validate time: params by their models, targets by capability.

``odibi validate`` runs as a subprocess on real project files; the generating test renames every
parameter of every library case to a typo and loads the project in-process.
"""

from __future__ import annotations

import random
import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from odibi_core.config.loader import load_project
from odibi_core.errors import ConfigError
from odibi_core.plugins.manager import create_plugin_manager
from odibi_core.testing.cli import run_odibi

sys.path.insert(0, str(Path(__file__).parents[2] / "packages" / "odibi-transformers" / "tests"))
from transformer_cases import CASES

CONFIG_INVALID = 3

HEADER = """\
project: checks
connections:
  files: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: p
    nodes:
"""


def _line_of(text: str, pattern: str) -> int:
    """1-based line of the first line matching ``pattern``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if re.search(pattern, line):
            return number
    raise AssertionError(f"{pattern!r} not in the project")


MISSPELT_PARAM = """\
            - transformer: deduplicate
              params:
                keys: [order_id]
                order_bye: updated_at DESC
"""
MISSPELT_NAME = """\
            - transformer: deduplicat
"""


@pytest.mark.parametrize(
    ("step", "where", "message"),
    [
        (
            MISSPELT_PARAM,
            r"order_bye:",
            "params.order_bye: unknown key 'order_bye' (did you mean 'order_by'?)",
        ),
        (
            MISSPELT_NAME,
            r"deduplicat$",
            "unknown transformer 'deduplicat' (did you mean 'deduplicate'?)",
        ),
    ],
    ids=["param", "transformer"],
)
def test_a_misspelling_exits_3_naming_file_line_and_the_right_name(
    write_project: Callable[..., Path], step: str, where: str, message: str
) -> None:
    text = HEADER + (
        "      - name: latest\n"
        "        read: {connection: files, path: orders.csv}\n"
        "        transform:\n"
        "          steps:\n" + step + "        write: {connection: lake, path: latest.parquet}\n"
    )
    project = write_project(text)
    result = run_odibi(["validate", str(project)], cwd=project.parent)
    assert result.returncode == CONFIG_INVALID, result.stdout + result.stderr
    assert f"odibi.yaml:{_line_of(text, where)}: " in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("step", "write", "capability"),
    [
        (
            "            - transformer: scd2\n"
            "              params: {keys: [id], track_cols: [name], effective_time_col: ts}\n",
            "{connection: lake, path: history.parquet}",
            "scd2",
        ),
        (
            "            - SELECT * FROM this\n",
            "{connection: lake, path: customers.csv, mode: upsert, keys: [id]}",
            "upsert",
        ),
    ],
    ids=["scd2-to-parquet", "upsert-to-csv"],
)
def test_a_rewrite_to_a_plain_file_is_refused_naming_the_targets_that_can(
    write_project: Callable[..., Path], step: str, write: str, capability: str
) -> None:
    text = HEADER + (
        "      - name: customers\n"
        "        read: {connection: files, path: customers.csv}\n"
        "        transform:\n"
        "          steps:\n" + step + f"        write: {write}\n"
    )
    project = write_project(text, files={"data/customers.csv": "id,name,ts\n1,a,2024-01-01\n"})
    result = run_odibi(["validate", str(project)], cwd=project.parent)
    assert result.returncode == CONFIG_INVALID, result.stdout + result.stderr
    assert f"odibi.yaml:{_line_of(text, r'^        write:')}: " in result.stderr
    assert f"cannot do '{capability}'; targets that can: postgres" in result.stderr
    assert not (project.parent / "lake").exists()  # validate touched no data


def _typo(key: str, rng: random.Random) -> str:
    """``key`` with one character doubled or two neighbours swapped (a likely slip)."""
    i = rng.randrange(len(key))
    if len(key) > 2 and rng.random() < 0.5 and i < len(key) - 1 and key[i] != key[i + 1]:
        return key[:i] + key[i + 1] + key[i] + key[i + 2 :]
    return key[: i + 1] + key[i] + key[i + 1 :]


def test_every_misspelt_param_of_every_transformer_is_named_with_its_line(tmp_path: Path) -> None:
    pm = create_plugin_manager()
    rng = random.Random(17)
    checked = 0
    for name, params in CASES:
        fields = set(pm.transformers()[name].spec.params_model.model_fields)
        for key in params:
            typo = _typo(key, rng)
            if typo in fields:
                continue
            renamed: dict[str, Any] = {(typo if k == key else k): v for k, v in params.items()}
            step = {"transformer": name, "params": renamed}
            node = {
                "name": "n",
                "read": {"connection": "files", "path": "in.csv"},
                "transform": {"steps": [step]},
                "write": {"connection": "lake", "path": "out.parquet"},
            }
            text = HEADER + textwrap.indent(yaml.safe_dump([node], sort_keys=False), " " * 6)
            path = tmp_path / "odibi.yaml"
            path.write_text(text)
            with pytest.raises(ConfigError) as caught:
                load_project(path, pm=pm)
            message = str(caught.value)
            line = _line_of(text, rf"^\s+{re.escape(typo)}:")
            assert f"odibi.yaml:{line}: " in message, (name, typo, message)
            assert f"unknown key '{typo}' (did you mean '{key}'?)" in message, (name, message)
            checked += 1
    assert checked >= len(CASES)
