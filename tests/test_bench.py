"""The benchmark command runs and reports every stage (numbers are measured, never asserted)."""

from __future__ import annotations

import json

import pytest

from khabar.cli import main
from khabar.local.bench import load_corpus


def test_corpus_is_repeated_to_the_requested_size() -> None:
    bodies, where = load_corpus(50_000)
    assert sum(len(b.encode("utf-8")) for b in bodies) >= 50_000 and "articles" in where


def test_bench_json_has_every_stage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--mb", "0.03", "--runs", "1", "--init-runs", "1", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert set(r["stages"]) == {"normalise", "figures", "entities", "full_extract", "full_extract_write"}
    assert all(s["mb_per_s"] > 0 and s["articles_per_s"] > 0 for s in r["stages"].values())
    assert r["cold_start"]["import_s"] > 0 and r["peak_rss_mb"] > 0 and r["parquet_bytes_per_article"] > 0


def test_bench_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--mb", "0.02", "--runs", "1", "--init-runs", "0"]) == 0
    out = capsys.readouterr().out
    assert "full_extract_write" in out and "MB/s" in out and "peak RSS" in out
