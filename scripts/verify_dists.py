#!/usr/bin/env python
"""Check built wheels and sdists against their packages' ``pyproject.toml`` (no install needed).

    .venv/bin/python scripts/verify_dists.py DIST_DIR [--version X.Y.Z] [--all]

For every package of ``packages/`` with distributions in ``DIST_DIR`` (``--all``: every package
must have both): the file names, ``Name``, ``Version``, ``Requires-Python``, ``Requires-Dist``
(extras included), ``Summary`` and the README as a Markdown long description match the pyproject;
``entry_points.txt`` holds exactly the declared scripts and entry points, and each target module
is in the wheel and defines the named attribute; the wheel holds every file of the package's
source tree; the sdist holds ``pyproject.toml``, the README, the sources and a ``PKG-INFO`` of
the same version. ``--version``: every package checked has that version (the release tag's).

Prints one line per problem and exits 1 if there is any, else one line per package and exits 0.
"""

from __future__ import annotations

import argparse
import configparser
import re
import sys
import tarfile
import zipfile
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
"""The repository root."""


def normalize(name: str) -> str:
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement(text: str) -> str:
    from packaging.requirements import Requirement

    return str(Requirement(text))


def expected_requires(project: dict) -> set[str]:
    """``Requires-Dist`` values the pyproject declares (extras as ``extra == "x"`` markers)."""
    from packaging.requirements import Requirement

    wanted = {_requirement(r) for r in project.get("dependencies", [])}
    for extra, reqs in project.get("optional-dependencies", {}).items():
        for raw in reqs:
            req = Requirement(raw)
            marker = f'extra == "{extra}"'
            req_marker = f"({req.marker}) and {marker}" if req.marker else marker
            req.marker = None
            wanted.add(_requirement(f"{req}; {req_marker}"))
    return wanted


def expected_entry_points(project: dict) -> dict[str, dict[str, str]]:
    """Entry point groups the pyproject declares (``console_scripts`` for ``[project.scripts]``)."""
    groups = {group: dict(items) for group, items in project.get("entry-points", {}).items()}
    if project.get("scripts"):
        groups["console_scripts"] = dict(project["scripts"])
    return groups


def _source_files(package_dir: Path, wheel_packages: list[str]) -> set[str]:
    files = set()
    for rel in wheel_packages:
        src = package_dir / rel
        top = Path(rel).name
        for path in src.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files.add(f"{top}/{path.relative_to(src).as_posix()}")
    return files


def _defines(source: str, attr: str) -> bool:
    pattern = rf"^(def|async def|class)\s+{re.escape(attr)}\b|^{re.escape(attr)}\s*[:=]"
    return re.search(pattern, source, re.MULTILINE) is not None


def check_wheel(
    wheel: Path, package_dir: Path, project: dict, wheel_packages: list[str]
) -> list[str]:
    """Problems of one wheel (empty when it matches the pyproject)."""
    problems: list[str] = []
    name, version = project["name"], project["version"]
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = f"{name.replace('-', '_')}-{version}.dist-info"
        if f"{info}/METADATA" not in names:
            return [f"{wheel.name}: no {info}/METADATA (name or version differs from pyproject)"]
        meta = HeaderParser().parsestr(zf.read(f"{info}/METADATA").decode())
        problems += check_metadata(wheel.name, meta, project, package_dir)
        groups = (
            _read_entry_points(zf.read(f"{info}/entry_points.txt").decode())
            if (f"{info}/entry_points.txt" in names)
            else {}
        )
        wanted = expected_entry_points(project)
        if groups != wanted:
            problems.append(f"{wheel.name}: entry points {groups} != declared {wanted}")
        for group, items in groups.items():  # what the wheel declares must resolve
            for ep_name, target in items.items():
                module, _, attr = target.partition(":")
                base = module.replace(".", "/")
                path = next((p for p in (f"{base}.py", f"{base}/__init__.py") if p in names), None)
                if path is None:
                    problems.append(
                        f"{wheel.name}: entry point {group}:{ep_name} -> {module}: "
                        "module not in the wheel"
                    )
                elif attr and not _defines(zf.read(path).decode(), attr.split(".")[0]):
                    problems.append(
                        f"{wheel.name}: entry point {group}:{ep_name} -> {target}: "
                        f"{path} does not define {attr}"
                    )
        missing = sorted(_source_files(package_dir, wheel_packages) - names)
        if missing:
            problems.append(f"{wheel.name}: source files missing from the wheel: {missing[:5]}")
    return problems


def _read_entry_points(text: str) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return {s: {k: v.strip() for k, v in parser.items(s)} for s in parser.sections()}


def check_metadata(label: str, meta: Message, project: dict, package_dir: Path) -> list[str]:
    """Problems of one ``METADATA``/``PKG-INFO`` against the pyproject."""
    problems = []
    fields = {
        "Name": project["name"],
        "Version": project["version"],
        "Requires-Python": project.get("requires-python"),
        "Summary": project.get("description"),
    }
    for field, want in fields.items():
        if want is not None and meta.get(field) != want:
            problems.append(f"{label}: {field} is {meta.get(field)!r}, pyproject says {want!r}")
    requires = {_requirement(r) for r in meta.get_all("Requires-Dist") or []}
    wanted = expected_requires(project)
    if requires != wanted:
        problems.append(
            f"{label}: Requires-Dist differs: extra {sorted(requires - wanted)}, "
            f"missing {sorted(wanted - requires)}"
        )
    readme = (package_dir / project["readme"]).read_text(encoding="utf-8").strip()
    if meta.get("Description-Content-Type", "").split(";")[0] != "text/markdown":
        problems.append(f"{label}: long description is not text/markdown")
    if readme.splitlines()[0] not in meta.get_payload():
        problems.append(f"{label}: long description is not the package README")
    if not (meta.get("License-Expression") or meta.get("License")):
        problems.append(f"{label}: no license")
    return problems


def check_sdist(
    sdist: Path, package_dir: Path, project: dict, wheel_packages: list[str]
) -> list[str]:
    """Problems of one sdist."""
    problems = []
    with tarfile.open(sdist) as tf:
        members = {m.name for m in tf.getmembers()}
        prefix = sdist.name.removesuffix(".tar.gz")
        pkg_info = f"{prefix}/PKG-INFO"
        if pkg_info not in members:
            return [f"{sdist.name}: no {pkg_info}"]
        extracted = tf.extractfile(pkg_info)
        assert extracted is not None
        meta = HeaderParser().parsestr(extracted.read().decode())
        problems += check_metadata(sdist.name, meta, project, package_dir)
        for needed in ("pyproject.toml", project["readme"]):
            if f"{prefix}/{needed}" not in members:
                problems.append(f"{sdist.name}: {needed} missing")
        sources = {f"{prefix}/{rel}" for rel in _relative_sources(package_dir, wheel_packages)}
        missing = sorted(sources - members)
        if missing:
            problems.append(f"{sdist.name}: source files missing: {missing[:5]}")
    return problems


def _relative_sources(package_dir: Path, wheel_packages: list[str]) -> set[str]:
    files = set()
    for rel in wheel_packages:
        for path in (package_dir / rel).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files.add(path.relative_to(package_dir).as_posix())
    return files


def check_train(project: dict, version: str) -> list[str]:
    """Problems of a package for the release train ``version``: its own version and the ranges
    it declares on sibling Odibi packages (which must admit the train's version)."""
    from packaging.requirements import Requirement

    problems = []
    if project["version"] != version:
        problems.append(f"{project['name']}: version {project['version']}, the tag says {version}")
    for raw in project.get("dependencies", []):
        req = Requirement(raw)
        if req.name.startswith("odibi-") and not req.specifier.contains(version):
            problems.append(
                f"{project['name']}: requires {req}, which excludes the train {version}"
            )
    return problems


def verify(dist_dir: Path, *, version: str | None = None, require_all: bool = False) -> list[str]:
    """Every problem found in ``dist_dir``; also prints one line per package that passed."""
    problems: list[str] = []
    checked = 0
    for pyproject in sorted(ROOT.glob("packages/*/pyproject.toml")):
        package_dir = pyproject.parent
        config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        project = config["project"]
        wheel_packages = config["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
        stem = f"{project['name'].replace('-', '_')}-{project['version']}"
        others = [
            p.name
            for p in dist_dir.glob(f"{project['name'].replace('-', '_')}-*")
            if not p.name.startswith(f"{stem}-") and not p.name.startswith(f"{stem}.")
        ]
        if others:
            problems.append(f"{project['name']}: distributions of another version: {others}")
        wheel = dist_dir / f"{stem}-py3-none-any.whl"
        sdist = dist_dir / f"{stem}.tar.gz"
        if not wheel.exists() and not sdist.exists() and not require_all:
            continue
        checked += 1
        before = len(problems)
        if version is not None:
            problems += check_train(project, version)
        for path, check in ((wheel, check_wheel), (sdist, check_sdist)):
            if not path.exists():
                problems.append(f"{project['name']}: {path.name} not built")
            else:
                problems += check(path, package_dir, project, wheel_packages)
        if len(problems) == before:
            print(f"verified {wheel.name} and {sdist.name}")
    if checked == 0:
        problems.append(f"no distribution of any package in {dist_dir}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dist_dir", type=Path)
    parser.add_argument("--version", help="every package must have this version")
    parser.add_argument("--all", action="store_true", help="every package must be built")
    args = parser.parse_args(argv)
    problems = verify(args.dist_dir, version=args.version, require_all=args.all)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
