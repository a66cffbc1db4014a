#!/usr/bin/env python3
"""Log-record throughput with redaction, against an unredacted handler in the same run.

For 0, 10 and 1,000 registered secrets, emits the same mix of typical Odibi log records through
(a) Odibi's handler (RedactingFilter + TextFormatter / JsonFormatter) and (b) a plain handler with
an equivalent formatter and no redaction, both writing to a null stream. Prints microseconds per
record (best CPU time of interleaved runs) and the ratio to the unredacted handler (target: under
2x at 1,000 secrets), plus a worst case where every record carries a secret, and the one-off cost
of compiling 1,000 secrets.

    .venv/bin/python benchmarks/bench_redaction.py [--records 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import random
import string
import time
from collections.abc import Callable
from datetime import datetime, timezone

from odibi_core.logs import JsonFormatter, RedactingFilter, TextFormatter, bind_log_context
from odibi_core.redaction import get_registry, redact_text, register_secret, reset_registry

ALPHABET = string.ascii_letters + string.digits + "!#%+-/=@_"


class NullStream:
    """A stream that drops everything (we measure formatting and redaction, not I/O)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


class PlainJsonFormatter(logging.Formatter):
    """The JSON line of JsonFormatter without any redaction (the baseline)."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "timestamp": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "run_id": getattr(record, "run_id", None),
            "pipeline": getattr(record, "pipeline", None),
            "node": getattr(record, "node", None),
        }
        if hasattr(record, "rows"):
            payload["rows"] = record.rows
        return json.dumps(payload, default=str, ensure_ascii=False)


def make_secrets(count: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(12, 40))) for _ in range(count)]


def emit_mix(logger: logging.Logger, n: int, secret: str | None = None) -> None:
    """The record mix: short and long messages, % args, a dict arg, an extra field."""
    tail = f" (auth {secret})" if secret else ""
    for i in range(n):
        kind = i % 4
        if kind == 0:
            logger.info("node %s succeeded: %s rows out in %.3fs" + tail, "orders", 12345 + i, 0.25)
        elif kind == 1:
            logger.info(
                "reading postgresql://etl@db.internal:5432/analytics table public.orders_%d "
                "incremental after %s (batch %d of %d)" + tail,
                i,
                "2026-01-31T00:00:00",
                i % 7,
                7,
            )
        elif kind == 2:
            logger.warning(
                "node %s: validation warnings: %s" + tail,
                "enriched",
                {"rule": "not_null", "columns": ["order_id", "region"], "failing_rows": i % 3},
            )
        else:
            logger.info(
                "pipeline %s run %s: %s in %.2fs" + tail,
                "daily_sales",
                f"20260131T000000Z-{i:08x}",
                "success",
                1.5,
                extra={"rows": i},
            )


def timed(*fns: Callable[[], None], repeat: int) -> list[float]:
    """Best CPU time of each function; runs are interleaved so load changes hit all alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.process_time()
            fn()
            best[i] = min(best[i], time.process_time() - start)
    return best


def make_logger(handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger("odibi.bench")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def emit_with(handler: logging.Handler, n: int, secret: str | None = None) -> None:
    """Emit the record mix through ``handler`` alone."""
    emit_mix(make_logger(handler), n, secret)


def handler_for(fmt: str, redacted: bool) -> logging.Handler:
    handler = logging.StreamHandler(NullStream())  # type: ignore[arg-type]
    if redacted:
        handler.addFilter(RedactingFilter())
        handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    else:
        handler.setFormatter(
            PlainJsonFormatter()
            if fmt == "json"
            else logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%H:%M:%S")
        )
    return handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000, help="records per measurement")
    parser.add_argument("--repeat", type=int, default=5, help="measurements per case (best kept)")
    args = parser.parse_args()
    n, repeat = args.records, args.repeat
    pool = make_secrets(1000)

    print(f"{n} records per measurement, best of {repeat}; microseconds per record")
    print(
        f"{'format':<6} {'secrets':>7} {'unredacted':>11} {'redacted':>9} {'ratio':>6}   "
        "worst case (secret in every record)"
    )
    with bind_log_context(
        run_id="20260131T000000Z-0000abcd", pipeline="daily_sales", node="orders"
    ):
        for fmt in ("text", "json"):
            for count in (0, 10, 1000):
                reset_registry()
                for value in pool[:count]:
                    register_secret(value, source="bench")
                redact_text("warm-up: compile the matchers")
                plain, odibi = handler_for(fmt, redacted=False), handler_for(fmt, redacted=True)
                secret = pool[count - 1] if count else None
                base, red, base_hit, hit = timed(
                    functools.partial(emit_with, plain, n),
                    functools.partial(emit_with, odibi, n),
                    functools.partial(emit_with, plain, n, secret),
                    functools.partial(emit_with, odibi, n, secret),
                    repeat=repeat,
                )
                worst = f"{hit / n * 1e6:8.1f} us ({hit / base_hit:.2f}x)" if count else ""
                print(
                    f"{fmt:<6} {count:>7} {base / n * 1e6:>11.1f} {red / n * 1e6:>9.1f} "
                    f"{red / base:>5.2f}x   {worst}"
                )

    reset_registry()
    for value in pool:
        register_secret(value, source="bench")
    start = time.perf_counter()
    redact_text("compile")
    compiled = time.perf_counter() - start
    print(
        f"one-off: compiling 1000 secrets ({len(get_registry()._variants)} variants) took "
        f"{compiled:.2f}s"
    )
    reset_registry()


if __name__ == "__main__":
    main()
