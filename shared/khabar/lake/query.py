"""The local Athena engine: Athena (Trino) SQL transpiled by sqlglot and run by DuckDB over the lake.

Tables appear as views named like the Glue tables, with `dt` as a string column as in Glue.
Parameters are positional `?` placeholders, as Athena's ExecutionParameters.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

from khabar.lake.schema import TABLES, schema
from khabar.lake.store import Lake

__all__ = ["LocalAthena", "transpile", "format_result", "QueryError"]


class QueryError(RuntimeError):
    pass


def transpile(sql: str) -> str:
    import sqlglot
    from sqlglot.errors import ParseError

    try:
        out = sqlglot.transpile(sql, read="athena", write="duckdb")
    except ParseError as exc:
        raise QueryError(f"cannot parse as Athena SQL: {exc}") from None
    if len(out) != 1:
        raise QueryError(f"expected one SQL statement, got {len(out)}")
    return out[0]


class LocalAthena:
    """DuckDB over a lake (local folder or s3://), with one view per table."""

    def __init__(self, lake: Lake | str, tables: Sequence[str] | None = None) -> None:
        import duckdb

        self.lake = Lake.open(lake) if isinstance(lake, str) else lake
        self.con = duckdb.connect()
        self._arrow: dict[str, Any] = {}
        for table in tables or list(TABLES):
            self._register(table)

    def _register(self, table: str) -> None:
        import pyarrow.dataset as ds

        sch = schema(table).append(pa.field("dt", pa.string()))
        paths = self.lake.parts(table)
        if paths:
            part = ds.partitioning(pa.schema([("dt", pa.string())]), flavor="hive")
            data = ds.dataset(
                paths,
                schema=sch,
                format="parquet",
                filesystem=self.lake.fs,
                partitioning=part,
                partition_base_dir=self.lake.table_dir(table),
            )
        else:
            data = sch.empty_table()
        self._arrow[table] = data
        self.con.register(f"__{table}", data)
        self.con.execute(f'CREATE OR REPLACE VIEW "{table}" AS SELECT * FROM "__{table}"')

    def refresh(self) -> None:
        for table in list(self._arrow):
            self._register(table)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> tuple[list[str], list[tuple]]:
        """Run one Athena SQL statement; returns (column names, rows)."""
        import duckdb

        local = transpile(sql)
        try:
            cur = self.con.execute(local, list(params) if params else None)
        except duckdb.Error as exc:
            raise QueryError(f"{exc}\n-- transpiled SQL:\n{local}") from None
        cols = [d[0] for d in cur.description] if cur.description else []
        return cols, cur.fetchall()

    def arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        local = transpile(sql)
        return self.con.sql(local, params=list(params) if params else None).to_arrow_table()


def _cell(v: Any) -> Any:
    if isinstance(v, float):
        return f"{v:.6g}" if abs(v) < 1e15 else f"{v:.6e}"
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if v is None:
        return ""
    return v


def format_result(cols: list[str], rows: list[tuple], fmt: str = "table") -> str:
    if fmt == "json":

        def plain(v: Any) -> Any:
            if isinstance(v, datetime | date):
                return v.isoformat()
            if isinstance(v, Decimal):
                return float(v)
            return v

        return "\n".join(
            json.dumps({c: plain(v) for c, v in zip(cols, r, strict=True)}, ensure_ascii=False) for r in rows
        )
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        w.writerows([[_cell(v) for v in r] for r in rows])
        return buf.getvalue().rstrip("\n")
    cells = [[str(_cell(v)) for v in r] for r in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(cols)]
    line = " | ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))
    out = [line, "-+-".join("-" * w for w in widths)]
    out += [" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
