"""The error messages the troubleshooting page shows, produced by running broken projects.

Each scenario is a tiny project with one mistake and the command a user would run; its output
(message, hint and exit code) becomes ``docs/.generated/troubleshooting/<name>.txt``. The last
steps run with two small third-party plugins on the path (one shadows a builtin, one misspells a
hook). The build
fails if a scenario stops failing the way the page says, so the page cannot drift from the code.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from odibi_docgen.transcripts import Step

ORDERS = "order_id,customer_id,status,amount\n1,1,shipped,10.5\n2,,pending,3.0\n3,2,shipped,7.25\n"

NODES = """\
      - name: orders
        read: {connection: raw, path: orders.csv}
      - name: totals
        depends_on: [orders]
        transform:
          steps:
            - SELECT status, count(*) AS n FROM orders GROUP BY status
        write: {connection: lake, path: totals.parquet}
"""


def project(nodes: str = NODES, top: str = "") -> str:
    """A small project file; ``nodes`` replaces the node list, ``top`` adds root keys."""
    return (
        "project: shop\n" + top + "connections:\n"
        "  raw: {type: local, base_path: ./data}\n"
        "  lake: {type: local, base_path: ./lake}\n"
        "pipelines:\n  - pipeline: daily\n    nodes:\n" + nodes
    )


def _nodes(text: str) -> str:
    return textwrap.indent(textwrap.dedent(text), "      ")


SCENARIOS: dict[str, tuple[dict[str, str], list[str], int]] = {
    "unknown-key": (
        {"odibi.yaml": project(NODES.replace("read: {connection: raw", "raed: {connection: raw"))},
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "invalid-yaml": (
        {"odibi.yaml": project(NODES.replace("path: orders.csv}", "path: orders.csv"))},
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "duplicate-key": (
        {
            "odibi.yaml": project(
                NODES.replace(
                    "        depends_on: [orders]\n",
                    "        depends_on: [orders]\n        depends_on: [orders]\n",
                )
            )
        },
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "missing-variable": (
        {"odibi.yaml": project().replace("base_path: ./data", 'base_path: "${env:RAW_DIR}"')},
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "unknown-connection": (
        {"odibi.yaml": project(NODES.replace("{connection: raw", "{connection: rwa"))},
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "path-outside-connection": (
        {"odibi.yaml": project(NODES.replace("orders.csv}", "../../etc/passwd, format: csv}"))},
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "unknown-engine": (
        {"odibi.yaml": project(top="engine: duckbd\n")},
        ["odibi", "validate", "odibi.yaml"],
        4,
    ),
    "missing-requirement": (
        {"odibi.yaml": project(top='plugins:\n  requires: ["odibi-connector-nosuch>=0.1"]\n')},
        ["odibi", "validate", "odibi.yaml"],
        4,
    ),
    "unknown-dependency": (
        {"odibi.yaml": project(NODES.replace("depends_on: [orders]", "depends_on: [order]"))},
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "cycle": (
        {
            "odibi.yaml": project(
                _nodes("""\
            - name: a
              depends_on: [b]
              transform: {steps: ["SELECT * FROM b"]}
            - name: b
              depends_on: [a]
              transform: {steps: ["SELECT * FROM a"]}
            """)
            )
        },
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "several-inputs": (
        {
            "odibi.yaml": project(
                _nodes("""\
            - name: orders
              read: {connection: raw, path: orders.csv}
            - name: customers
              read: {connection: raw, path: customers.csv}
            - name: joined
              depends_on: [orders, customers]
            """)
            )
        },
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "unknown-function": (
        {
            "odibi.yaml": project(
                NODES.replace(
                    "            - SELECT status, count(*) AS n FROM orders GROUP BY status\n",
                    "            - function: add_margn\n",
                )
            ),
            "transforms.py": "from odibi_core import transform\n\n\n@transform(frame='arrow')\n"
            "def add_margin(table, rate: float = 0.2):\n    return table\n",
        },
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "yaml-tag": (
        {"odibi.yaml": project(top="description: !!python/name:os.system ''\n")},
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "alias-bomb": (
        {
            "odibi.yaml": "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            + "".join(
                f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n"
                for p, n in zip("abcdefg", "bcdefgh", strict=True)
            )
            + project()
        },
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "original-expression": (
        {"odibi.yaml": project(top="description: orders since ${date:-7d}\n")},
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "duplicate-pipeline": (
        {"odibi.yaml": project() + "  - pipeline: daily\n    nodes:\n" + NODES},
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "unknown-table": (
        {"odibi.yaml": project(NODES.replace("FROM orders GROUP BY", "FROM ordres GROUP BY"))},
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "step-kinds": (
        {
            "odibi.yaml": project(
                NODES.replace(
                    "            - SELECT status, count(*) AS n FROM orders GROUP BY status\n",
                    "            - sql: SELECT * FROM orders\n              function: add_margin\n",
                )
            )
        },
        ["odibi", "validate", "odibi.yaml"],
        3,
    ),
    "unknown-environment": (
        {"odibi.yaml": project(top="environments:\n  production: {workers: 8}\n")},
        ["odibi", "run", "odibi.yaml", "--env", "prod"],
        3,
    ),
    "missing-project": ({}, ["odibi", "run", "pipelines/odibi.yaml"], 3),
    "unknown-pipeline": (
        {"odibi.yaml": project()},
        ["odibi", "run", "odibi.yaml", "--pipeline", "dialy"],
        2,
    ),
    "unknown-option": (
        {"odibi.yaml": project()},
        ["odibi", "run", "odibi.yaml", "--wokers", "2"],
        2,
    ),
    "sql-error": (
        {
            "odibi.yaml": project(
                NODES.replace("SELECT status, count(*)", "SELECT state, count(*)")
            ),
            "data/orders.csv": ORDERS,
        },
        ["odibi", "run", "odibi.yaml"],
        1,
    ),
    "malformed-csv": (
        {"odibi.yaml": project(), "data/orders.csv": "order_id,status\n1,shipped,10.5\n2\n"},
        ["odibi", "run", "odibi.yaml"],
        1,
    ),
    "validation-failed": (
        {
            "odibi.yaml": project(
                NODES.replace(
                    "        read: {connection: raw, path: orders.csv}\n",
                    "        read: {connection: raw, path: orders.csv}\n"
                    "        validation: {not_null: [customer_id]}\n",
                )
            ),
            "data/orders.csv": ORDERS,
        },
        ["odibi", "run", "odibi.yaml"],
        1,
    ),
    "target-exists": (
        {
            "odibi.yaml": project(
                NODES.replace("path: totals.parquet}", "path: totals.csv, mode: error}")
            ),
            "data/orders.csv": ORDERS,
            "lake/totals.csv": "status,n\nshipped,2\n",
        },
        ["odibi", "run", "odibi.yaml"],
        1,
    ),
}
"""``name -> (files, command, expected exit code)``."""

PLUGINS = {
    "acme_files": (
        "acme-odibi-files",
        '"""Registers a second ``local`` connection type."""\n'
        "from odibi_core.plugin import ConnectionSpec, hookimpl\n\n\n"
        "@hookimpl\n"
        "def odibi_connections():\n"
        '    return [ConnectionSpec("local", lambda options, ctx: None, None, "Acme files")]\n',
    ),
    "acme_typo": (
        "acme-odibi-typo",
        '"""Misspells a hook name."""\n'
        "from odibi_core import hookimpl\n\n\n"
        "@hookimpl\n"
        "def odibi_conections():\n"
        "    return []\n",
    ),
}
"""Third-party plugins with a mistake: ``module -> (distribution, source)``."""


def _install_plugins(site: Path) -> None:
    """Make :data:`PLUGINS` importable and discoverable (a ``.dist-info`` with an entry point)."""
    site.mkdir(parents=True, exist_ok=True)
    for module, (dist, source) in PLUGINS.items():
        (site / f"{module}.py").write_text(source, encoding="utf-8")
        info = site / f"{dist.replace('-', '_')}-1.0.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0.0\n")
        (info / "entry_points.txt").write_text(f"[odibi.plugins]\n{module} = {module}\n")


STATE_CORRUPT = """\
from odibi_core.contracts.state import parse_state
from odibi_core.errors import OdibiError
for data in (b'{"version": 1, "lineage": "8f2c', b'{"runs": []}'):
    try:
        parse_state(data, location=".odibi/state.json")
    except OdibiError as exc:
        print(f"error: {exc.message}")
"""
"""The state-document checks every backend shares, fed a torn and a foreign file."""


def prepare(workdir: Path) -> list[Step]:
    """Write every scenario's project under ``workdir``; return the steps (plugin ones last)."""
    root = workdir / "troubleshooting"
    steps: list[Step] = []
    for name, (files, command, code) in SCENARIOS.items():
        folder = root / name
        folder.mkdir(parents=True)
        for rel, content in files.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(content, encoding="utf-8")
        steps.append(
            Step(
                f"troubleshooting/{name}", command, cwd=f"troubleshooting/{name}", expect_code=code
            )
        )
    steps.append(
        Step("troubleshooting/state-corrupt", ["python", "-c", STATE_CORRUPT], show_command=False)
    )
    _install_plugins(root / "site-packages")
    (root / "plugins").mkdir()
    (root / "plugins/odibi.yaml").write_text(project(), encoding="utf-8")
    plugin = {"cwd": "troubleshooting/plugins", "sys_path": "troubleshooting/site-packages"}
    steps.append(
        Step("troubleshooting/plugins-list", ["odibi", "plugins", "list", "--all"], **plugin)
    )
    steps.append(
        Step(
            "troubleshooting/duplicate-name",
            ["odibi", "validate", "odibi.yaml"],
            expect_code=4,
            **plugin,
        )
    )
    return steps
