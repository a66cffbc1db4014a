"""The logging filter and formatters: every part of a record is redacted, in text and JSON."""

from __future__ import annotations

import base64
import contextvars
import io
import json
import logging
import threading
from collections.abc import Iterator
from urllib.parse import quote, quote_plus

import pytest
from odibi_core.logs import RedactingFilter, TextFormatter, bind_log_context, configure_logging
from odibi_core.redaction import MASK, REDACTION_FAILED, get_registry, register_secret

SECRET = 'Tr1cky "pa$$" w/ +é'


def forms(secret: str) -> list[str]:
    return [
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        repr(secret)[1:-1],
        base64.b64encode(secret.encode()).decode().rstrip("="),
    ]


@pytest.fixture
def stream(clean_redaction: None) -> Iterator[io.StringIO]:
    """Odibi's console handler writing to a buffer; the secret registered."""
    register_secret(SECRET, source="test")
    buffer = io.StringIO()
    yield buffer
    logging.captureWarnings(False)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_odibi", False):
            root.removeHandler(handler)


class DriverError(Exception):
    """Like a database driver error that echoes its connection string."""


def emit_case(case: str, logger: logging.Logger) -> None:
    s = SECRET
    if case == "message":
        logger.warning(f"case=message connecting with {s}")
    elif case == "percent_s":
        logger.warning("case=percent_s arg %s", s)
    elif case == "percent_r":
        logger.warning("case=percent_r arg %r", s)
    elif case == "extra":
        logger.warning(
            "case=extra", extra={"credential_used": s, "detail": f"x {s} y", "obj": DriverError(s)}
        )
    elif case == "dict_arg":
        logger.warning(
            "case=dict_arg %s", {"a": {"b": [{"c": {"password": "unregistered-value", "x": s}}]}}
        )
    elif case == "mapping_arg":
        logger.warning("case=mapping_arg %(user)s %(password)s", {"user": "u", "password": s})
    elif case == "exception":
        try:
            raise ValueError(f"bad value {s}")
        except ValueError:
            logger.error("case=exception", exc_info=True)
    elif case == "chain":
        try:
            try:
                raise KeyError(s)
            except KeyError as inner:
                raise RuntimeError(f"outer {quote(s)}") from inner
        except RuntimeError:
            logger.exception("case=chain")
    elif case == "context_chain":
        try:
            try:
                raise OSError(repr(s))
            except OSError:
                raise ValueError(f"while handling: {s}")  # noqa: B904 - the implicit __context__ chain
        except ValueError:
            logger.exception("case=context_chain")
    elif case == "stack":
        logger.warning("case=stack %s", "see stack", stack_info=True, extra={"note": s})
        # the stack holds this frame's source line, which names the variable, not the value
    elif case == "url":
        logger.warning("case=url postgresql://u:%s@h/db", quote(s, safe=""))
    elif case == "driver":
        try:
            raise DriverError(f"could not connect: host=h user=u password={s!r} dbname=d")
        except DriverError:
            logger.exception("case=driver")
    elif case == "unregistered_driver":
        logger.warning("case=unregistered_driver Server=h;UID=u;PWD={n0t;registered};")
    else:  # pragma: no cover
        raise AssertionError(case)


CASES = [
    "message",
    "percent_s",
    "percent_r",
    "extra",
    "dict_arg",
    "mapping_arg",
    "exception",
    "chain",
    "context_chain",
    "stack",
    "url",
    "driver",
    "unregistered_driver",
]


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("case", CASES)
def test_no_form_of_the_secret_reaches_the_log(stream: io.StringIO, case: str, fmt: str) -> None:
    configure_logging("DEBUG", fmt, stream)
    emit_case(case, logging.getLogger(f"odibi.test.{case}"))  # a child logger: propagated to root
    out = stream.getvalue()
    assert f"case={case}" in out
    for form in forms(SECRET):
        assert form not in out
    assert "unregistered-value" not in out
    assert "n0t;registered" not in out
    if fmt == "json":
        for line in out.splitlines():
            if line.startswith("{"):
                json.loads(line)


def test_chained_causes_are_all_present_but_redacted(stream: io.StringIO) -> None:
    configure_logging("DEBUG", "text", stream)
    emit_case("chain", logging.getLogger("odibi.test"))
    out = stream.getvalue()
    assert "KeyError" in out
    assert "RuntimeError" in out
    assert "direct cause of the following exception" in out
    assert MASK in out


def test_json_lines_carry_the_documented_fields(stream: io.StringIO) -> None:
    configure_logging("INFO", "json", stream)
    logger = logging.getLogger("odibi.run")

    def in_worker() -> None:
        logger.info("node %s done", "orders", extra={"rows": 3})

    with bind_log_context(run_id="R1", pipeline="daily"):
        logger.info("pipeline start")
        with bind_log_context(node="orders"):
            ctx = contextvars.copy_context()
            worker = threading.Thread(target=ctx.run, args=(in_worker,))
            worker.start()
            worker.join()
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    for line in (first, second):
        assert {"timestamp", "level", "logger", "message", "run_id", "pipeline", "node"} <= set(
            line
        )
        assert line["timestamp"].endswith("+00:00")
    assert (first["level"], first["logger"], first["message"]) == (
        "INFO",
        "odibi.run",
        "pipeline start",
    )
    assert (first["run_id"], first["pipeline"], first["node"]) == ("R1", "daily", None)
    assert (second["message"], second["node"], second["rows"]) == ("node orders done", "orders", 3)


def test_text_lines_show_pipeline_and_node(stream: io.StringIO) -> None:
    configure_logging("INFO", "text", stream)
    with bind_log_context(run_id="R1", pipeline="daily", node="orders"):
        logging.getLogger("odibi.run").info("done")
    assert stream.getvalue().rstrip().endswith("INFO    [daily/orders] done")


def test_configuring_twice_installs_one_handler(stream: io.StringIO) -> None:
    configure_logging("INFO", "text", stream)
    configure_logging("INFO", "json", stream)
    odibi_handlers = [h for h in logging.getLogger().handlers if getattr(h, "_odibi", False)]
    assert len(odibi_handlers) == 1
    assert any(isinstance(f, RedactingFilter) for f in odibi_handlers[0].filters)


def test_unformattable_arguments_show_the_template_not_the_arguments(stream: io.StringIO) -> None:
    record = logging.LogRecord(
        "odibi.test", logging.WARNING, __file__, 1, "two %s %s but one", (SECRET,), None
    )
    RedactingFilter().filter(record)
    out = TextFormatter().format(record)
    assert "two %s %s but one <log arguments could not be formatted>" in out
    assert SECRET not in out


def test_redaction_failure_prints_the_marker(
    stream: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure_logging("INFO", "json", stream)

    def broken(text: str) -> str:
        raise RuntimeError("bug")

    monkeypatch.setattr(get_registry(), "_mask_known", broken)
    logging.getLogger("odibi.test").warning("value %s", SECRET)
    line = json.loads(stream.getvalue())
    assert line["message"] == REDACTION_FAILED


def test_a_later_handler_sees_only_the_redacted_record(stream: io.StringIO) -> None:
    configure_logging("INFO", "text", stream)
    later = io.StringIO()
    naive = logging.StreamHandler(later)  # no filter, stock formatter: renders exc_info if present
    naive.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    root.addHandler(naive)
    try:
        try:
            raise ValueError(SECRET)
        except ValueError:
            logging.getLogger("odibi.test").exception("failed with %s", SECRET)
    finally:
        root.removeHandler(naive)
    assert "ValueError" in later.getvalue()
    for form in forms(SECRET):
        assert form not in later.getvalue()


def test_formatter_redacts_a_record_that_skipped_the_filter(clean_redaction: None) -> None:
    register_secret(SECRET)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "value %s", (SECRET,), None)
    assert SECRET not in TextFormatter().format(record)
    assert MASK in TextFormatter().format(record)


def test_warnings_module_output_is_routed_through_the_filter(stream: io.StringIO) -> None:
    import warnings

    logging.captureWarnings(False)  # pytest restores showwarning behind logging's back
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        configure_logging("INFO", "text", stream)  # captures warnings into logging
        try:
            warnings.warn(f"deprecated option used with {SECRET}", UserWarning, stacklevel=1)
        finally:
            logging.captureWarnings(False)
    out = stream.getvalue()
    assert "deprecated option" in out
    assert SECRET not in out
