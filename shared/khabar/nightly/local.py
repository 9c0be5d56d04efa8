"""The nightly job locally: `LocalEngine` runs the project's Athena SQL through sqlglot → DuckDB
(`khabar.lake.query.LocalAthena`), for `khabar aggregate` and `khabar report` (`khabar.cli.nightly`).

A summary's rows replace `<table>/dt=D/` only (`Lake.replace_partition`: the new
`part-summary-00000.parquet` appears whole, then every other file of that partition is removed).
The SQL orders its rows completely, so re-running a day writes identical rows. In AWS the same
files run on Athena (`khabar.nightly.athena.AthenaEngine`).

Compaction (`compact_partition`) runs the same `sql/compaction/<table>.sql` as Athena: its control
rows are read from the lake as a table, `"$path"` comes from `LocalAthena(paths=True)`, and
`LocalAthena.unload` streams the sorted rows into `_staging/<table>/dt=D/<run>/bucket=NNNNN/`, as
Athena's UNLOAD with `partitioned_by` would; the same checks and swap follow
(`khabar.lake.compaction.swap`).
"""

from __future__ import annotations

import pyarrow as pa

from khabar import sql
from khabar.lake import compaction
from khabar.lake.compaction import CompactionPlan, TableCompaction
from khabar.lake.layout import safe_dt
from khabar.lake.query import LocalAthena
from khabar.lake.schema import TABLES
from khabar.lake.schema import schema as table_schema
from khabar.lake.store import Lake
from khabar.nightly.job import Written, conform

__all__ = ["LocalEngine", "create_views"]


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

    def compact_partition(self, plan: CompactionPlan) -> TableCompaction:
        """The plan's SQL on DuckDB into staging, then the checked swap; staging and control rows are
        removed whatever happens."""
        stmt, count, values = compaction.statement(plan), compaction.count_statement(plan), plan.parameters()
        try:
            compaction.write_control(self.lake, plan)
            engine = LocalAthena(self.lake, tables=_tables_read(stmt.sql), paths=True)
            engine.register_folder(
                compaction.CONTROL_TABLE,
                compaction.control_location(self.lake),
                compaction.CONTROL_SCHEMA,
                ("dt",),
            )
            expected = conform(count, engine.arrow(count.sql, count.bind(values)), compaction.COUNT_SCHEMA)
            staged = engine.unload(
                stmt.sql,
                stmt.bind(values),
                compaction.staging_location(self.lake, plan),
                partitioned_by=compaction.BUCKET,
                sch=table_schema(plan.table),
            )
            return compaction.swap(self.lake, plan, staged, expected.column("n")[0].as_py())
        finally:
            compaction.cleanup(self.lake, plan)


def create_views(engine: LocalAthena) -> list[str]:
    """Create the trend views of `views/*.sql` on a LocalAthena (for analysts); returns their names."""
    made = []
    for name in sql.names("views"):
        engine.execute(sql.load("views", name).sql)
        made.append(name)
    return made
