"""The lake's partitions and the local Athena engine over them."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from khabar.lake.query import LocalAthena, QueryError, format_result, transpile
from khabar.lake.store import Lake, safe_dt, upload_stem


def _articles(lake: Lake, dt: str, stem: str, ids: list[str], source: str) -> str:
    w = lake.writer("articles", dt, stem, 0)
    w.write_rows([{"article_id": i, "source": source, "title": "t", "body": "نص", "n_chars": 2} for i in ids])
    return w.close()


def test_partitions_are_hive_style_and_zstd(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    path = _articles(lake, "2026-11-28", upload_stem("b", "k.jsonl"), ["a1", "a2"], "src")
    assert path.startswith(f"{tmp_path}/articles/dt=2026-11-28/part-")
    meta = pq.ParquetFile(path).metadata
    assert meta.num_rows == 2 and meta.row_group(0).column(0).compression == "ZSTD"
    assert "dt" not in pq.read_schema(path).names
    assert not list(tmp_path.rglob("*.tmp-*"))


def test_stale_parts_of_an_upload_are_removed(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    stem = upload_stem("b", "k")
    first = [_articles(lake, "2026-11-28", stem, ["a"], "s")]
    w = lake.writer("articles", "2026-11-28", stem, 1)
    w.write_rows([{"article_id": "b"}])
    first.append(w.close())
    other = _articles(lake, "2026-11-28", upload_stem("b", "other"), ["c"], "s")
    assert lake.remove_stale("articles", "2026-11-28", stem, keep=first[:1]) == 1
    assert lake.parts("articles", "2026-11-28") == sorted([first[0], other])


@pytest.mark.parametrize("bad", ["2026-1-1", "../x", "2026-11-28/../../etc", "dt=2026-11-28"])
def test_partition_values_are_validated(bad: str) -> None:
    with pytest.raises(ValueError):
        safe_dt(bad)


def test_local_athena_runs_athena_sql_with_dt_as_string(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    _articles(lake, "2026-11-27", upload_stem("b", "s1"), ["a", "b"], "وكالة")
    _articles(lake, "2026-11-28", upload_stem("b", "s2"), ["c"], "وكالة")
    engine = LocalAthena(lake)
    sql = (
        "SELECT dt, typeof(dt) AS t, count(*) AS n, approx_distinct(article_id) AS ids FROM articles "
        "WHERE date_parse(dt, '%Y-%m-%d') >= date_add('day', -1, date '2026-11-28') GROUP BY dt ORDER BY dt"
    )
    cols, rows = engine.execute(sql)
    assert cols == ["dt", "t", "n", "ids"]
    assert rows == [("2026-11-27", "VARCHAR", 2, 2), ("2026-11-28", "VARCHAR", 1, 1)]
    _, rows = engine.execute("SELECT count(*) FROM articles WHERE dt = ?", ["2026-11-28"])
    assert rows == [(1,)]
    _, rows = engine.execute("SELECT count(*) FROM figures")  # no files yet: an empty, typed table
    assert rows == [(0,)]


def test_query_errors_are_clear() -> None:
    with pytest.raises(QueryError, match="one SQL statement"):
        transpile("SELECT 1; SELECT 2")


def test_format_result_table_csv_json() -> None:
    cols, rows = ["a", "b"], [("x", 1.5), ("yy", None)]
    assert format_result(cols, rows).splitlines()[0] == "a  | b  "
    assert format_result(cols, rows, "csv") == "a,b\nx,1.5\nyy,"
    assert format_result(cols, rows, "json").splitlines()[1] == '{"a": "yy", "b": null}'
