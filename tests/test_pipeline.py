"""The domain function: one upload → lake partitions + ledger, idempotent and conserving."""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from khabar.config import Limits
from khabar.lake.query import LocalAthena
from khabar.lake.store import Lake
from khabar.models import Upload
from khabar.pipeline import article_id, process_upload

DAY = datetime(2026, 11, 28, 21, 4, tzinfo=UTC)
BODY = "أعلنت وزارة المالية في الأردن أن الإيرادات ارتفعت بنسبة 7 بالمائة إلى 9 مليارات دينار أردني."


def _jsonl(n: int, body: str = BODY, start: int = 0) -> bytes:
    # Bodies cycle through ten variants: word caches stay warm, so memory measures the pipeline.
    return "".join(
        json.dumps({"id": f"n{i}", "title": "t", "body": f"{body} رقم {i % 10}"}, ensure_ascii=False) + "\n"
        for i in range(start, start + n)
    ).encode()


def _snapshot(root: Path) -> dict[str, list]:
    """Every data file and its rows (manifests excluded: they record processing time)."""
    out = {}
    for p in sorted(root.rglob("*.parquet")):
        if "manifests" not in p.parts:
            out[str(p.relative_to(root))] = pq.read_table(p).to_pylist()
    return out


def test_ledger_balances_and_rows_land(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    data = _jsonl(3) + b"{oops\n"
    ledger = process_upload(Upload("raw", "in/a.jsonl", "e1", size=len(data), modified=DAY), io.BytesIO(data), lake)
    assert (ledger.articles_in, ledger.articles_out, ledger.rejects) == (4, 3, 1)
    assert ledger.dt == "2026-11-28" and ledger.conserved and ledger.figures >= 6
    engine = LocalAthena(lake)
    _, rows = engine.execute("SELECT DISTINCT unit FROM figures WHERE kind = 'money'")
    assert rows == [("JOD",)]
    _, rows = engine.execute("SELECT count(DISTINCT article_id), min(ingested_at) FROM articles")
    assert rows[0][0] == 3 and rows[0][1] == DAY


@pytest.mark.parametrize("deliveries", [1, 3])
def test_replays_give_an_identical_lake(tmp_path: Path, deliveries: int) -> None:
    lake = Lake.open(str(tmp_path / "lake"))
    up = Upload("raw", "in/a.jsonl", "e1", modified=DAY)
    process_upload(up, io.BytesIO(_jsonl(5)), lake)
    first = _snapshot(tmp_path / "lake")
    for _ in range(deliveries):
        process_upload(up, io.BytesIO(_jsonl(5)), lake)
    assert _snapshot(tmp_path / "lake") == first


def test_reupload_with_new_content_replaces_old_rows(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    limits = Limits(articles_per_file=2, rows_per_group=1)
    process_upload(Upload("raw", "k.jsonl", "v1", modified=DAY), io.BytesIO(_jsonl(5) + b"bad\n"), lake, limits)
    assert len(lake.parts("articles", "2026-11-28")) == 3  # capped at 2 articles per file
    process_upload(Upload("raw", "k.jsonl", "v2", modified=DAY), io.BytesIO(_jsonl(2, start=10)), lake, limits)
    _, rows = LocalAthena(lake).execute("SELECT source_etag, count(*) FROM articles GROUP BY 1")
    assert rows == [("v2", 2)]
    assert lake.parts("rejects", "2026-11-28") == []  # the old upload's reject is gone too
    assert len(lake.parts("articles", "2026-11-28")) == 1


def test_duplicate_ids_in_one_upload_are_rejected(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    ledger = process_upload(Upload("raw", "d.jsonl", modified=DAY), io.BytesIO(_jsonl(2) + _jsonl(1)), lake)
    assert (ledger.articles_out, ledger.reject_reasons) == (2, {"duplicate_id": 1})


def test_article_ids_are_deterministic_and_scoped_to_the_upload() -> None:
    from khabar.models import Article

    a = Article(title="", body="x", id="7", locator="line 1")
    assert article_id(Upload("b", "k"), a) == article_id(Upload("b", "k", "other-etag"), a)
    assert article_id(Upload("b", "k"), a) != article_id(Upload("b", "k2"), a)
    assert len(article_id(Upload("b", "k"), a)) == 24


class _GzipJsonlStream(io.RawIOBase):
    """A gzip JSONL upload produced on the fly, so the input never sits in memory whole."""

    def __init__(self, n: int) -> None:
        self._lines: Iterator[bytes] = (_jsonl(1, start=i) for i in range(n))
        self._z = zlib.compressobj(6, zlib.DEFLATED, 31)
        self._buf = b""
        self._end = False

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        while len(self._buf) < len(b) and not self._end:
            line = next(self._lines, None)
            if line is None:
                self._buf += self._z.flush()
                self._end = True
            else:
                self._buf += self._z.compress(line)
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def _peak(tmp: Path, n: int) -> int:
    lake = Lake.open(str(tmp))
    limits = Limits(rows_per_group=100, articles_per_file=500)
    tracemalloc.start()
    ledger = process_upload(Upload("raw", "big.jsonl.gz", modified=DAY), _GzipJsonlStream(n), lake, limits)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert ledger.articles_out == n
    return peak


def test_memory_does_not_grow_with_upload_size(tmp_path: Path) -> None:
    _peak(tmp_path / "warm", 600)  # load models, lexicons and caches first
    small = _peak(tmp_path / "s", 1500)
    large = _peak(tmp_path / "l", 6000)
    # 4× the articles (both rotate part files): the peak stays within the row-group buffers plus
    # the duplicate-id set (≤ 150 bytes per article with an uploader id, set resizing included), not the upload size.
    assert large - small < (6000 - 1500) * 150, (small, large)


def test_gzip_stream_sanity() -> None:
    data = _GzipJsonlStream(3).read()
    assert gzip.decompress(data) == _jsonl(3)


def test_reprocessing_after_nightly_compaction_does_not_duplicate(tmp_path: Path) -> None:
    from khabar.lake import compaction
    from khabar.nightly.job import run_nightly
    from khabar.nightly.local import LocalEngine

    lake = Lake.open(str(tmp_path))
    for key in ("a.jsonl", "b.jsonl"):
        process_upload(Upload("raw", key, "v1", modified=DAY), io.BytesIO(_jsonl(4)), lake)
    compaction.compact_day(lake, "2026-11-28", LocalEngine(lake))
    assert all(p.rsplit("/", 1)[1].startswith("part-compacted-") for p in lake.parts("articles", "2026-11-28"))
    compacted = lake.parts("articles", "2026-11-28")
    # WHEN one upload is re-processed (a retry, or a new version of the key) after compaction
    process_upload(Upload("raw", "a.jsonl", "v2", modified=DAY), io.BytesIO(_jsonl(3)), lake)
    # THEN the extract path leaves the compacted files alone (it never loads them) and marks the day;
    # readers see the upload's old and new rows until the night compacts the day again (documented)
    assert set(compacted) <= set(lake.parts("articles", "2026-11-28"))
    assert compaction.marked_days(lake) == ["2026-11-28"]
    query = "SELECT source_key, source_etag, count(*) FROM articles GROUP BY 1, 2 ORDER BY 1, 2"
    _, rows = LocalAthena(lake).execute(query)
    assert rows == [("a.jsonl", "v1", 4), ("a.jsonl", "v2", 3), ("b.jsonl", "v1", 4)]
    # WHEN the next night runs (for a later day) with compaction
    result = run_nightly(lake, "2026-11-29", LocalEngine(lake), compact=True)
    # THEN the marked day was compacted: the upload's new rows only, no duplicate entity
    assert set(result.recompacted) == {"2026-11-28"} and compaction.marked_days(lake) == []
    _, rows = LocalAthena(lake).execute(query)
    assert rows == [("a.jsonl", "v2", 3), ("b.jsonl", "v1", 4)]
    _, rows = LocalAthena(lake).execute(
        "SELECT count(*) - count(DISTINCT article_id || CAST(start AS varchar)) FROM entities"
    )
    assert rows == [(0,)]


def test_reupload_on_another_day_moves_the_rows(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    process_upload(Upload("raw", "k.jsonl", "v1", modified=DAY), io.BytesIO(_jsonl(3) + b"bad\n"), lake)
    later = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    process_upload(Upload("raw", "k.jsonl", "v2", modified=later), io.BytesIO(_jsonl(2)), lake)
    _, rows = LocalAthena(lake).execute(
        "SELECT dt, source_etag, count(*) FROM articles GROUP BY 1, 2 UNION ALL "
        "SELECT dt, 'rejects', count(*) FROM rejects GROUP BY 1 UNION ALL "
        "SELECT dt, 'manifests', count(*) FROM manifests GROUP BY 1 ORDER BY 1, 2"
    )
    assert rows == [("2026-12-02", "manifests", 1), ("2026-12-02", "v2", 2)]
