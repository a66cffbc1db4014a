"""Prefix and overlapping secrets give identical, fully masked output under any hash seed.

Set iteration order changes with ``PYTHONHASHSEED``; the registry must not let it change which
variant wins. 100 subprocesses, each registering the secrets from a ``set`` and printing text and
JSON log lines plus plain redactions; every output must be byte-identical and hold no secret.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

SECRETS = [
    "abcde",
    "abcdefgh",
    "abcdefghij",
    "bcdefgh1",
    "cdefgh12x",
    "xyzabcd",
    "zab1c",
    "fghij-K",
    "p@ss",
    "p@ssw0rd!",
    "p@ssw0rd!-longer",
]

SCRIPT = r"""
import io, json, logging, sys
from odibi_core.logs import JsonFormatter, RedactingFilter, TextFormatter
from odibi_core.redaction import redact_text, redact_value, register_secret

secrets = set(json.loads(sys.argv[1]))          # iteration order depends on the hash seed
for value in secrets:
    register_secret(value, source="seeded")
texts = json.loads(sys.argv[2])
out = [redact_text(t) for t in texts]
redacted = redact_value({"k": texts, "password": "pw-under-key", "s": set(secrets)})
out.append(json.dumps(redacted, sort_keys=True, default=sorted))
for formatter in (TextFormatter(), JsonFormatter()):
    for text in texts:
        record = logging.LogRecord(
            "odibi.seed", logging.WARNING, "x.py", 1, "msg %s %r", (text, text), None
        )
        record.created, record.msecs = 0.0, 0.0
        record.detail = {"nested": [text]}
        RedactingFilter().filter(record)
        out.append(formatter.format(record))
print("\n".join(out))
"""


def texts() -> list[str]:
    joined = " ".join(SECRETS)
    return [
        joined,
        "abcdefghijK xabcdefgh1 zab1cdefgh12x",  # prefixes and overlaps packed together
        "".join(SECRETS),
        quote(joined, safe=""),
        json.dumps(joined),
        base64.b64encode(joined.encode()).decode(),
        "url postgresql://u:p@ssw0rd!-longer@h/db and p@ssw0rd!",
    ]


def run_seed(seed: int) -> tuple[int, str]:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(SECRETS), json.dumps(texts())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return seed, proc.stdout


def test_hundred_hash_seeds_give_identical_fully_masked_output() -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = dict(pool.map(run_seed, range(100)))
    distinct = set(outputs.values())
    assert len(distinct) == 1, f"{len(distinct)} different outputs across seeds"
    output = distinct.pop()
    assert output.count("[REDACTED]") > 50
    for secret in SECRETS:
        for form in (
            secret,
            quote(secret, safe=""),
            json.dumps(secret)[1:-1],
            base64.b64encode(secret.encode()).decode().rstrip("="),
        ):
            assert form not in output, f"{form!r} leaked"
    assert "pw-under-key" not in output
