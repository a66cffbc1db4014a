"""The release checks catch what they promise to (the cheap part of scripts/release_rehearsal.sh).

One package (odibi-core) is built with hatch as a release builds it; ``twine check`` and
``scripts/verify_dists.py`` pass on it and fail on each kind of damage; it is served from a
generated PEP 503 index over HTTP, installed from there into a clean virtual environment, and
``scripts/verify_installed.py`` proves the installed files are the built ones.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
UV = str(Path(sys.executable).parent / "uv")


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def core_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """odibi-core's wheel and sdist, built by scripts/build_dists.sh."""
    out = tmp_path_factory.mktemp("dist")
    proc = _run("scripts/build_dists.sh", str(out), "odibi-core")
    assert proc.returncode == 0, proc.stderr
    return out


def test_built_core_passes_twine_and_verify(core_dist: Path) -> None:
    files = sorted(p.name for p in core_dist.iterdir())
    assert len(files) == 2
    assert files[1].endswith(".tar.gz")
    assert files[0].endswith("-py3-none-any.whl")
    twine = _run(PY, "-m", "twine", "check", "--strict", *map(str, core_dist.iterdir()))
    assert twine.returncode == 0, twine.stdout + twine.stderr
    verify = _run(PY, "scripts/verify_dists.py", str(core_dist))
    assert verify.returncode == 0, verify.stderr
    assert "verified odibi_core-" in verify.stdout
    wrong_tag = _run(PY, "scripts/verify_dists.py", str(core_dist), "--version", "9.9.9")
    assert wrong_tag.returncode == 1
    assert "the tag says 9.9.9" in wrong_tag.stderr
    not_all = _run(PY, "scripts/verify_dists.py", str(core_dist), "--all")
    assert not_all.returncode == 1
    assert "odibi-state-local: odibi_state_local-" in not_all.stderr


def _rewrite(wheel: Path, edit: Callable[[str, bytes], bytes | None]) -> None:
    """Rewrite ``wheel`` in place; ``edit(name, data)`` returns new data or None to drop it."""
    copy = wheel.with_suffix(".orig")
    shutil.move(wheel, copy)
    with zipfile.ZipFile(copy) as src, zipfile.ZipFile(wheel, "w") as dst:
        for name in src.namelist():
            data = edit(name, src.read(name))
            if data is not None:
                dst.writestr(name, data)
    copy.unlink()


DAMAGE: dict[str, tuple[Callable[[str, bytes], bytes | None], str]] = {
    "entry point target": (
        lambda n, d: (
            d.replace(b"cli.entry:main", b"cli.entry:no_such_main")
            if n.endswith("entry_points.txt")
            else d
        ),
        "does not define no_such_main",
    ),
    "entry point dropped": (
        lambda n, d: (
            d.replace(b"odibi = odibi_core.testing.fixtures", b"")
            if n.endswith("entry_points.txt")
            else d
        ),
        "entry points",
    ),
    "dependency dropped": (
        lambda n, d: (
            d.replace(b"Requires-Dist: click", b"X-Dropped: click") if n.endswith("METADATA") else d
        ),
        "missing ['click",
    ),
    "module missing": (
        lambda n, d: None if n == "odibi_core/cli/entry.py" else d,
        "module not in the wheel",
    ),
    "template missing": (
        lambda n, d: None if n.startswith("odibi_core/") and not n.endswith(".py") else d,
        "source files missing from the wheel",
    ),
    "python range": (
        lambda n, d: (
            d.replace(b"Requires-Python: >=3.10", b"Requires-Python: >=3.9")
            if n.endswith("METADATA")
            else d
        ),
        "Requires-Python",
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_verify_reports_each_kind_of_damage(core_dist: Path, tmp_path: Path, damage: str) -> None:
    for path in core_dist.iterdir():
        shutil.copy(path, tmp_path / path.name)
    edit, expected = DAMAGE[damage]
    _rewrite(next(tmp_path.glob("*.whl")), edit)
    proc = _run(PY, "scripts/verify_dists.py", str(tmp_path))
    assert proc.returncode == 1
    assert expected in proc.stderr, proc.stderr
    assert all(line.startswith("error: ") for line in proc.stderr.splitlines())


@pytest.fixture
def local_index(core_dist: Path, tmp_path: Path) -> Iterator[str]:
    """core_dist served as a PEP 503 index over HTTP; yields its /simple URL."""
    proc = _run(PY, "scripts/local_index.py", str(core_dist), str(tmp_path / "index"))
    assert proc.returncode == 0, proc.stderr
    server = subprocess.Popen(
        [PY, "-m", "http.server", "--bind", "127.0.0.1", "0", "-d", str(tmp_path / "index")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N (...)"
        port = line.split(" port ")[1].split()[0]
        yield f"http://127.0.0.1:{port}/simple"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_install_from_local_index_is_the_built_wheel(
    core_dist: Path, local_index: str, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    assert _run(UV, "venv", "--quiet", "--python", PY, str(venv)).returncode == 0
    install = _run(
        UV, "pip", "install", "--quiet", "--no-cache", "--no-deps", "--python",
        str(venv / "bin/python"), "--index-url", local_index, "odibi-core",
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    check = _run(
        str(venv / "bin/python"), "scripts/verify_installed.py", str(core_dist), "odibi-core"
    )
    assert check.returncode == 0, check.stderr
    assert "odibi-core 0.1.0: installed files are the built wheel's" in check.stdout
    missing = _run(
        str(venv / "bin/python"), "scripts/verify_installed.py", str(core_dist), "odibi-otel"
    )
    assert missing.returncode == 1
    assert "odibi-otel is not installed" in missing.stderr
    installed = next(venv.glob("lib/python*/site-packages/odibi_core/cli/main.py"))
    installed.write_text(installed.read_text() + "\n# changed after install\n")
    changed = _run(str(venv / "bin/python"), "scripts/verify_installed.py", str(core_dist))
    assert changed.returncode == 1
    assert "odibi_core/cli/main.py differs from the built wheel" in changed.stderr
