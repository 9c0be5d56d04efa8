"""The nightly report of one day: `index.html` (Arabic, right-to-left, phone-friendly, no external
assets: inline CSS and SVG bar charts), `summary.json` and `figures.csv`.

Its memory does not grow with the day's volume: it reads the day's summary partitions (built by
the nightly job, `khabar.nightly.job`) with pyarrow, and everything else through SQL run by the
night's engine (Athena in AWS, DuckDB locally): the trends (7-day baseline, new entities) are the
SQL views' (`khabar.nightly.trends`), the rejects by reason a GROUP BY
(`sql/report/rejects_by_reason.sql`), and the figures are only those the report shows
(`sql/report/figures_shown.sql`): the `TOP_FIGURES` largest values of each metric (kind, unit),
and of each subject's metric for the facts, with their articles' title, source and url. So
summary.json and figures.csv hold the rows shown, not every figure of the day; the totals still
count them all (from `figure_daily`), and the full list is a query away in Athena (`figures`, the
`figure_facts` view). View the report by opening `index.html` in any browser (`khabar report ...
--out DIR` prints its path); in AWS it lands in `reports/dt=D/` and the SNS message carries a link.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from khabar import sql
from khabar.lake.layout import safe_dt
from khabar.lake.store import Lake
from khabar.nightly.trends import Trend, read_trends

if TYPE_CHECKING:
    from khabar.nightly.job import Engine

__all__ = [
    "ReportFile",
    "render_report",
    "write_files",
    "write_report",
    "report_data",
    "render_html",
    "render_csv",
    "format_value",
    "TOP_FIGURES",
    "FIGURES_SCHEMA",
    "REJECTS_SCHEMA",
]

TYPES = {"PERSON": "أشخاص", "ORGANIZATION": "منظمات", "LOCATION": "أماكن"}
DIRECTION = {"up": "▲ ارتفاع", "down": "▼ انخفاض"}
TOP_N = 10
# Figures listed per (metric, kind, unit), and facts per (subject, metric, kind, unit): the
# literal 20 of sql/report/figures_shown.sql (a test keeps them equal).
TOP_FIGURES = 20
MAX_FIGURE_ROWS = 200  # in the HTML; figures.csv has all the listed ones
# The columns of sql/report/figures_shown.sql, in its order: the figures the report lists, each
# with its article's title, source and url; is_top marks the metric's top values, is_fact a subject's.
FIGURES_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("title", pa.string()),
        ("source", pa.string()),
        ("url", pa.string()),
        ("metric", pa.string()),
        ("kind", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("direction", pa.string()),
        ("figure_text", pa.string()),
        ("related_ids", pa.list_(pa.string())),
        ("subject_id", pa.string()),
        ("subject_text", pa.string()),
        ("period", pa.string()),
        ("start", pa.int32()),
        ("is_top", pa.bool_()),
        ("is_fact", pa.bool_()),
    ]
)
# sql/report/rejects_by_reason.sql: the day's rejects by reason.
REJECTS_SCHEMA = pa.schema([("reason", pa.string()), ("n", pa.int64())])
SHOWN_NOTE = f"أعلى {TOP_FIGURES} رقما لكل مؤشر؛ القائمة الكاملة في Athena."
FACTS_NOTE = f"أعلى {TOP_FIGURES} قيمة لكل جهة ومؤشر؛ القائمة الكاملة في Athena."
# Inline (no external assets); kept here rather than as package data so every build ships it.
CSS = """
/* khabar nightly report: inline, no external assets; phone first, right to left. */
:root { --fg: #1d1d1f; --muted: #6b6b70; --bg: #f7f7f5; --card: #fff; --bar: #2f6f8f;
        --up: #1a7f37; --down: #b42318; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 12px; max-width: 960px; background: var(--bg); color: var(--fg);
       font-family: system-ui, "Noto Naskh Arabic", "Noto Sans Arabic", "DejaVu Sans", Tahoma, sans-serif;
       line-height: 1.6; font-size: 16px; }
header h1 { font-size: 1.4rem; margin: 0.2em 0; }
h2 { font-size: 1.15rem; margin: 1.4em 0 0.5em; border-bottom: 2px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1rem; margin: 1em 0 0.3em; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 8px; }
.card { background: var(--card); border-radius: 8px; padding: 10px 12px;
        box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.big { font-size: 1.6rem; font-weight: 700; color: var(--bar); }
.num, code { font-variant-numeric: tabular-nums; }
code { font-size: 0.75rem; color: var(--muted); direction: ltr; unicode-bidi: embed; }
.muted { color: var(--muted); }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; background: var(--card); }
th, td { padding: 6px 8px; border-bottom: 1px solid #e6e6e6; text-align: start; vertical-align: top; }
th { background: #efefec; position: sticky; top: 0; }
.chart { display: block; max-width: 560px; margin: 4px 0 8px; direction: rtl; }
.chart .bar { fill: var(--bar); }
.chart .lbl { font-size: 13px; fill: var(--fg); text-anchor: start; }
.chart .val { font-size: 12px; fill: var(--muted); text-anchor: start; }
.up { color: var(--up); } .down { color: var(--down); } .new { color: var(--bar); font-weight: 700; }
a { color: var(--bar); }
footer { margin: 2em 0 1em; color: var(--muted); font-size: 0.8rem; }
@media (max-width: 480px) { body { padding: 8px; font-size: 15px; } .big { font-size: 1.3rem; } }
"""
_SCALES = ((1e12, "تريليون"), (1e9, "مليار"), (1e6, "مليون"))


def _esc(v: Any) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def _num(v: float) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def format_value(value: float | None, kind: str | None, unit: str | None = None) -> str:
    """83.7e9 → '83.7 مليار'; percentages as '2.5%'. The unit is shown in its own column."""
    if value is None:
        return "—"
    if kind == "percent":
        return f"{_num(value)}%"
    for scale, word in _SCALES:
        if abs(value) >= scale:
            return f"{_num(value / scale)} {word}"
    return _num(value)


def _top_entities(ents: list[dict[str, Any]], trends: dict[str, Trend]) -> dict[str, list[dict[str, Any]]]:
    # The baseline is the 7-day window as views/entity_mentions_7d.sql defines it (7 calendar days
    # ending on and including a day) taken for the day before: the 7 days before the day, so the
    # day's own mentions are not in what they are compared with.
    top: dict[str, list[dict[str, Any]]] = {}
    for etype in TYPES:
        rows = [e for e in ents if e["entity_type"] == etype][:TOP_N]  # entity_daily is ordered by mentions
        top[etype] = []
        for e in rows:
            t = trends[e["canonical_id"]]
            avg = t.prev_avg_daily_7d
            top[etype].append(
                {
                    "canonical_id": e["canonical_id"],
                    "display_name": e["display_name"],
                    "mentions": e["mentions"],
                    "articles": e["articles"],
                    "prev7_avg": round(avg, 2),
                    "change_pct": round(100 * (e["mentions"] - avg) / avg, 1) if t.prev_mentions_7d else None,
                }
            )
    return top


def _value_key(value: float | None) -> tuple[bool, float]:
    return value is None, -(value or 0)


def _figures(rows: list[dict[str, Any]], day: str, names: dict[str, str]) -> list[dict[str, Any]]:
    """The figures the report lists (`rows` of sql/report/figures_shown.sql), by metric, largest first."""
    # Sorted here too: an UNLOAD may split the query's rows over several files.
    figs = sorted(
        (f for f in rows if f["is_top"]),
        key=lambda f: (
            f["metric"] is None,
            f["metric"] or "",
            f["kind"] or "",
            f["unit"] or "",
            *_value_key(f["value"]),
            f["article_id"],
            f["start"],
            f["figure_text"] or "",
        ),
    )
    return [_figure(f, day, names) for f in figs]


def _figure(f: dict[str, Any], day: str, names: dict[str, str]) -> dict[str, Any]:
    return {
        "dt": day,
        "article_id": f["article_id"],
        "title": f["title"],
        "source": f["source"],
        "url": f["url"],
        "metric": f["metric"],
        "kind": f["kind"],
        "value": f["value"],
        "unit": f["unit"],
        "direction": f["direction"],
        "figure_text": f["figure_text"],
        "entity_ids": list(f["related_ids"] or []),
        "entities": [names.get(c, c) for c in f["related_ids"] or []],
        "subject_id": f["subject_id"],
        "subject": names.get(f["subject_id"], f["subject_text"] or f["subject_id"]) if f["subject_id"] else None,
        "period": f["period"],
    }


def _facts(rows: list[dict[str, Any]], day: str, names: dict[str, str]) -> list[dict[str, Any]]:
    """The day's figures that say whose they are, by subject: who, what, when, how much, which source
    (the largest `TOP_FIGURES` of each subject's metric, from sql/report/figures_shown.sql)."""
    keep = ("subject_id", "subject", "metric", "period", "value", "kind", "unit", "direction", "source", "url", "title")
    facts = [(_figure(f, day, names), f) for f in rows if f["is_fact"]]
    facts.sort(
        key=lambda p: (
            p[0]["subject"] or "",
            p[0]["subject_id"] or "",
            p[0]["metric"] or "",
            p[0]["period"] or "",
            *_value_key(p[0]["value"]),
            p[0]["kind"] or "",
            p[0]["unit"] or "",
            p[1]["article_id"],
            p[1]["start"],
            p[1]["figure_text"] or "",
        )
    )
    return [{k: f[k] for k in keep} for f, _ in facts]


def _reason_key(r: dict[str, Any]) -> tuple[int, bool, str]:
    return -r["n"], r["reason"] is None, r["reason"] or ""


def report_data(lake: Lake, day: str, engine: Engine) -> dict[str, Any]:
    """Everything the report shows, as plain data (this is summary.json plus the figure rows).
    The summaries come from the lake (pyarrow); the trends, the rejects by reason and the figures
    shown from SQL run by `engine`, so nothing read grows with the day's articles."""
    safe_dt(day)
    ents = lake.read("entity_daily", day).to_pylist()
    trends = read_trends(engine, day)
    new = [
        {k: e[k] for k in ("canonical_id", "display_name", "entity_type", "country_code", "mentions")}
        for e in ents
        if trends[e["canonical_id"]].is_new
    ]
    sources = lake.read("source_daily", day).to_pylist()
    figure_summary = lake.read("figure_daily", day).to_pylist()
    reasons = engine.query(sql.load("report", "rejects_by_reason"), day, REJECTS_SCHEMA).to_pylist()
    names = {e["canonical_id"]: e["display_name"] for e in ents}
    rows = engine.query(sql.load("report", "figures_shown"), day, FIGURES_SCHEMA).to_pylist()
    totals = {
        "articles": sum(s["articles"] for s in sources),
        "sources": sum(1 for s in sources if s["articles"]),
        "entity_mentions": sum(e["mentions"] for e in ents),
        "entities": len(ents),
        "figures": sum(f["figures"] for f in figure_summary),  # all of the day's, not only those listed
        "rejects": sum(s["rejects"] for s in sources),
        "new_entities": len(new),
    }
    return {
        "dt": day,
        "totals": totals,
        "top_entities": _top_entities(ents, trends),
        "new_entities": new,
        "sources": sources,
        "rejects_by_reason": {r["reason"]: r["n"] for r in sorted(reasons, key=_reason_key)},
        "figure_summary": figure_summary,
        "top_figures": TOP_FIGURES,
        "facts": _facts(rows, day, names),
        "figures": _figures(rows, day, names),
    }


# ---- rendering ----------------------------------------------------------------------------------


def _css() -> str:
    return CSS


def bar_chart(items: Sequence[tuple[str, float]], label: str, width: int = 360) -> str:
    """A horizontal bar chart as inline SVG, drawn right to left (labels on the right)."""
    if not items:
        return ""
    row, label_w = 24, 140
    bar_max = width - label_w - 56
    vmax = max(v for _, v in items) or 1
    h = row * len(items) + 4
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {h}" width="100%" role="img" aria-label="{_esc(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (name, v) in enumerate(items):
        y = i * row + 2
        short = name if len(name) <= 20 else name[:19] + "…"
        bw = max(2, round(bar_max * v / vmax))
        right = width - label_w - 6
        out.append(
            f'<text x="{width - 2}" y="{y + 16}" class="lbl">{_esc(short)}</text>'
            f'<rect x="{right - bw}" y="{y + 4}" width="{bw}" height="{row - 8}" rx="3" class="bar"/>'
            f'<text x="{right - bw - 4}" y="{y + 16}" class="val">{_esc(_num(v))}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    th = "".join(f"<th>{_esc(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)  # cells pre-escaped
    table = f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'
    return f'<div class="table-wrap">{table}</div>'


def _link(url: str | None, text: str) -> str:
    if url and url.startswith(("https://", "http://")):
        return f'<a href="{_esc(url)}" rel="noopener">{_esc(text)}</a>'
    return _esc(text)


def _change(pct: float | None) -> str:
    if pct is None:
        return '<span class="new">جديد</span>'
    cls = "up" if pct > 0 else "down" if pct < 0 else ""
    return f'<span class="{cls}" dir="ltr">{pct:+.1f}%</span>'


def render_html(data: dict[str, Any]) -> str:
    t = data["totals"]
    cards = [
        ("مقالات", t["articles"], "articles"),
        ("مصادر", t["sources"], "sources"),
        ("إشارات إلى كيانات", t["entity_mentions"], "entity_mentions"),
        ("كيانات مختلفة", t["entities"], "entities"),
        ("أرقام اقتصادية", t["figures"], "figures"),
        ("سجلات مرفوضة", t["rejects"], "rejects"),
    ]
    parts = [
        '<!doctype html>\n<html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>التقرير الليلي — {_esc(data['dt'])}</title><style>{_css()}</style></head><body>",
        f'<header><h1>خبر — التقرير الليلي</h1><p>يوم <bdi class="num">{_esc(data["dt"])}</bdi></p></header>',
        '<section class="cards" id="totals">',
    ]
    parts += [
        f'<div class="card" data-key="{k}"><div class="big num">{v:,}</div><div>{_esc(lbl)}</div></div>'
        for lbl, v, k in cards
    ]
    parts.append('</section><section id="entities"><h2>أبرز الكيانات (مقارنة بمتوسط الأيام السبعة السابقة)</h2>')
    for etype, title in TYPES.items():
        rows = data["top_entities"].get(etype) or []
        parts.append(f"<h3>{_esc(title)}</h3>")
        if not rows:
            parts.append('<p class="muted">لا شيء اليوم.</p>')
            continue
        parts.append(bar_chart([(r["display_name"], r["mentions"]) for r in rows], title))
        parts.append(
            _table(
                ["الكيان", "الإشارات", "المقالات", "متوسط 7 أيام", "التغير"],
                [
                    [
                        f"{_esc(r['display_name'])}<br><code>{_esc(r['canonical_id'])}</code>",
                        f"{r['mentions']:,}",
                        f"{r['articles']:,}",
                        _esc(_num(r["prev7_avg"])),
                        _change(r["change_pct"]),
                    ]
                    for r in rows
                ],
            )
        )
    facts = data["facts"]
    parts.append(f'</section><section id="facts"><h2>حقائق اليوم حسب الجهة ({len(facts):,})</h2>')
    parts.append(f'<p class="muted note">{_esc(FACTS_NOTE)}</p>')
    parts.append(
        _table(
            ["الجهة", "المؤشر", "الفترة", "القيمة", "المصدر"],
            [
                [
                    _esc(f["subject"]),
                    _esc(f["metric"] or "—"),
                    f"<bdi>{_esc(f['period'] or '—')}</bdi>",
                    f'<bdi class="num">{_esc(format_value(f["value"], f["kind"]))}</bdi> {_esc(f["unit"])}',
                    _link(f["url"], f["source"] or f["title"] or "—"),
                ]
                for f in facts[:MAX_FIGURE_ROWS]
            ],
            "facts",
        )
        if facts
        else '<p class="muted">لا أرقام منسوبة إلى جهة اليوم.</p>'
    )
    figs = data["figures"]
    parts.append(f'</section><section id="figures"><h2>الأرقام الاقتصادية ({t["figures"]:,})</h2>')
    parts.append(f'<p class="muted note">{_esc(SHOWN_NOTE)}</p>')
    if len(figs) > MAX_FIGURE_ROWS:
        parts.append(f'<p class="muted">أول {MAX_FIGURE_ROWS} منها هنا؛ البقية في figures.csv.</p>')
    parts.append(
        _table(
            ["المؤشر", "القيمة", "الوحدة", "الاتجاه", "الكيانات", "المقال"],
            [
                [
                    _esc(f["metric"] or "—"),
                    f'<bdi class="num">{_esc(format_value(f["value"], f["kind"]))}</bdi>',
                    _esc(f["unit"]),
                    _esc(DIRECTION.get(f["direction"] or "", "")),
                    _esc("، ".join(f["entities"])),
                    _link(f["url"], f["title"] or f["article_id"]) + f"<br><code>{_esc(f['article_id'])}</code>",
                ]
                for f in figs[:MAX_FIGURE_ROWS]
            ],
            "figures",
        )
    )
    new = data["new_entities"]
    parts.append(f'</section><section id="new"><h2>كيانات جديدة ({len(new)})</h2>')
    parts.append(
        "<ul>"
        + "".join(
            f"<li>{_esc(e['display_name'])} "
            f'<span class="muted">({_esc(TYPES.get(e["entity_type"], e["entity_type"]))}، '
            f"{e['mentions']} إشارة)</span> <code>{_esc(e['canonical_id'])}</code></li>"
            for e in new
        )
        + "</ul>"
        if new
        else '<p class="muted">لا كيانات جديدة.</p>'
    )
    src = data["sources"]
    parts.append('</section><section id="sources"><h2>المصادر</h2>')
    parts.append(bar_chart([(s["source"], s["articles"]) for s in src if s["articles"]], "المقالات حسب المصدر"))
    parts.append(
        _table(
            ["المصدر", "المقالات", "مرفوضة", "الكيانات", "الأرقام"],
            [
                [
                    _esc(s["source"]),
                    f"{s['articles']:,}",
                    f"{s['rejects']:,}",
                    f"{s['entities']:,}",
                    f"{s['figures']:,}",
                ]
                for s in src
            ],
        )
    )
    parts.append("<h3>أسباب الرفض</h3>")
    reasons = data["rejects_by_reason"]
    parts.append(
        _table(["السبب", "العدد"], [[f"<code>{_esc(k)}</code>", f"{v:,}"] for k, v in reasons.items()])
        if reasons
        else '<p class="muted">لا سجلات مرفوضة.</p>'
    )
    parts.append("</section><footer>khabar · summary.json · figures.csv</footer></body></html>\n")
    return "".join(parts)


_CSV_COLUMNS = [
    "dt",
    "article_id",
    "title",
    "source",
    "url",
    "metric",
    "kind",
    "value",
    "unit",
    "direction",
    "figure_text",
    "entities",
    "entity_ids",
]


def _csv_cell(f: dict[str, Any], c: str) -> Any:
    if c == "value" and f[c] is not None:
        return repr(f[c])
    if c in ("entities", "entity_ids"):
        return "; ".join(f[c])
    return f[c]


def render_csv(figures: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(_CSV_COLUMNS)
    for f in figures:
        w.writerow([_csv_cell(f, c) for c in _CSV_COLUMNS])
    return buf.getvalue().encode("utf-8-sig")  # BOM: spreadsheets then read Arabic right


@dataclass(frozen=True, slots=True)
class ReportFile:
    name: str
    body: bytes
    content_type: str


def render_report(lake: Lake, day: str, engine: Engine) -> dict[str, ReportFile]:
    """index.html, summary.json and figures.csv of `day`, keyed by kind (html, json, csv)."""
    data = report_data(lake, day, engine)
    summary = {k: v for k, v in data.items() if k != "figures"}
    return {
        "html": ReportFile("index.html", render_html(data).encode("utf-8"), "text/html; charset=utf-8"),
        "json": ReportFile(
            "summary.json",
            json.dumps(summary, ensure_ascii=False, indent=1).encode("utf-8"),
            "application/json; charset=utf-8",
        ),
        "csv": ReportFile("figures.csv", render_csv(data["figures"]), "text/csv; charset=utf-8"),
    }


def write_files(files: Mapping[str, ReportFile], out_dir: Path) -> dict[str, Path]:
    """Write rendered report files into `out_dir`; returns their paths by kind."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {kind: out / f.name for kind, f in files.items()}
    for kind, f in files.items():
        paths[kind].write_bytes(f.body)
    return paths


def write_report(lake: Lake, day: str, out_dir: Path, engine: Engine) -> dict[str, Path]:
    """Write index.html, summary.json and figures.csv for `day` into `out_dir`; returns their paths."""
    return write_files(render_report(lake, day, engine), out_dir)
