"""The nightly job locally: `LocalEngine` runs the project's Athena SQL through sqlglot → DuckDB
(`khabar.lake.query.LocalAthena`), and the commands `khabar aggregate` and `khabar report`.

A summary's rows replace `<table>/dt=D/` only (`Lake.replace_partition`: the new
`part-summary-00000.parquet` appears whole, then every other file of that partition is removed).
The SQL orders its rows completely, so re-running a day writes identical rows. In AWS the same
files run on Athena (`khabar.nightly.athena.AthenaEngine`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa

from khabar import sql
from khabar.lake.layout import safe_dt
from khabar.lake.query import LocalAthena
from khabar.lake.schema import TABLES
from khabar.lake.schema import schema as table_schema
from khabar.lake.store import Lake
from khabar.nightly.job import Written, conform, report_day, run_nightly, target_day
from khabar.nightly.publish import FolderPublisher

__all__ = ["LocalEngine", "create_views", "main_aggregate", "main_report"]

AGGREGATE_HELP = "Nightly aggregation: the day's summary tables from the SQL in `khabar/sql/summaries/`."


def _tables_read(query: str) -> list[str]:
    """The lake tables a query reads (its other names are CTEs), so only they are listed."""
    import sqlglot
    from sqlglot import exp

    names = {t.name for t in sqlglot.parse_one(query, read="athena").find_all(exp.Table)}
    return [t for t in TABLES if t in names]


class LocalEngine:
    """DuckDB over the lake. Each query lists the files of the tables it reads when it runs, so it
    sees the partitions written (or compacted) earlier in the same night."""

    def __init__(self, lake: Lake) -> None:
        self.lake = lake

    def query(self, stmt: sql.Statement, day: str, schema: pa.Schema) -> pa.Table:
        engine = LocalAthena(self.lake, tables=_tables_read(stmt.sql))
        return conform(stmt, engine.arrow(stmt.sql, stmt.bind({"dt": safe_dt(day)})), schema)

    def write_partition(self, table: str, day: str, stmt: sql.Statement) -> Written:
        data = self.query(stmt, day, table_schema(table))
        written = self.lake.replace_partition(table, day, data)
        return Written(table, data.num_rows, 1 if written else 0)


def create_views(engine: LocalAthena) -> list[str]:
    """Create the trend views of `views/*.sql` on a LocalAthena (for analysts); returns their names."""
    made = []
    for name in sql.names("views"):
        engine.execute(sql.load("views", name).sql)
        made.append(name)
    return made


def _parser(prog: str, description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=description)
    p.add_argument("--lake", required=True, help="a folder or s3://bucket/prefix")
    p.add_argument("--date", default=None, help="the day YYYY-MM-DD (default: yesterday, UTC)")
    return p


def main_aggregate(argv: Sequence[str] | None = None) -> int:
    """`khabar aggregate`: the night's summaries (and compaction), no report."""
    p = _parser("khabar aggregate", AGGREGATE_HELP)
    p.add_argument(
        "--compact",
        action="store_true",
        help="also compact the day's articles/entities/figures parts (see khabar.lake.compaction)",
    )
    args = p.parse_args(list(argv) if argv is not None else None)
    day = target_day({"date": args.date})
    lake = Lake.open(args.lake)
    result = run_nightly(lake, day, LocalEngine(lake), compact=args.compact)
    print(json.dumps(result.as_dict(), ensure_ascii=False))
    return 0


def main_report(argv: Sequence[str] | None = None) -> int:
    """`khabar report`: the report step of the night alone, into a folder."""
    p = _parser("khabar report", "write the nightly report of a day")
    p.add_argument("--out", default=None, help="output folder (default: out/reports/dt=<date>)")
    args = p.parse_args(list(argv) if argv is not None else None)
    day = target_day({"date": args.date})
    lake = Lake.open(args.lake)
    out = Path(args.out or f"out/reports/dt={day}")
    published = report_day(lake, day, LocalEngine(lake), FolderPublisher(out))
    print(json.dumps(published.files, ensure_ascii=False))
    return 0
