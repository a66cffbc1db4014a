"""The leak matrix: one secret per place it could escape, `odibi run` as a real subprocess.

Every case runs as a node of one pipeline (``on_error: continue``) whose Python step puts its own
secret into a log message, a ``%s`` / ``%r`` argument, an ``extra`` field, a deeply nested dict
argument, an exception message, a ``raise ... from`` chain, ``logger.exception``, an uncaught
error, a ``postgresql://u:S@h/db`` URL or a driver error echoing its connection string - and, beyond
logging, a ``print()`` split over several writes and an uncaught error in a thread. The run is
repeated in text and JSON log formats, with and without ``--debug`` (tracebacks, DEBUG records
with whole config reprs). For every case and run, neither the secret nor its URL-quoted,
JSON-escaped, ``repr``-escaped or base64 forms may appear on stdout, stderr, in the state file or
in any other file the run wrote (run reports included, wherever they land).
"""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from odibi_core.testing.cli import run_odibi

CASES = [
    "message",
    "percent_s",
    "percent_r",
    "extra",
    "dict_arg",
    "exception_message",
    "raise_from",
    "logger_exception",
    "uncaught",
    "url",
    "driver",
    "print",
    "thread_error",
]
DOTENV_CASES = {"dict_arg", "driver"}  # resolved by the dotenv provider instead of the environment


def secret_for(case: str) -> str:
    """A distinct secret per case, with every character that changes an encoding."""
    index = CASES.index(case)
    return f"Zq{index:02d}x!/+ \"dq\" 'sq' \\ é@#%:;w{index:02d}"


def forms(secret: str) -> dict[str, str]:
    raw = secret.encode()
    return {
        "raw": secret,
        "quote": quote(secret, safe=""),
        "quote-default": quote(secret),
        "quote_plus": quote_plus(secret),
        "json": json.dumps(secret)[1:-1],
        "json-unicode": json.dumps(secret, ensure_ascii=False)[1:-1],
        "repr": repr(secret)[1:-1],
        "json-of-repr": json.dumps(repr(secret)[1:-1], ensure_ascii=False)[1:-1],
        "base64": base64.b64encode(raw).decode().rstrip("="),
        "base64-urlsafe": base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }


TRANSFORMS = '''
import logging
import threading

from odibi_core import transform

log = logging.getLogger("project.steps")


class DriverError(Exception):
    """Like a database driver's error that echoes its connection string."""


@transform(frame="arrow")
def leak(table, case, value):
    if case == "message":
        log.warning(f"case=message connecting with {value}")
    elif case == "percent_s":
        log.warning("case=percent_s token %s", value)
    elif case == "percent_r":
        log.warning("case=percent_r token %r", value)
    elif case == "extra":
        log.warning("case=extra", extra={"conn_info": value, "nested": {"deep": [value]}})
    elif case == "dict_arg":
        nested = {"l1": {"l2": {"l3": [{"password": value, "note": value}]}}}
        log.warning("case=dict_arg %s", nested)
    elif case == "exception_message":
        try:
            raise ValueError(f"bad value {value}")
        except ValueError as exc:
            log.error("case=exception_message %s", exc)
    elif case == "raise_from":
        try:
            raise KeyError(value)
        except KeyError as exc:
            raise RuntimeError("case=raise_from outer failure") from exc
    elif case == "logger_exception":
        try:
            raise OSError(f"io failed for {value}")
        except OSError:
            log.exception("case=logger_exception")
    elif case == "uncaught":
        raise RuntimeError(f"case=uncaught step failed with {value}")
    elif case == "url":
        raise ConnectionError(f"case=url could not reach postgresql://u:{value}@h/db")
    elif case == "driver":
        raise DriverError(
            f"case=driver connection failed: host=h port=5432 user=u password={value} dbname=db"
        )
    elif case == "print":
        print("case=print value", value[:5], end="", flush=True)
        print(value[5:])
    elif case == "thread_error":
        def fail():
            raise ValueError(f"case=thread_error background {value}")

        worker = threading.Thread(target=fail, name="background")
        worker.start()
        worker.join()
    return table
'''


def project_yaml(backend: str) -> str:
    nodes = "\n".join(
        f"""      - name: {case}
        read: {{connection: raw, path: rows.csv}}
        transform:
          steps:
            - function: leak
              params: {{case: {case}, value: "${{secret:LEAK_{case.upper()}}}"}}
        write: {{connection: lake, path: {case}.parquet}}"""
        for case in CASES
    )
    return f"""project: leaks
connections:
  raw: {{type: local, base_path: ./data}}
  lake: {{type: local, base_path: ./lake}}
state: {{backend: {backend}}}
retry: {{max_attempts: 1}}
pipelines:
  - pipeline: leaky
    on_error: continue
    nodes:
{nodes}
"""


def dotenv_line(name: str, value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{name}="{escaped}"\n'


RUNS = {  # name: (global options, run options)
    "text": (["--log-format", "text"], []),
    "json": (["--log-format", "json"], []),
    "text-debug": (["--log-format", "text", "--debug=full,hooks"], ["--json"]),  # hook trace too
    "json-debug": (["--log-format", "json", "--debug"], ["--json"]),
}
INPUTS = {"odibi.yaml", "transforms.py", ".env", "data"}


@pytest.fixture(scope="module")
def runs(
    backend: str,
    plugin_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    files_under: Callable[[Path, set[str]], dict[str, str]],
) -> dict[str, dict[str, Any]]:
    """Each run's stdout, stderr, exit code and written files."""
    results: dict[str, dict[str, Any]] = {}
    for name, (global_opts, run_opts) in RUNS.items():
        root = tmp_path_factory.mktemp(f"leaks-{backend}-{name}")
        (root / "data").mkdir()
        (root / "data" / "rows.csv").write_text("id,amount\n1,10\n2,20\n")
        (root / "odibi.yaml").write_text(project_yaml(backend))
        (root / "transforms.py").write_text(TRANSFORMS)
        (root / ".env").write_text(
            "".join(dotenv_line(f"LEAK_{c.upper()}", secret_for(c)) for c in DOTENV_CASES)
        )
        env = {
            **plugin_env,
            **{f"LEAK_{c.upper()}": secret_for(c) for c in CASES if c not in DOTENV_CASES},
        }
        proc: CompletedProcess[str] = run_odibi(
            [*global_opts, "run", str(root), *run_opts], cwd=root, extra_env=env
        )
        results[name] = {"proc": proc, "files": files_under(root, INPUTS)}
        shutil.rmtree(root / "lake", ignore_errors=True)
    return results


@pytest.mark.parametrize("run_name", list(RUNS))
def test_run_fails_as_expected_and_records_state(
    runs: dict[str, dict[str, Any]], run_name: str
) -> None:
    proc = runs[run_name]["proc"]
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "error: pipeline run failed: leaky" in proc.stderr
    documents = [
        json.loads(text) for text in runs[run_name]["files"].values() if '"lineage"' in text
    ]
    histories = [
        d["pipelines"]["leaky"]["runs"]
        for d in documents
        if d.get("pipelines", {}).get("leaky", {}).get("runs")
    ]
    assert histories, f"no state file holds the run: {sorted(runs[run_name]['files'])}"
    nodes = histories[0][-1]["nodes"]
    assert nodes["uncaught"]["status"] == "failed"
    assert "[REDACTED]" in nodes["uncaught"]["error"]
    assert nodes["message"]["status"] == "success"
    if run_name.startswith("json"):
        lines = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
        assert lines
        assert all(
            {"timestamp", "level", "logger", "message", "run_id", "pipeline", "node"} <= set(x)
            for x in lines
        )
        assert any(x["node"] == "percent_s" and x["pipeline"] == "leaky" for x in lines)


@pytest.mark.parametrize("run_name", list(RUNS))
@pytest.mark.parametrize("case", CASES)
def test_secret_never_leaks(runs: dict[str, dict[str, Any]], run_name: str, case: str) -> None:
    proc: CompletedProcess[str] = runs[run_name]["proc"]
    files: dict[str, str] = runs[run_name]["files"]
    assert f"case={case}" in proc.stderr + proc.stdout  # the case really emitted something
    sinks = {
        "stdout": proc.stdout,
        "stderr": proc.stderr,
        **{f"file {name}": text for name, text in files.items()},
    }
    for form_name, form in forms(secret_for(case)).items():
        for sink, text in sinks.items():
            assert form not in text, f"{form_name} form of the {case} secret found in {sink}"


def test_tracebacks_with_chained_causes_are_shown_redacted_in_debug(
    runs: dict[str, dict[str, Any]],
) -> None:
    stderr = runs["text-debug"]["proc"].stderr
    assert "KeyError: '[REDACTED]'" in stderr or "KeyError: [REDACTED]" in stderr
    assert "The above exception was the direct cause of the following exception" in stderr
    assert "RuntimeError: case=raise_from outer failure" in stderr
