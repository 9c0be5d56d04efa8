"""The lake's file operations that callers outside `khabar.lake` use instead of its filesystem."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from khabar.lake import layout
from khabar.lake.schema import schema
from khabar.lake.store import Lake

DAY = "2026-11-28"


def _rows(n: int) -> pa.Table:
    return pa.Table.from_pylist([{"source": f"s{i}", "articles": i} for i in range(n)], schema=schema("source_daily"))


def test_small_json_round_trip_and_absent(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    path = lake.pointer_path(layout.upload_stem("b", "k"))
    assert lake.read_json(path) is None
    lake.write_json(path, {"dt": DAY})
    assert lake.read_json(path) == {"dt": DAY}
    assert Path(path).read_bytes() == b'{"dt": "2026-11-28"}'  # the pointer's bytes as before
    assert not list(tmp_path.rglob("*.tmp-*"))
    Path(path).write_text("{broken")
    with pytest.raises(ValueError):
        lake.read_json(path)


def test_replace_partition_days_and_column_reads(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    stray = f"{lake.partition_dir('source_daily', DAY)}/part-old-00000.parquet"
    lake.write_table("source_daily", stray, _rows(1))
    written = lake.replace_partition("source_daily", DAY, _rows(3))
    assert written is not None and written.endswith("/dt=2026-11-28/part-summary-00000.parquet")
    assert lake.parts("source_daily", DAY) == [written]
    lake.replace_partition("source_daily", "2026-11-27", _rows(2))
    assert [layout.dt_of(x) for x in lake.parts("source_daily")] == ["2026-11-27", DAY]
    assert lake.read("source_daily", DAY, columns=["source"]).to_pylist() == [{"source": f"s{i}"} for i in range(3)]
    assert lake.read("source_daily", "2026-01-01", columns=["articles"]).column_names == ["articles"]
    assert lake.replace_partition("source_daily", DAY, _rows(0)) is None
    assert lake.parts("source_daily", DAY) == []
    assert [layout.dt_of(x) for x in lake.parts("source_daily")] == ["2026-11-27"]


def test_files_move_delete_and_staging(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    staged = layout.staging(lake.root, "source_daily", DAY, "ab12cd34")
    assert staged == f"{tmp_path}/_staging/source_daily/dt={DAY}/ab12cd34"
    lake.write_table("source_daily", f"{staged}/000.parquet", _rows(2))
    [src] = lake.files(staged)
    assert lake.parts("source_daily") == []  # staging is outside the table's prefix
    dst = f"{lake.partition_dir('source_daily', DAY)}/{layout.summary_name(0)}"
    lake.move(src, dst)
    assert lake.files(staged) == [] and lake.read("source_daily", DAY).num_rows == 2
    assert lake.delete(lake.parts("source_daily", DAY)) == 1 and lake.files(str(tmp_path / "nowhere")) == []
    assert lake.url(dst) == dst
    assert Lake("bucket/prefix", lake.fs, "s3://bucket/prefix").url("bucket/prefix/x") == "s3://bucket/prefix/x"


def test_upload_parts_need_an_upload_stem(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    with pytest.raises(ValueError):
        lake.writer("articles", DAY, "../../etc", 0)


@pytest.mark.integration
def test_the_same_operations_on_s3(moto_url: str) -> None:
    import boto3

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="lake-ops")
    lake = Lake.open("s3://lake-ops/lake")
    assert lake.url(lake.table_dir("source_daily")) == "s3://lake-ops/lake/source_daily"
    path = lake.pointer_path(layout.upload_stem("b", "k"))
    assert lake.read_json(path) is None
    lake.write_json(path, {"dt": DAY})
    assert lake.read_json(path) == {"dt": DAY}
    staged = layout.staging(lake.root, "source_daily", DAY, "ab12cd34")
    lake.write_table("source_daily", f"{staged}/000.parquet", _rows(2))
    [src] = lake.files(staged)
    lake.move(src, f"{lake.partition_dir('source_daily', DAY)}/{layout.summary_name(0)}")
    assert lake.files(staged) == [] and [layout.dt_of(x) for x in lake.parts("source_daily")] == [DAY]
    lake.write_table("source_daily", f"{lake.partition_dir('source_daily', DAY)}/part-old-00000.parquet", _rows(1))
    assert lake.replace_partition("source_daily", DAY, _rows(3)) is not None
    assert lake.read("source_daily", DAY, columns=["articles"]).column("articles").to_pylist() == [0, 1, 2]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="lake-ops")["Contents"]]
    # no "folder/" marker objects: pyarrow's delete_file would leave one after each delete and move
    assert sorted(keys) == [
        f"lake/_uploads/{layout.upload_stem('b', 'k')}.json",
        f"lake/source_daily/dt={DAY}/part-summary-00000.parquet",
    ]
