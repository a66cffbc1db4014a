"""Original templates whose outputs cannot be compared here: every construct is converted or
flagged with its line, and ``--check`` exits 1 listing exactly what needs a person.

* 2.4.0 ``kitchen_sink`` and ``template_full`` (recovered from its repository history; its wheel
  ships neither) read data nobody ships; the written projects must validate.
* 3.15.1 ``scd2`` (as its ``init-pipeline --template scd2`` writes it) builds an SCD2 dimension
  into a Delta table: the ``dimension`` pattern with ``scd_type: 2`` is flagged.
* 3.15.1's documented ``validation_pipeline`` example: every test type of the original, each
  converted or flagged at its own line (quarantine and gates have no counterpart).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from odibi_core.config.loader import load_project
from odibi_core.testing.cli import run_odibi
from odibi_migrate.project import migrate, write_migration

FIXTURES = Path(__file__).parent / "fixtures"

FLAGGED = {
    "v2_kitchen_sink": [
        ("odibi.yaml:71", "connection `delta_lake` of type `delta` has no counterpart"),
        ("odibi.yaml:48", "`logging.metadata` has no counterpart"),
        ("odibi.yaml:38", "project key `performance` has no counterpart"),
        ("odibi.yaml:169", "merge `target: data/delta_tables/silver/customers`"),
        ("odibi.yaml:169", "merge without a `write:` target"),
    ],
    "v2_template_full": [("odibi.yaml:28", "project key `performance` has no counterpart")],
    "v3_scd2": [("odibi.yaml:25", "dimension with scd_type 2: use the `scd2` transformer")],
    "v3_validation_pipeline": [
        ("config.yaml:99", "validation test `freshness` has no counterpart"),
        ("config.yaml:104", "validation test `volume_drop` has no counterpart"),
        ("config.yaml:112", "validation test `schema` has no counterpart"),
        ("config.yaml:116", "validation test `distribution` has no counterpart"),
        ("config.yaml:123", "custom_sql threshold 0.01"),
        ("config.yaml:59", "validation `quarantine` has no counterpart"),
        ("config.yaml:59", "validation `gate` has no counterpart"),
    ],
}
"""What each template leaves for a person: (original file:line, start of the note)."""


def _section(report: str, title: str) -> list[str]:
    body = report.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in body.splitlines() if line.startswith("- ")]


def _assert_flagged(report: str, fixture: str) -> None:
    flagged = _section(report, "Not converted (needs you)")
    assert len(flagged) == len(FLAGGED[fixture]), flagged
    for line, (where, start) in zip(flagged, FLAGGED[fixture], strict=True):
        assert line.startswith(f"- `{where}`: {start}"), line
    changes = _section(report, "Changes")
    assert changes, "a template with nothing converted"
    assert all(re.match(r"- `\w+\.yaml:\d+`: ", c) for c in changes), changes


@pytest.mark.parametrize(
    ("fixture", "project"),
    [("v3_scd2", "project"), ("v3_validation_pipeline", "project/config.yaml")],
)
def test_v3_projects_flag_what_has_no_counterpart_at_its_line(fixture: str, project: str) -> None:
    _assert_flagged(migrate(FIXTURES / fixture / project).report.markdown("x"), fixture)


def test_check_exits_1_listing_what_needs_a_person() -> None:
    result = run_odibi(["migrate", str(FIXTURES / "v2_kitchen_sink" / "project"), "--check"])
    assert result.returncode == 1, result.stdout + result.stderr
    assert "5 construct(s) could not be converted" in result.stderr
    _assert_flagged(result.stdout, "v2_kitchen_sink")


@pytest.mark.parametrize("fixture", ["v2_kitchen_sink", "v2_template_full"])
def test_each_template_is_converted_or_flagged_and_the_result_validates(
    fixture: str, tmp_path: Path
) -> None:
    migration = migrate(FIXTURES / fixture / "project")
    _assert_flagged(migration.report.markdown("odibi.yaml"), fixture)
    write_migration(migration, tmp_path, force=False)
    loaded = load_project(tmp_path / "odibi.yaml")
    assert sum(len(p.nodes) for p in loaded.config.pipelines) >= 3


def test_an_existing_project_is_not_overwritten_without_force(tmp_path: Path) -> None:
    old = str(FIXTURES / "v2_template_full" / "project")
    (tmp_path / "odibi.yaml").write_text("edited by hand\n")
    refused = run_odibi(["migrate", old, "-o", str(tmp_path)])
    assert refused.returncode == 2, refused.stderr
    assert "would overwrite odibi.yaml" in refused.stderr
    assert "--force" in refused.stderr
    assert (tmp_path / "odibi.yaml").read_text() == "edited by hand\n"
    assert not (tmp_path / "MIGRATION.md").exists()
    assert run_odibi(["migrate", old, "-o", str(tmp_path), "--force"]).returncode == 0
    assert (tmp_path / "odibi.yaml").read_text() != "edited by hand\n"
