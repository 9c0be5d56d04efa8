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


def test_path_column_names_each_rows_file_only_when_asked(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    a = _articles(lake, "2026-11-27", upload_stem("b", "s1"), ["a", "b"], "x")
    c = _articles(lake, "2026-11-28", upload_stem("b", "s2"), ["c"], "y")
    engine = LocalAthena(lake, tables=["articles"], paths=True)
    _, rows = engine.execute('SELECT article_id, dt, "$path" FROM articles ORDER BY article_id')
    assert rows == [("a", "2026-11-27", a), ("b", "2026-11-27", a), ("c", "2026-11-28", c)]
    _, rows = engine.execute('SELECT count(*) FROM articles WHERE "$path" = ?', [c])
    assert rows == [(1,)]
    # Athena's SELECT * does not return the hidden column, and neither do the default views
    cols, _ = LocalAthena(lake, tables=["articles"]).execute("SELECT * FROM articles")
    assert "$path" not in cols and cols[-1] == "dt"


def test_register_folder_reads_hive_partitions_as_strings(tmp_path: Path) -> None:
    import pyarrow as pa

    lake = Lake.open(str(tmp_path))
    folder = f"{tmp_path}/_control/ctl"
    for run, refs in (("aa11", ["x", "y"]), ("bb22", ["z"])):
        (tmp_path / "_control" / "ctl" / "dt=2026-11-28" / f"run={run}").mkdir(parents=True)
        pq.write_table(pa.table({"ref": refs}), f"{folder}/dt=2026-11-28/run={run}/part-00000.parquet")
    engine = LocalAthena(lake, tables=[])
    engine.register_folder("ctl", folder, pa.schema([("ref", pa.string())]), ("dt", "run"))
    _, rows = engine.execute("SELECT ref FROM ctl WHERE dt = ? AND run = ? ORDER BY ref", ["2026-11-28", "aa11"])
    assert rows == [("x",), ("y",)]
    engine.register_folder("none", f"{tmp_path}/_control/missing", pa.schema([("ref", pa.string())]), ("dt",))
    assert engine.execute("SELECT count(*) FROM none")[1] == [(0,)]


def test_unload_streams_rows_into_one_folder_per_partition_value(tmp_path: Path) -> None:
    import pyarrow as pa

    lake = Lake.open(str(tmp_path))
    engine = LocalAthena(lake, tables=[])
    query = (
        "SELECT x, CAST(x AS varchar) AS s, lpad(CAST(ntile(?) OVER (ORDER BY x) AS varchar), 5, '0') AS bucket"
        " FROM (SELECT x FROM UNNEST(sequence(0, 9)) AS t(x)) ORDER BY x"
    )
    sch = pa.schema([("x", pa.int64()), ("s", pa.string())])
    files = engine.unload(query, [3], f"{tmp_path}/_staging/t", partitioned_by="bucket", sch=sch)
    assert [f.split("/_staging/t/")[1] for f in files] == [f"bucket=0000{b}/part-00000.parquet" for b in (1, 2, 3)]
    parts = [pq.read_table(f) for f in files]
    assert all(t.schema == sch for t in parts)
    assert [v for t in parts for v in t.column("x").to_pylist()] == list(range(10))  # ranges, in order
    with pytest.raises(QueryError, match="not empty"):
        engine.unload(query, [3], f"{tmp_path}/_staging/t", partitioned_by="bucket")
