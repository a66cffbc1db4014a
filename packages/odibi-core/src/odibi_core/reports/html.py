"""Render a run report as one self-contained HTML page.

The page has everything inline (CSS, the SVG graph) and fetches nothing: it can be mailed,
attached to a ticket or opened from a file share. It needs no script (sections fold with
``<details>``). Every value is HTML-escaped; the data it is given has already been redacted.
"""

from __future__ import annotations

from html import escape
from typing import Any

from odibi_core.reports.graph_svg import STATUS_MARK, node_anchor, render_graph_svg
from odibi_core.reports.model import Column, NodeReport, RunReport

STYLE = """
:root{--ok:#1e8e3e;--ok-bg:#e6f4ea;--bad:#c5221f;--bad-bg:#fce8e6;--skip:#5f6368;--skip-bg:#f1f3f4;
--same:#1a73e8;--same-bg:#e8f0fe;--warn:#b06000;--warn-bg:#fef7e0;--line:#dadce0;--muted:#5f6368}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
color:#202124;background:#fafafa}
main{max-width:1200px;margin:0 auto;padding:20px 24px 48px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px}h3{font-size:16px;margin:0}
h4{font-size:13px;margin:14px 0 6px;text-transform:uppercase;letter-spacing:.04em;
color:var(--muted)}
.meta{color:var(--muted);margin:0}.meta b{color:#202124;font-weight:600}
.badge{display:inline-block;padding:1px 9px;border-radius:10px;font-size:12px;font-weight:600;
vertical-align:middle;border:1px solid currentColor;white-space:nowrap}
.badge.st-success{color:var(--ok);background:var(--ok-bg)}
.badge.st-failed{color:var(--bad);background:var(--bad-bg)}
.badge.st-skipped{color:var(--skip);background:var(--skip-bg)}
.badge.st-unchanged{color:var(--same);background:var(--same-bg)}
.badge.st-interrupted{color:var(--warn);background:var(--warn-bg)}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin-top:16px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px 14px;
min-width:110px}
.card .v{font-size:20px;font-weight:600}.card .k{color:var(--muted);font-size:12px}
.card.bad .v{color:var(--bad)}
.panel{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px;overflow-x:auto}
svg.graph .gnode rect{stroke-width:2}svg.graph .gname{font-weight:600;font-size:13px;fill:#202124}
svg.graph .gstatus{font-size:12px}
svg.graph .st-success rect{fill:var(--ok-bg);stroke:var(--ok)}
svg.graph .st-success .gstatus{fill:var(--ok)}
svg.graph .st-failed rect{fill:var(--bad-bg);stroke:var(--bad)}
svg.graph .st-failed .gstatus{fill:var(--bad)}
svg.graph .st-skipped rect{fill:var(--skip-bg);stroke:var(--skip);stroke-dasharray:5 3}
svg.graph .st-skipped .gstatus{fill:var(--skip)}
svg.graph .st-unchanged rect{fill:var(--same-bg);stroke:var(--same)}
svg.graph .st-unchanged .gstatus{fill:var(--same)}
svg.graph .st-unknown rect,svg.graph .st-interrupted rect{fill:var(--warn-bg);stroke:var(--warn)}
svg.graph .st-interrupted .gstatus{fill:var(--warn)}
svg.graph .edge{fill:none;stroke:#9aa0a6;stroke-width:1.6}svg.graph .arrowhead{fill:#9aa0a6}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:5px 9px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;background:#f8f9fa}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.node{background:#fff;border:1px solid var(--line);border-left:6px solid var(--line);
border-radius:8px;
padding:12px 16px;margin:14px 0}
.node.st-success{border-left-color:var(--ok)}.node.st-failed{border-left-color:var(--bad)}
.node.st-skipped{border-left-color:var(--skip)}.node.st-unchanged{border-left-color:var(--same)}
.node.st-interrupted{border-left-color:var(--warn)}
.facts{display:flex;flex-wrap:wrap;gap:4px 22px;margin:8px 0 0;color:var(--muted)}
.facts b{color:#202124}
.error{background:var(--bad-bg);color:var(--bad);border-radius:6px;padding:8px 12px;margin:10px 0;
white-space:pre-wrap;word-break:break-word;font-family:ui-monospace,Menlo,Consolas,monospace;
font-size:13px}
.error pre.where{background:#fff;color:#202124;border-color:var(--bad);white-space:pre;
margin:8px 0 4px}
.error .hint{color:#202124;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.note{color:var(--muted);font-style:italic;margin:4px 0}
pre{background:#f8f9fa;border:1px solid var(--line);border-radius:6px;padding:8px 10px;
overflow-x:auto;
font:12.5px/1.4 ui-monospace,Menlo,Consolas,monospace;margin:6px 0;white-space:pre-wrap}
.added{color:var(--ok);font-weight:600}
.removed{color:var(--bad);font-weight:600;text-decoration:line-through}
.changed{color:var(--warn);font-weight:600}
.pass{color:var(--ok);font-weight:600}.fail{color:var(--bad);font-weight:600}
.masked{color:var(--muted)}
details>summary{cursor:pointer;color:var(--muted);margin:10px 0 4px}
footer{margin-top:36px;color:var(--muted);font-size:12px}
"""


def render_html(data: dict[str, Any]) -> str:
    """The HTML page of a report given as (redacted) JSON data."""
    report = RunReport.model_validate(data)
    status_of = {n.name: n.status for n in report.nodes}
    title = f"{report.pipeline} · {report.status} · run {report.run_id}"
    body = [
        _header(report),
        _cards(report),
        '<h2>Graph</h2><div class="panel">'
        + render_graph_svg(report.graph.layers, report.graph.edges, status_of)
        + "</div>",
        _summary_table(report),
        "<h2>Node details</h2>",
        *(_node_section(node) for node in report.nodes),
        _footer(report),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="odibi-run-id" content="{_e(report.run_id)}">'
        f"<title>{_e(title)}</title><style>{STYLE}</style></head>\n"
        f'<body><main class="run st-{_e(report.status)}" data-run-id="{_e(report.run_id)}" '
        f'data-status="{_e(report.status)}">\n' + "\n".join(body) + "\n</main></body></html>\n"
    )


def _e(value: object) -> str:
    return escape("" if value is None else str(value))


def _badge(status: str) -> str:
    return f'<span class="badge st-{_e(status)}">{STATUS_MARK.get(status, "?")} {_e(status)}</span>'


def _header(r: RunReport) -> str:
    env = f" · environment <b>{_e(r.environment)}</b>" if r.environment else ""
    desc = f'<p class="meta">{_e(r.description)}</p>' if r.description else ""
    return (
        f"<header><h1>{_e(r.pipeline)} {_badge(r.status)}</h1>{desc}"
        f'<p class="meta">project <b>{_e(r.project)}</b> · run <b>{_e(r.run_id)}</b>{env} · '
        f"engine <b>{_e(r.engine)}</b> · state <b>{_e(r.state_backend or 'off')}</b></p>"
        f'<p class="meta">started <b>{_e(r.started_at)}</b> · finished '
        f"<b>{_e(r.finished_at)}</b> · "
        f"by <b>{_e(r.who.user)}@{_e(r.who.host)}</b> (pid {r.who.pid})</p></header>"
    )


def _cards(r: RunReport) -> str:
    t = r.totals
    cards = [
        ("duration", _seconds(r.duration_s), ""),
        ("nodes", str(t.nodes), ""),
        ("succeeded", str(t.success), ""),
        ("failed", str(t.failed), "bad" if t.failed else ""),
        ("skipped", str(t.skipped), ""),
        ("unchanged", str(t.unchanged), ""),
        *([("interrupted", str(t.interrupted), "bad")] if t.interrupted else []),
        ("rows written", f"{t.rows_written:,}", ""),
    ]
    items = "".join(
        f'<div class="card {cls}"><div class="v">{_e(v)}</div><div class="k">{_e(k)}</div></div>'
        for k, v, cls in cards
    )
    return f'<section class="cards">{items}</section>'


def _summary_table(r: RunReport) -> str:
    rows = []
    for n in r.nodes:
        note = n.error.message.split("\n", 1)[0] if n.error else (n.skipped_reason or "")
        rows.append(
            f'<tr data-node="{_e(n.name)}" data-status="{_e(n.status)}">'
            "<td><a "
            f'href="#{_e(node_anchor(n.name))}">{_e(n.name)}</a></td><td>{_badge(n.status)}</td>'
            f'<td class="num">{_seconds(n.duration_s)}</td><td class="num">{_rows(n.rows_in)}</td>'
            f'<td class="num">{_rows(n.rows_out)}</td><td>{_e(n.output or "")}</td>'
            f"<td>{_e(_cut(note, 160))}</td></tr>"
        )
    head = (
        '<tr><th>node</th><th>status</th><th class="num">duration</th><th class="num">rows in</th>'
        '<th class="num">rows out</th><th>output</th><th>note</th></tr>'
    )
    return (
        '<h2>Nodes</h2><div class="panel"><table '
        f'class="summary">{head}{"".join(rows)}</table></div>'
    )


def _node_section(n: NodeReport) -> str:
    parts = [
        f'<article id="{_e(node_anchor(n.name))}" class="node st-{_e(n.status)}" '
        f'data-node="{_e(n.name)}" '
        f'data-status="{_e(n.status)}"><h3>{_e(n.name)} {_badge(n.status)}</h3>'
    ]
    if n.description:
        parts.append(f'<p class="meta">{_e(n.description)}</p>')
    facts = [
        ("layer", str(n.layer)),
        ("depends on", ", ".join(n.depends_on) or "—"),
        ("duration", _seconds(n.duration_s)),
        ("rows in", _rows(n.rows_in)),
        ("rows out", _rows(n.rows_out)),
        ("output", n.output or "—"),
        ("started", n.started_at or "—"),
    ]
    if n.rows_written is not None:
        facts.insert(5, ("rows written", _rows(n.rows_written)))
    if n.rows_total is not None:
        facts.insert(6, ("target total", _rows(n.rows_total)))
    if n.sensitive:
        facts.append(("sensitive", "yes"))
    parts.append(
        '<div class="facts">'
        + "".join(f"<span>{_e(k)} <b>{_e(v)}</b></span>" for k, v in facts)
        + "</div>"
    )
    if n.error:
        parts.append(_error(n))
    if n.skipped_reason:
        parts.append(f'<p class="note">{_e(n.skipped_reason)}</p>')
    parts += [_schema(n), _sql(n), _validations(n), _sample(n), _profile(n), "</article>"]
    return "".join(p for p in parts if p)


def _error(n: NodeReport) -> str:
    """The failure: where and the engine's lines, the step's SQL with its caret, the hint."""
    assert n.error is not None
    where = f'<pre class="where">{_e(n.error.sql)}</pre>' if n.error.sql else ""
    hint = f'<div class="hint">hint: {_e(n.error.hint)}</div>' if n.error.hint else ""
    # worded like the console (``node x failed: step 2 (sql): ...``); the error class, an internal
    # name next to the engine's own (``Binder Error``), is only a tooltip
    kind = f' title="{_e(n.error.type)}"' if n.error.type else ""
    return (
        f'<div class="error"{kind}><b>node {_e(n.name)} failed</b>: {_e(n.error.message)}'
        f"{where}{hint}</div>"
    )


def _schema(n: NodeReport) -> str:
    if not n.schema_out and not n.schema_in:
        return ""
    changes = []
    if n.columns_added:
        changes.append(
            "added " + ", ".join(f'<span class="added">+{_e(c)}</span>' for c in n.columns_added)
        )
    if n.columns_removed:
        changes.append(
            "removed "
            + ", ".join(f'<span class="removed">{_e(c)}</span>' for c in n.columns_removed)
        )
    if n.columns_changed:
        changes.append(
            "retyped "
            + ", ".join(
                f'<span class="changed">{_e(c.name)}</span> {_e(c.before)} → {_e(c.after)}'
                for c in n.columns_changed
            )
        )
    summary = f'<p class="meta">{"; ".join(changes)}</p>' if changes else ""
    return (
        f"<h4>Schema</h4>{summary}<details><summary>columns in ({len(n.schema_in)}) and out "
        f"({len(n.schema_out)})</summary><table><tr><th>in</th><th>out</th></tr><tr>"
        f"<td>{_columns(n.schema_in, n.columns_removed, 'removed')}</td>"
        f"<td>{_columns(n.schema_out, n.columns_added, 'added')}</td></tr></table></details>"
    )


def _columns(columns: list[Column], marked: list[str], cls: str) -> str:
    if not columns:
        return '<span class="note">—</span>'
    return "<br>".join(
        f'<span class="{cls if c.name in marked else ""}">{_e(c.name)}</span> <span '
        f'class="meta">{_e(c.type)}</span>'
        for c in columns
    )


def _sql(n: NodeReport) -> str:
    if not n.sql:
        return ""
    blocks = "".join(f"<pre><code>{_e(q)}</code></pre>" for q in n.sql)
    return (
        f"<h4>SQL</h4><details open><summary>{len(n.sql)} statement(s)</summary>{blocks}</details>"
    )


def _validations(n: NodeReport) -> str:
    if not n.validations:
        return ""
    rows = "".join(
        f'<tr><td>{_e(v.rule)}</td><td class="{"pass" if v.passed else "fail"}">'
        f"{'passed' if v.passed else 'failed'}</td><td>{_e(v.detail)}</td>"
        f'<td class="num">{_rows(v.failing_rows)}</td></tr>'
        for v in n.validations
    )
    head = '<tr><th>rule</th><th>result</th><th>detail</th><th class="num">failing rows</th></tr>'
    return f'<h4>Validations</h4><table class="validations">{head}{rows}</table>'


def _sample(n: NodeReport) -> str:
    if n.sample is None:
        return f'<h4>Sample</h4><p class="note">{_e(n.sample_note)}</p>' if n.sample_note else ""
    columns = n.sample.columns
    masked = set(n.sample.masked_columns)
    head = "".join(f'<th class="{"masked" if c in masked else ""}">{_e(c)}</th>' for c in columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_e(_cell(row.get(c)))}</td>" for c in columns) + "</tr>"
        for row in n.sample.rows
    )
    if not n.sample.rows:
        rows = f'<tr><td colspan="{max(len(columns), 1)}" class="note">no rows</td></tr>'
    title = (
        f"Rows failing {', '.join(n.sample.failing_rules)}: {len(n.sample.rows)} shown"
        if n.sample.failing_rules
        else f"Sample ({len(n.sample.rows)} row(s))"
    )
    return (
        f'<h4>{_e(title)}</h4><div class="panel">'
        f'<table class="sample"><tr>{head}</tr>{rows}</table></div>'
    )


def _profile(n: NodeReport) -> str:
    if n.profile is None:
        return ""
    if n.profile.error:
        return f'<h4>Profile</h4><p class="note">{_e(n.profile.error)}</p>'
    rows = "".join(
        f'<tr><td>{_e(c.name)}</td><td>{_e(c.type)}</td><td class="num">{c.nulls:,}</td>'
        f'<td class="num">{c.null_ratio:.1%}</td><td class="num">{c.distinct:,}</td></tr>'
        for c in n.profile.columns
    )
    head = (
        '<tr><th>column</th><th>type</th><th class="num">nulls</th><th class="num">null ratio</th>'
        '<th class="num">distinct</th></tr>'
    )
    return (
        f"<h4>Profile ({_rows(n.profile.rows)} rows)</h4><table "
        f'class="profile">{head}{rows}</table>'
    )


def _footer(r: RunReport) -> str:
    plugins = (
        ", ".join(f"{p.distribution} {p.version} ({p.status})" for p in r.versions.plugins)
        or "none"
    )
    return (
        f"<footer>odibi-core {_e(r.versions.odibi_core)} · Python {_e(r.versions.python)} on "
        f"{_e(r.versions.platform)} · plugins: {_e(plugins)}<br>report generated "
        f"{_e(r.generated_at)} · "
        f"format {_e(r.format)} v{r.format_version}</footer>"
    )


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 120 else f"{int(value // 60)} min {value % 60:.0f} s"


def _rows(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    return _cut(str(value), 120)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
