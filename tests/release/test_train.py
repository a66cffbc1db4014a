"""The release train: one version everywhere, sibling ranges that admit it, changelogs released.

``scripts/release_prepare.py`` runs on a copy of every package's pyproject and changelog; the
range rule is checked over generated versions; ``scripts/deps_report.py`` names what differs
from a lock.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import tomllib
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PREPARE = _script("release_prepare")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


@given(st.integers(0, 30), st.integers(0, 50), st.integers(0, 50))
def test_train_range_admits_the_train_and_not_the_next_breaking_release(
    major: int, minor: int, patch: int
) -> None:
    version = f"{major}.{minor}.{patch}"
    spec = Requirement(f"odibi-core{PREPARE.train_range(version)}").specifier
    assert spec.contains(version)
    assert spec.contains(f"{major}.{minor}.{patch + 7}")  # patch releases of the train
    breaking = f"{major}.{minor + 1}.0" if major == 0 else f"{major + 1}.0.0"
    assert not spec.contains(breaking)
    older = f"{major}.{minor - 1}.99" if minor else (f"{major - 1}.99.0" if major else None)
    if older is not None:
        assert not spec.contains(older)  # the previous train
    assert Version(version) >= Version(f"{major}.{minor}")


def test_prepare_sets_versions_ranges_and_changelogs(tmp_path: Path) -> None:
    for pyproject in ROOT.glob("packages/*/pyproject.toml"):
        target = tmp_path / "packages" / pyproject.parent.name
        target.mkdir(parents=True)
        shutil.copy(pyproject, target / "pyproject.toml")
        shutil.copy(pyproject.parent / "CHANGELOG.md", target / "CHANGELOG.md")
    root = str(tmp_path)
    before = _run("scripts/release_prepare.py", "0.7.2", "--check", "--root", root)
    assert before.returncode == 1
    assert "run scripts/release_prepare.py 0.7.2" in before.stderr

    done = _run("scripts/release_prepare.py", "0.7.2", "--date", "2027-03-04", "--root", root)
    assert done.returncode == 0, done.stderr
    assert _run("scripts/release_prepare.py", "0.7.2", "--check", "--root", root).returncode == 0
    assert _run("scripts/release_prepare.py", "0.7.3", "--check", "--root", root).returncode == 1
    packages = sorted((tmp_path / "packages").iterdir())
    assert len(packages) >= 10
    for package in packages:
        project = tomllib.loads((package / "pyproject.toml").read_text())["project"]
        assert project["version"] == "0.7.2"
        siblings = [Requirement(r) for r in project["dependencies"] if r.startswith("odibi-")]
        assert all(str(r.specifier) in {">=0.7,<0.8", "<0.8,>=0.7"} for r in siblings), siblings
        changelog = (package / "CHANGELOG.md").read_text()
        assert "## [Unreleased]\n\n## [0.7.2] - 2027-03-04\n" in changelog
        assert "Nothing has been published yet" not in changelog
    core = tomllib.loads((tmp_path / "packages/odibi-core/pyproject.toml").read_text())
    original = tomllib.loads((ROOT / "packages/odibi-core/pyproject.toml").read_text())
    assert core["project"]["dependencies"] == original["project"]["dependencies"]

    again = _run("scripts/release_prepare.py", "0.8.0", "--date", "2027-04-01", "--root", root)
    assert again.returncode == 0, again.stderr
    changelog = (tmp_path / "packages/odibi-otel/CHANGELOG.md").read_text()
    assert changelog.index("## [0.8.0] - 2027-04-01") < changelog.index("## [0.7.2] - 2027-03-04")
    assert "No changes; released with the rest of the train." in changelog


def test_deps_report_names_what_differs_from_the_lock(tmp_path: Path) -> None:
    lock = tmp_path / "constraints.txt"
    lock.write_text(
        "# header\n"
        "click==8.1.0  # via typer\n"
        "duckdb==1.0.0\n"
        "rich==13.0.0\n"
        'tomli==2.0.0 ; python_full_version < "3.0"\n'
    )
    freeze = tmp_path / "freeze.txt"
    freeze.write_text(
        "-e file:///src/odibi-core\nclick==8.2.0\nduckdb==0.9.0\nrich==13.0.0\nnew==1.0\n"
    )
    proc = _run("scripts/deps_report.py", str(lock), str(freeze))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "| click | 8.1.0 | 8.2.0 | newer |" in lines
    assert "| duckdb | 1.0.0 | 0.9.0 | older |" in lines
    assert "| new |  | 1.0 | not in the lock |" in lines
    assert not any(line.startswith(("| rich", "| tomli")) for line in lines)
    assert "3 differ from the lock:" in proc.stdout
    freeze.write_text("click==8.1.0\nduckdb==1.0.0\nrich==13.0.0\n")
    same = _run("scripts/deps_report.py", str(lock), str(freeze))
    assert "Every installed distribution is at its locked version." in same.stdout
