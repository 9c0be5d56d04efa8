"""The local Athena engine: Athena (Trino) SQL transpiled by sqlglot and run by DuckDB over the lake.

Tables appear as views named like the Glue tables, with `dt` as a string column as in Glue.
Parameters are positional `?` placeholders, as Athena's ExecutionParameters. With `paths=True` the
views also have Athena's hidden column `"$path"` (each row's file, as `Lake.url` names it); it is off
by default because Athena's `SELECT *` does not return it. `register_folder` adds a Hive-partitioned
folder outside the tables (the nightly job's control rows), and `unload` is Athena's UNLOAD done
locally: a query's rows streamed into Parquet files, one folder per partition value.
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

from khabar.lake import layout
from khabar.lake.schema import TABLES, schema
from khabar.lake.store import COMPRESSION, Lake

__all__ = ["LocalAthena", "transpile", "format_result", "QueryError", "PATH_COLUMN"]

PATH_COLUMN = "$path"  # Athena's hidden column: the file a row was read from
BATCH_ROWS = 65_536


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

    def __init__(self, lake: Lake | str, tables: Sequence[str] | None = None, *, paths: bool = False) -> None:
        import duckdb

        self.lake = Lake.open(lake) if isinstance(lake, str) else lake
        self.con = duckdb.connect()
        self.paths = paths
        self._arrow: dict[str, Any] = {}
        for table in tables or list(TABLES):
            self._register(table)

    def _register(self, table: str) -> None:
        import pyarrow.dataset as ds

        sch = schema(table).append(pa.field("dt", pa.string()))
        paths = self.lake.parts(table)
        if paths and self.paths:
            # One fragment per file whose partition expression carries dt and "$path": Arrow fills
            # both columns from it, as it fills dt from the folder names otherwise.
            sch = sch.append(pa.field(PATH_COLUMN, pa.string()))
            fmt = ds.ParquetFileFormat()
            frags = [
                fmt.make_fragment(
                    p,
                    self.lake.fs,
                    partition_expression=(ds.field("dt") == dt) & (ds.field(PATH_COLUMN) == self.lake.url(p)),
                )
                for p in paths
                if (dt := layout.dt_of(p)) is not None
            ]
            data: Any = ds.FileSystemDataset(frags, sch, fmt, self.lake.fs)
        elif paths:
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
            data = (sch.append(pa.field(PATH_COLUMN, pa.string())) if self.paths else sch).empty_table()
        self._expose(table, data)

    def _expose(self, name: str, data: Any) -> None:
        self._arrow[name] = data
        self.con.register(f"__{name}", data)
        self.con.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM "__{name}"')

    def register_folder(self, name: str, folder: str, sch: pa.Schema, keys: Sequence[str]) -> None:
        """The Parquet files under `folder` as view `name`: columns of `sch`, then the Hive partition
        `keys` (`k=v` folders) as strings; empty when the folder is."""
        import pyarrow.dataset as ds

        full = pa.schema([*sch, *(pa.field(k, pa.string()) for k in keys)])
        files = [p for p in self.lake.files(folder) if p.endswith(".parquet")]
        data: Any = full.empty_table()
        if files:
            part = ds.partitioning(pa.schema([(k, pa.string()) for k in keys]), flavor="hive")
            data = ds.dataset(
                files,
                schema=full,
                format="parquet",
                filesystem=self.lake.fs,
                partitioning=part,
                partition_base_dir=folder,
            )
        self._expose(name, data)

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
        import duckdb

        local = transpile(sql)
        try:
            return self.con.sql(local, params=list(params) if params else None).to_arrow_table()
        except duckdb.Error as exc:
            raise QueryError(f"{exc}\n-- transpiled SQL:\n{local}") from None

    def batches(self, sql: str, params: Sequence[Any] | None = None) -> pa.RecordBatchReader:
        """The rows of one statement as a stream of record batches, in the query's order."""
        import duckdb

        local = transpile(sql)
        try:
            rel = self.con.sql(local, params=list(params) if params else None)
            reader: pa.RecordBatchReader = rel.to_arrow_reader(BATCH_ROWS)
            return reader
        except duckdb.Error as exc:
            raise QueryError(f"{exc}\n-- transpiled SQL:\n{local}") from None

    def unload(
        self,
        sql: str,
        params: Sequence[Any] | None,
        folder: str,
        *,
        partitioned_by: str | None = None,
        sch: pa.Schema | None = None,
    ) -> list[str]:
        """What Athena's UNLOAD does, here: the query's rows as Parquet files under `folder` (which
        must not exist), one subfolder `<column>=<value>/` per value of the `partitioned_by` column
        (the last column; not stored in the files). Rows are streamed, never all in memory; with
        `sch` the files hold exactly its columns and types. Returns the files written."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        if self.lake.files(folder):
            raise QueryError(f"UNLOAD target {folder} is not empty")
        writers: dict[str, pq.ParquetWriter] = {}
        try:
            reader = self.batches(sql, params)
            for batch in reader:
                data = pa.Table.from_batches([batch])
                groups: list[tuple[Any, pa.Table]] = [(None, data)]
                if partitioned_by:
                    if data.column_names[-1] != partitioned_by:
                        raise QueryError(f"UNLOAD partitioned_by {partitioned_by!r} must be the last column")
                    keys = data.column(partitioned_by)
                    data = data.drop_columns([partitioned_by])
                    groups = [(v, data.filter(pc.equal(keys, v))) for v in keys.unique().to_pylist()]
                for value, rows in groups:
                    if sch is not None:
                        if rows.column_names != sch.names:
                            raise QueryError(f"UNLOAD query returns {rows.column_names}, expected {sch.names}")
                        rows = rows.cast(sch)
                    key = "" if value is None else f"{partitioned_by}={value}"
                    if key not in writers:
                        path = f"{folder}/{key + '/' if key else ''}part-00000.parquet"
                        if self.lake.is_local:
                            self.lake.fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
                        writers[key] = pq.ParquetWriter(
                            path, rows.schema, filesystem=self.lake.fs, compression=COMPRESSION
                        )
                    writers[key].write_table(rows)
        finally:
            for w in writers.values():
                w.close()
        return self.lake.files(folder)


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
