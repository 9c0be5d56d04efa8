"""The nightly report: data equal to independent counts, escaping, and rendering in headless Chromium."""

from __future__ import annotations

import csv
import json
import os
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

import aggregate_lake as gen
from khabar.cli import main as cli_main
from khabar.lake.schema import schema
from khabar.lake.store import Lake
from khabar.nightly.job import run_nightly
from khabar.nightly.local import LocalEngine
from khabar.nightly.report import format_value, render_html, report_data, write_report

CHROMIUM = "/usr/bin/chromium"
DAY = gen.LAST


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
    day_facts = [f for f in g.day(DAY, "figures") if f["subject_id"]]
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
    assert len(rows) == len(g.day(DAY, "figures"))
    assert sorted(float(r["value"]) for r in rows) == sorted(f["value"] for f in g.day(DAY, "figures"))
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
    assert dom.count("<tr>") >= len(g.day(DAY, "figures"))
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
