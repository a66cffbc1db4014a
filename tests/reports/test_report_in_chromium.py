"""The HTML report of a run with a failed node, rendered by headless Chromium (Debian's package,
installed by scripts/setup.sh): every node shows with its status, and no secret of the project."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from odibi_core.redaction.registry import variants
from odibi_core.reports.model import report_schema
from odibi_core.testing.cli import run_odibi

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
)


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail(
            "chromium is not installed: run scripts/setup.sh (it installs Debian's chromium "
            "package)"
        )
    return path


def _browse(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    proc = subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


class _Page(HTMLParser):
    """Elements carrying data-node / data-status, with the text inside each."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.found: list[tuple[str, str, str, str]] = []  # tag, node, status, text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "meta", "rect", "path", "input", "img"):
            return
        self.stack.append((tag, dict(attrs), []))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, attrs, text = self.stack.pop()
            if "data-node" in attrs:
                self.found.append(
                    (
                        open_tag,
                        attrs["data-node"] or "",
                        attrs.get("data-status") or "",
                        " ".join(text),
                    )
                )
            if self.stack:
                self.stack[-1][2].extend(text)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.stack and data.strip():
            self.stack[-1][2].append(data.strip())


def _run_failed(story_project: Callable[[], Path], secret_env: dict[str, str]) -> Path:
    root = story_project()
    proc = run_odibi(["run", str(root)], extra_env=secret_env)
    assert proc.returncode == 1, proc.stderr
    [report] = (root / ".odibi/reports/nightly").glob("*.json")
    return report


def test_chromium_shows_every_node_with_its_status_and_no_secret(
    story_project: Callable[[], Path],
    secret_env: dict[str, str],
    secret_value: str,
    expected_status: dict[str, str],
    tmp_path: Path,
) -> None:
    report = _run_failed(story_project, secret_env)
    html = report.with_suffix(".html")
    dom = _browse(["--dump-dom", html.resolve().as_uri()], tmp_path).stdout
    assert "<svg" in dom
    page = _Page()
    page.feed(dom)
    for kind in ("g", "tr", "article"):  # the graph, the node table, the node sections
        shown = {node: status for tag, node, status, _ in page.found if tag == kind}
        assert shown == expected_status, kind
        for tag, node, status, text in page.found:
            if tag == kind:
                assert node in text, (kind, node, text[:200])
                assert status in text, (kind, node, text[:200])
    broken = next(
        text for tag, node, _, text in page.found if tag == "article" and node == "broken"
    )
    assert "missing_column" in broken
    for form in variants(secret_value):
        assert form not in dom
        assert form not in html.read_text()
    assert "@example.com" not in dom  # a sensitive node and a masked column


def test_json_report_validates_and_holds_no_secret(
    story_project: Callable[[], Path], secret_env: dict[str, str], secret_value: str
) -> None:
    report = _run_failed(story_project, secret_env)
    text = report.read_text()
    jsonschema.Draft202012Validator(report_schema()).validate(json.loads(text))
    for form in variants(secret_value):
        assert form not in text
    assert "'[REDACTED]'" in text  # the SQL that held the secret is there, masked


def test_screenshot_draws_the_status_colours(
    story_project: Callable[[], Path], secret_env: dict[str, str], tmp_path: Path
) -> None:
    report = _run_failed(story_project, secret_env)
    shot = tmp_path / "report.png"
    _browse(
        [
            f"--screenshot={shot}",
            "--window-size=1280,900",
            report.with_suffix(".html").resolve().as_uri(),
        ],
        tmp_path,
    )
    width, height, pixels = _read_png(shot.read_bytes())
    assert (width, height) == (1280, 900)
    counts = {
        name: sum(1 for p in pixels if p == rgb)
        for name, rgb in {
            "success": (0xE6, 0xF4, 0xEA),
            "failed": (0xFC, 0xE8, 0xE6),
            "skipped": (0xF1, 0xF3, 0xF4),
        }.items()
    }
    assert all(count > 2000 for count in counts.values()), (
        counts
    )  # node boxes filled in each colour


def _read_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Decode an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes) to RGB pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, interlace) == (8, 0), (depth, interlace)
    assert color in (2, 6), color
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    previous = bytearray(stride)
    pixels: list[tuple[int, int, int]] = []
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (
                    line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)
                ) & 0xFF
        pixels += [tuple(line[x : x + 3]) for x in range(0, stride, bpp)]  # type: ignore[misc]
        previous = line
    return width, height, pixels


CHECKED = """\
project: checked
reports: {samples: true}
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: orders
    nodes:
      - name: orders
        report_samples: false        # the node's key wins over reports.samples
        read: {connection: raw, path: orders.csv}
      - name: checked
        depends_on: [orders]
        mask_columns: [email]
        transform: {steps: ["SELECT * FROM orders"]}
        validation: {not_null: [region], unique: [order_id]}
        write: {connection: lake, path: checked.parquet}
"""


def _checked_project(root: Path, *, bad: bool) -> Path:
    """40 orders; with ``bad``, rows far from the top break the rules: two NULL regions, one
    repeated order id (never the first rows, which a plain sample would show)."""
    (root / "data").mkdir(parents=True)
    lines = ["order_id,email,region,amount"]
    for i in range(1, 41):
        order_id = 23 if bad and i == 31 else i
        region = "" if bad and i in (17, 36) else ("north" if i % 2 else "south")
        lines.append(f"{order_id},person{i}@example.com,{region},{i * 3.5}")
    (root / "data" / "orders.csv").write_text("\n".join(lines) + "\n")
    (root / "odibi.yaml").write_text(CHECKED)
    return root


def test_reports_of_a_successful_and_a_failed_validation_run_in_chromium(tmp_path: Path) -> None:
    good = _checked_project(tmp_path / "good", bad=False)
    bad = _checked_project(tmp_path / "bad", bad=True)
    assert run_odibi(["run", str(good)]).returncode == 0
    failed = run_odibi(["run", str(bad)])
    assert failed.returncode == 1, failed.stderr
    for root, name in ((good, "success"), (bad, "failed")):
        [report] = (root / ".odibi/reports/orders").glob("*.json")
        data = json.loads(report.read_text())
        jsonschema.Draft202012Validator(report_schema()).validate(data)
        node = next(n for n in data["nodes"] if n["name"] == "checked")
        assert next(n for n in data["nodes"] if n["name"] == "orders")["sample"] is None
        html = report.with_suffix(".html").resolve().as_uri()
        _browse(
            [f"--screenshot={tmp_path / (name + '.png')}", "--window-size=1280,2400", html],
            tmp_path,
        )
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
        dom = report.with_suffix(".html").read_text()  # static: no script changes the page
        assert "@example.com" not in dom  # masked in the sample and in the failing rows
        if name == "success":
            assert node["sample"]["failing_rules"] == []
            assert [r["order_id"] for r in node["sample"]["rows"]] == [1, 2, 3, 4, 5]
            continue
        sample = node["sample"]
        assert sample["failing_rules"] == ["not_null(region)", "unique(order_id)"]
        # exactly the failing rows: the NULL regions and both rows with the repeated id
        assert sorted(r["amount"] for r in sample["rows"]) == [
            17 * 3.5,
            23 * 3.5,
            31 * 3.5,
            36 * 3.5,
        ]
        assert all(r["email"] == "[REDACTED]" for r in sample["rows"])
        page = _Page()
        page.feed(dom)
        article = next(
            text for tag, n, _, text in page.found if tag == "article" and n == "checked"
        )
        assert "Rows failing not_null(region), unique(order_id): 4 shown" in article
        assert "2 of 40 rows fail" in article
        assert "1 of 40 rows fail" in article
