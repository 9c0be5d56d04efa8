"""Nightly aggregation: the day's summary tables from the SQL in `khabar/sql/summaries/`.

Locally (`khabar aggregate --lake DIR --date D`) each summary SELECT runs through sqlglot → DuckDB
(`LocalAthena`) and its rows replace `<table>/dt=D/` only: the new `part-summary-00000.parquet`
is written first (tmp + rename locally, one PUT on S3, so it appears whole and replaces the old
file of the same name), then every other file of that partition is removed. The SQL orders its
rows completely, so re-running a day writes identical rows. In AWS the same files run on Athena
(`khabar.nightly.athena.AthenaRunner`). Compaction (`khabar.lake.compaction`) is opt-in: `--compact`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from khabar import sql
from khabar.lake.schema import LAKE_TABLES, SUMMARY_TABLES, schema
from khabar.lake.store import Lake, safe_dt

__all__ = [
    "run_aggregation",
    "build_summary",
    "arrow_result",
    "replace_partition",
    "create_views",
    "yesterday",
    "main",
    "SUMMARY_FILE",
]

SUMMARY_FILE = "part-summary-00000.parquet"


def yesterday() -> str:
    return (datetime.now(UTC).date() - timedelta(days=1)).isoformat()


def arrow_result(engine: object, athena_sql: str, params: Sequence[object]) -> pa.Table:
    """Run Athena SQL on a LocalAthena and return Arrow."""
    return engine.arrow(athena_sql, params)  # type: ignore[attr-defined]


def build_summary(engine: object, table: str, day: str) -> pa.Table:
    """Run `summaries/<table>.sql` for `day` on a LocalAthena; rows cast to the table's schema."""
    stmt = sql.load("summaries", table)
    data = arrow_result(engine, stmt.sql, stmt.bind({"dt": safe_dt(day)}))
    want = schema(table)
    if data.column_names != want.names:
        raise ValueError(f"summaries/{table}.sql returns {data.column_names}, schema says {want.names}")
    return data.cast(want)


def replace_partition(lake: Lake, table: str, day: str, data: pa.Table) -> str | None:
    """Make `data` the whole content of `<table>/dt=<day>/`: write new, then remove the rest."""
    path = f"{lake.partition_dir(table, day)}/{SUMMARY_FILE}"
    written = None
    if data.num_rows:
        lake.write_table(table, path, data)
        written = path
    for old in lake.parts(table, day):
        if old != written:
            lake.fs.delete_file(old)
    return written


def create_views(engine: object) -> list[str]:
    """Create the trend views of `views/*.sql` on a LocalAthena; returns their names."""
    made = []
    for name in sql.names("views"):
        stmt = sql.load("views", name)
        engine.execute(stmt.sql)  # type: ignore[attr-defined]
        made.append(name)
    return made


def run_aggregation(lake: Lake, day: str, *, compact: bool = False) -> dict[str, object]:
    """Build every summary table's partition for `day` (and compact the day when asked)."""
    from khabar.lake.query import LocalAthena

    safe_dt(day)
    engine = LocalAthena(lake, tables=list(LAKE_TABLES))  # summaries read only the base tables
    rows: dict[str, int] = {}
    for table in SUMMARY_TABLES:
        data = build_summary(engine, table, day)
        replace_partition(lake, table, day, data)
        rows[table] = data.num_rows
    out: dict[str, object] = {"dt": day, "rows": rows}
    if compact:  # after the summaries: the engine's file list would be stale afterwards
        from khabar.lake.compaction import compact_day

        out["compaction"] = {
            t: {"files_before": r.files_before, "files_after": r.files_after, "rows": r.rows}
            for t, r in compact_day(lake, day).items()
        }
    return out


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="khabar aggregate", description=__doc__.splitlines()[0])
    p.add_argument("--lake", required=True, help="a folder or s3://bucket/prefix")
    p.add_argument("--date", default=None, help="the day YYYY-MM-DD (default: yesterday, UTC)")
    p.add_argument(
        "--compact",
        action="store_true",
        help="also compact the day's articles/entities/figures parts (see khabar.lake.compaction)",
    )
    args = p.parse_args(list(argv) if argv is not None else None)
    day = safe_dt(args.date or yesterday())
    print(json.dumps(run_aggregation(Lake.open(args.lake), day, compact=args.compact), ensure_ascii=False))
    return 0
