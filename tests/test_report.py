"""The nightly report: data equal to independent counts, escaping, bounded reads (only the figures
shown, by SQL), and rendering in headless Chromium."""

from __future__ import annotations

import csv
import json
import os
import shutil
import struct
import subprocess
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import aggregate_lake as gen
from khabar import sql
from khabar.cli import main as cli_main
from khabar.lake.schema import schema
from khabar.lake.store import Lake
from khabar.nightly.job import run_nightly
from khabar.nightly.local import LocalEngine
from khabar.nightly.report import (
    FACTS_NOTE,
    SHOWN_NOTE,
    TOP_FIGURES,
    format_value,
    render_html,
    render_report,
    report_data,
    write_report,
)

CHROMIUM = "/usr/bin/chromium"
DAY = gen.LAST


def _top(figs: list[dict[str, Any]], key: Callable[[dict[str, Any]], Hashable]) -> list[dict[str, Any]]:
    """Independently of the SQL: the TOP_FIGURES largest values of each group (ties by article, offset)."""
    groups: dict[Hashable, list[dict[str, Any]]] = defaultdict(list)
    for f in figs:
        groups[key(f)].append(f)
    order = lambda f: (-f["value"], f["article_id"], f["start"], f["figure_text"])  # noqa: E731
    return [f for g in groups.values() for f in sorted(g, key=order)[:TOP_FIGURES]]


def _shown(figs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return _top(figs, lambda f: (f["metric"], f["kind"], f["unit"]))


def _shown_facts(figs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return _top([f for f in figs if f["subject_id"]], lambda f: (f["subject_id"], f["metric"], f["kind"], f["unit"]))


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium, installed on first use when missing (needs root and the network)."""
    if not os.path.exists(CHROMIUM):
        if shutil.which("apt-get") is None or os.geteuid() != 0:
            if os.environ.get("CI"):  # in CI a missing browser is a failure, never a silent skip
                pytest.fail("chromium missing and cannot be installed (needs root and apt-get)")
            pytest.skip("chromium missing and cannot be installed here (apt-get install -y chromium)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update"], check=True, env=env, capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "chromium"], check=True, env=env, capture_output=True, timeout=900)
    return CHROMIUM


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> tuple[gen.GenLake, dict[str, Path]]:
    g = gen.build(str(tmp_path_factory.mktemp("lake")))
    for dt in gen.DAYS:
        run_nightly(g.lake, dt, LocalEngine(g.lake))
    return g, write_report(g.lake, DAY, tmp_path_factory.mktemp("report"), LocalEngine(g.lake))


def test_summary_json_matches_the_lake(reported: tuple[gen.GenLake, dict[str, Path]]) -> None:
    g, paths = reported
    s = json.loads(paths["json"].read_text(encoding="utf-8"))
    t = s["totals"]
    assert t["articles"] == len(g.day(DAY, "articles"))
    assert t["figures"] == len(g.day(DAY, "figures"))
    assert t["entity_mentions"] == len(g.day(DAY, "entities"))
    assert t["rejects"] == len(g.day(DAY, "rejects"))
    assert s["rejects_by_reason"] == dict(Counter(r["reason"] for r in g.day(DAY, "rejects")))
    assert [e["canonical_id"] for e in s["new_entities"]] == ["org:newbank"]
    # change vs the previous 7 days, computed independently
    prev = Counter(e["canonical_id"] for d in gen.DAYS[-8:-1] for e in g.day(d, "entities"))
    today = Counter(e["canonical_id"] for e in g.day(DAY, "entities"))
    for etype, rows in s["top_entities"].items():
        assert [r["mentions"] for r in rows] == sorted((r["mentions"] for r in rows), reverse=True)
        for r in rows:
            cid = r["canonical_id"]
            assert r["mentions"] == today[cid] and r["prev7_avg"] == pytest.approx(prev[cid] / 7, abs=0.01)
            if prev[cid]:
                assert r["change_pct"] == pytest.approx(100 * (today[cid] - prev[cid] / 7) / (prev[cid] / 7), abs=0.1)
            else:
                assert r["change_pct"] is None
        assert etype in ("PERSON", "ORGANIZATION", "LOCATION")


def test_facts_by_subject(reported: tuple[gen.GenLake, dict[str, Path]]) -> None:
    g, paths = reported
    s = json.loads(paths["json"].read_text(encoding="utf-8"))
    day_facts = _shown_facts(g.day(DAY, "figures"))
    assert day_facts, "the generated lake has figures with a subject"
    assert sorted((f["subject_id"], f["value"]) for f in s["facts"]) == sorted(
        (f["subject_id"], f["value"]) for f in day_facts
    )
    assert all(f["subject"] and f["source"] for f in s["facts"])  # who, and which source
    assert [f["subject"] for f in s["facts"]] == sorted(f["subject"] for f in s["facts"])
    html = paths["html"].read_text(encoding="utf-8")
    facts = html.split('<section id="facts">', 1)[1].split("</section>", 1)[0]
    assert facts.count("<tr>") == len(day_facts) + 1  # a header row, then one row per fact
    for f in s["facts"]:
        assert f["subject"] in facts and (f["period"] is None or f["period"] in facts)


def test_figures_csv(reported: tuple[gen.GenLake, dict[str, Path]]) -> None:
    g, paths = reported
    with paths["csv"].open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    shown = _shown(g.day(DAY, "figures"))
    assert len(rows) == len(shown)
    assert sorted(float(r["value"]) for r in rows) == sorted(f["value"] for f in shown)
    assert {r["article_id"] for r in rows} <= {a["article_id"] for a in g.day(DAY, "articles")}


def test_html_is_arabic_rtl_self_contained(reported: tuple[gen.GenLake, dict[str, Path]]) -> None:
    page = reported[1]["html"].read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in page and 'name="viewport"' in page
    assert "<svg" in page and "<style>" in page
    assert "src=" not in page and "<link" not in page and "@import" not in page  # no external assets


def test_all_text_is_escaped(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    evil = '<script>alert("x")</script>'
    row = {
        "canonical_id": "org:x",
        "entity_type": "ORGANIZATION",
        "display_name": evil,
        "country_code": None,
        "mentions": 3,
        "articles": 1,
        "sources": 1,
    }
    lake.write_table(
        "entity_daily",
        f"{lake.partition_dir('entity_daily', DAY)}/part-summary-00000.parquet",
        pa.Table.from_pylist([row], schema=schema("entity_daily")),
    )
    page = render_html(report_data(lake, DAY, LocalEngine(lake)))
    assert evil not in page and "&lt;script&gt;" in page


def _one_day_lake(root: Path, n_trade: int) -> Lake:
    """One day: `n_trade` trade figures (USD, values 1..n, all about Egypt), 3 of exports, 2 rejects."""
    lake = Lake.open(str(root))
    stem = "abcdef0123456789abcdef01"
    arts = [
        {
            "article_id": f"a{i:03d}",
            "source_bucket": "raw",
            "source_key": "k.jsonl",
            "source_etag": "e",
            "record_locator": f"line {i + 1}",
            "title": f"خبر {i}",
            "source": "واس",
            "published": DAY,
            "url": f"https://news.example/a{i:03d}",
            "body": "نص",
            "language": "ar",
            "n_chars": 2,
            "extractor_version": "test",
            "ingested_at": None,
        }
        for i in range(n_trade)
    ]
    figs = [
        {
            "article_id": f"a{i:03d}",
            "figure_text": f"{v} مليار دولار",
            "kind": "money",
            "value": v * 1e9,
            "unit": "USD",
            "metric": metric,
            "direction": None,
            "start": 5,
            "end": 9,
            "sentence_index": 0,
            "related_ids": ["country:EG"],
            "range_role": None,
            "subject_id": "country:EG" if metric == "trade" else None,
            "subject_text": "مصر",
            "period": "2026-10",
            "period_start": None,
            "period_end": None,
            "period_text": None,
        }
        for metric, n in (("trade", n_trade), ("exports", 3))
        for i, v in ((i, float(i + 1)) for i in range(n))
    ]
    rejects = [
        {
            "source_bucket": "raw",
            "source_key": "k.jsonl",
            "source_etag": "e",
            "record_locator": f"line {900 + r}",
            "reason": reason,
            "detail": "x",
            "raw_excerpt": "{",
            "extractor_version": "test",
            "ingested_at": None,
        }
        for r, reason in enumerate(["empty_body", "malformed_json", "empty_body"])
    ]
    for table, rows in (("articles", arts), ("figures", figs), ("rejects", rejects)):
        w = lake.writer(table, DAY, stem, 0)
        w.write_rows(rows)
        w.close()
    run_nightly(lake, DAY, LocalEngine(lake))
    return lake


def test_only_the_top_figures_of_each_metric_are_listed(tmp_path: Path) -> None:
    # GIVEN a day with more figures of one metric than the report lists
    n = TOP_FIGURES + 7
    lake = _one_day_lake(tmp_path / "lake", n)
    # WHEN the report is rendered
    files = render_report(lake, DAY, LocalEngine(lake))
    data = report_data(lake, DAY, LocalEngine(lake))
    # THEN only the TOP_FIGURES largest trade values are listed, largest first; exports all three
    trade = [f for f in data["figures"] if f["metric"] == "trade"]
    assert [f["value"] for f in trade] == [float(v) * 1e9 for v in range(n, n - TOP_FIGURES, -1)]
    assert [f["value"] for f in data["figures"] if f["metric"] == "exports"] == [3e9, 2e9, 1e9]
    assert all(f["title"] and f["source"] == "واس" and f["url"] for f in data["figures"])
    # ... the facts are limited the same way (per subject and metric)
    assert len(data["facts"]) == TOP_FIGURES and {f["subject"] for f in data["facts"]} == {"مصر"}
    assert min(f["value"] for f in data["facts"]) == float(n - TOP_FIGURES + 1) * 1e9
    # ... while the totals count every figure of the day, and the rejects are counted by reason
    assert data["totals"]["figures"] == n + 3
    assert data["rejects_by_reason"] == {"empty_body": 2, "malformed_json": 1}
    summary = json.loads(files["json"].body)
    assert summary["totals"]["figures"] == n + 3 and summary["top_figures"] == TOP_FIGURES
    assert len(summary["facts"]) == TOP_FIGURES
    rows = list(csv.DictReader(files["csv"].body.decode("utf-8-sig").splitlines()))
    assert len(rows) == TOP_FIGURES + 3
    page = files["html"].body.decode("utf-8")
    assert SHOWN_NOTE in page and FACTS_NOTE in page and f"({n + 3:,})" in page
    # ... and a second run gives the same bytes
    assert {k: f.body for k, f in render_report(lake, DAY, LocalEngine(lake)).items()} == {
        k: f.body for k, f in files.items()
    }


def test_report_never_reads_the_days_rows_into_python(
    reported: tuple[gen.GenLake, dict[str, Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a lake whose day-sized tables cannot be read into Python
    g, paths = reported
    real = Lake.read
    read: list[str] = []

    def guarded(self: Lake, table: str, *args: Any, **kwargs: Any) -> Any:
        read.append(table)
        if table in ("figures", "articles", "rejects", "entities"):
            raise AssertionError(f"the report read {table} into Python")
        return real(self, table, *args, **kwargs)

    monkeypatch.setattr(Lake, "read", guarded)
    # WHEN the report is built, THEN it reads only the summaries, and is the same report
    files = render_report(g.lake, DAY, LocalEngine(g.lake))
    assert set(read) <= {"entity_daily", "source_daily", "figure_daily"}
    assert files["json"].body == paths["json"].read_bytes()


def test_report_sql_keeps_top_figures_and_parses_as_athena() -> None:
    import sqlglot

    assert "report" in sql.JOB_KINDS and sql.names("report") == ["figures_shown", "rejects_by_reason"]
    for name in sql.names("report"):
        stmt = sql.load("report", name)
        assert len(sqlglot.parse(stmt.sql, read="athena")) == 1 and set(stmt.params) == {"dt"}
    text = sql.load("report", "figures_shown").sql
    assert text.count(f"<= {TOP_FIGURES}") == 4 and text.count("<= ") == 4


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (83.7e9, "money", "83.7 مليار"),
        (2.0, "percent", "2%"),
        (1.5e12, "money", "1.5 تريليون"),
        (12_500_000, "money", "12.5 مليون"),
        (950.0, "quantity", "950"),
        (None, "money", "—"),
    ],
)
def test_format_value(value: float | None, kind: str, text: str) -> None:
    assert format_value(value, kind) == text


def test_cli_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gen.build(str(tmp_path / "lake"), days=gen.DAYS[:1])
    lake_dir = str(tmp_path / "lake")
    assert cli_main(["aggregate", "--lake", lake_dir, "--date", gen.DAYS[0]]) == 0
    capsys.readouterr()
    assert cli_main(["report", "--lake", lake_dir, "--date", gen.DAYS[0], "--out", str(tmp_path / "r")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert Path(out["html"]).is_file() and Path(out["json"]).is_file() and Path(out["csv"]).is_file()


# ---- headless Chromium ------------------------------------------------------------------------


def _png_pixels(data: bytes) -> tuple[int, int, int, bytes]:
    """Decode an 8-bit RGB/RGBA PNG with the standard library: (width, height, channels, raw pixels)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, ihdr = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = body
        elif kind == b"IDAT":
            idat += body
    width, height, depth, color = struct.unpack(">IIBB", ihdr[:10])
    assert depth == 8 and color in (2, 6), (depth, color)
    ch = 4 if color == 6 else 3
    raw, stride = zlib.decompress(idat), width * ch
    out, prev = bytearray(), bytearray(stride)
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - ch] if i >= ch else 0
            b, c = prev[i], prev[i - ch] if i >= ch else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa_, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa_ <= pb and pa_ <= pc else b if pb <= pc else c)) & 255
        out += line
        prev = line
    return width, height, ch, bytes(out)


def _chromium(binary: str, args: list[str], tmp: Path) -> subprocess.CompletedProcess[str]:
    cmd = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp / 'profile'}",
        "--window-size=412,1800",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)


def test_report_renders_in_headless_chromium(
    chromium: str, reported: tuple[gen.GenLake, dict[str, Path]], tmp_path: Path
) -> None:
    g, paths = reported
    url = paths["html"].resolve().as_uri()
    dom = _chromium(chromium, ["--dump-dom", url], tmp_path).stdout
    s = json.loads(paths["json"].read_text(encoding="utf-8"))
    t = s["totals"]
    for key in ("articles", "figures", "entity_mentions", "rejects"):
        assert f'data-key="{key}"><div class="big num">{t[key]:,}</div>' in dom, key
    for row in s["top_entities"]["ORGANIZATION"]:
        assert row["display_name"] in dom
    assert "بنك التنمية الجديد" in dom  # the new entity
    assert "مليار" in dom  # money figures formatted with their scale word
    assert dom.count("<tr>") >= len(_shown(g.day(DAY, "figures")))
    assert 'id="facts"' in dom and "حقائق اليوم حسب الجهة" in dom  # the facts section renders

    shot = tmp_path / "shot.png"
    _chromium(chromium, [f"--screenshot={shot}", url], tmp_path)
    w, h, ch, px = _png_pixels(shot.read_bytes())
    assert (w, h) == (412, 1800)
    lum = [(px[i] * 299 + px[i + 1] * 587 + px[i + 2] * 114) // 1000 for i in range(0, len(px), ch * 7)]
    mean = sum(lum) / len(lum)
    variance = sum((v - mean) ** 2 for v in lum) / len(lum)
    assert variance > 100, f"screenshot looks blank (luminance variance {variance:.1f})"
    assert len(set(lum)) > 20
