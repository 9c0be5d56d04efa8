"""Athena in AWS: run the project's SQL files with ExecutionParameters (`AthenaRunner`) and the
nightly job's engine on it (`AthenaEngine`).

Idempotent partition write (`AthenaEngine.write_partition`): UNLOAD into a fresh staging prefix,
check, then swap.
- Why not INSERT INTO: it only appends; re-running a night would duplicate the day's rows, and
  partition projection fixes each partition's location, so there is no location to swap.
- Why not UNLOAD straight into `<table>/dt=D/`: UNLOAD refuses a non-empty target, so the partition
  would have to be cleared first and a failed or slow query would leave the day empty (or
  half-written) for readers. Athena also names its output files itself, while the lake (and the
  report that reads it with pyarrow) lists `part-*.parquet`.
So each run UNLOADs to `_staging/<table>/dt=D/<uuid>/` (always empty; `_` keeps it out of every
table location), and only after the query SUCCEEDED and every staged file holds the table's columns
(in its order, castable to its types) copies the files to `<table>/dt=D/part-summary-NNNNN.parquet`
(each copy replaces the same-named old object atomically) and deletes the partition's other
objects; the staging prefix is deleted in every case. Write new, then remove old, as locally. A
failure before the copy leaves the old partition intact.

Queries whose rows the job reads back (the report's trends, `AthenaEngine.query`) are UNLOADed the
same way to `_staging/<query name>/dt=D/<uuid>/`, read with pyarrow and deleted.

Compaction of an extract table's partition (`AthenaEngine.compact_partition`, planned by
`khabar.lake.compaction`): the run's control rows go to `_control/compaction_control/dt=D/part-<run>.parquet`
(a Glue table the SQL reads), a `SELECT count(*)` of `sql/compaction/<table>.sql` gives the
expected rows, and the query itself is UNLOADed with `partitioned_by = ARRAY['bucket']` into
`_staging/<table>/dt=D/<run>/bucket=NNNNN/` (one ~128 MB file per bucket, each a range of the sort
keys). `khabar.lake.compaction.swap` then checks the staged files' footers (columns, rows = the
count) and only then moves them to `part-compacted-<run>-NNNNN.parquet` and deletes the inputs; the
Lambda reads footers, never rows. A failed query, a mismatch or a concurrent write leave the
partition as it was; staging and control files are deleted in every case. During the swap a reader
may see the day's rows twice for a few seconds (copies, then one DeleteObjects), never fewer.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from khabar.lake import compaction, layout
from khabar.lake.compaction import CompactionPlan, TableCompaction
from khabar.lake.layout import summary_name
from khabar.lake.schema import schema as table_schema
from khabar.lake.store import Lake
from khabar.nightly.job import Written, conform
from khabar.sql import Statement

__all__ = ["AthenaEngine", "AthenaRunner", "AthenaQueryError", "StagedOutputError"]

_DONE = {"SUCCEEDED", "FAILED", "CANCELLED"}
_COLUMN = re.compile(r"^[a-z][a-z0-9_]*$")


class AthenaQueryError(RuntimeError):
    def __init__(self, query_id: str, state: str, reason: str) -> None:
        super().__init__(f"Athena query {query_id} {state}: {reason}")
        self.query_id, self.state, self.reason = query_id, state, reason


class AthenaRunner:
    """StartQueryExecution + polling with exponential backoff; raises on FAILED/CANCELLED/timeout."""

    def __init__(
        self,
        client: Any = None,
        *,
        workgroup: str,
        database: str,
        output_location: str | None = None,
        first_wait: float = 0.5,
        max_wait: float = 8.0,
        timeout: float = 840.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if client is None:
            import boto3

            client = boto3.client("athena")
        self.client, self.workgroup, self.database = client, workgroup, database
        self.output_location = output_location
        self.first_wait, self.max_wait, self.timeout, self.sleep = first_wait, max_wait, timeout, sleep

    def start(self, query: str, parameters: Sequence[str] | None = None) -> str:
        kwargs: dict[str, Any] = {
            "QueryString": query,
            "QueryExecutionContext": {"Database": self.database},
            "WorkGroup": self.workgroup,
        }
        if parameters:
            kwargs["ExecutionParameters"] = list(parameters)
        if self.output_location:
            kwargs["ResultConfiguration"] = {"OutputLocation": self.output_location}
        return self.client.start_query_execution(**kwargs)["QueryExecutionId"]

    def wait(self, query_id: str) -> dict[str, Any]:
        delay, waited = self.first_wait, 0.0
        while True:
            ex = self.client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
            status = ex.get("Status", {})
            state = status.get("State", "UNKNOWN")
            if state == "SUCCEEDED":
                return ex
            if state in _DONE:
                raise AthenaQueryError(query_id, state, status.get("StateChangeReason", "no reason given"))
            if waited >= self.timeout:
                raise AthenaQueryError(query_id, "TIMEOUT", f"still {state} after {waited:.0f} s")
            self.sleep(delay)
            waited += delay
            delay = min(delay * 2, self.max_wait)

    def run(self, query: str, parameters: Sequence[str] | None = None) -> str:
        query_id = self.start(query, parameters)
        self.wait(query_id)
        return query_id


class StagedOutputError(RuntimeError):
    """An UNLOAD's files do not hold the expected columns; the partition was left as it was."""


class AthenaEngine:
    """The nightly job's engine in AWS (see the module docstring). S3 objects are handled with
    boto3 by key: pyarrow's filesystem would leave empty "folder" marker objects behind."""

    def __init__(self, runner: AthenaRunner, lake: Lake, s3: Any = None) -> None:
        if lake.is_local:
            raise ValueError("Athena needs an s3:// lake")
        if s3 is None:
            import boto3

            s3 = boto3.client("s3")
        self.runner, self.lake, self.s3 = runner, lake, s3
        self.bucket = lake.root.split("/", 1)[0]

    # -- the Engine protocol (khabar.nightly.job) ----------------------------------------------------

    def write_partition(self, table: str, day: str, stmt: Statement) -> Written:
        """UNLOAD into a fresh staging folder; check every staged file against the table's schema;
        only then copy them to `part-summary-NNNNN.parquet` and delete the partition's other objects."""
        with self._unload(stmt, table, day) as (query_id, staged):
            rows = sum(t.num_rows for t in self._read(stmt, staged, table_schema(table)))
            partition = self._key(self.lake.partition_dir(table, day))
            new = [f"{partition}/{summary_name(i)}" for i in range(len(staged))]
            for src, dst in zip(staged, new, strict=True):
                self.s3.copy_object(Bucket=self.bucket, Key=dst, CopySource={"Bucket": self.bucket, "Key": src})
            self._delete([k for k in self._list(partition) if k not in new])
        return Written(table, rows, len(new), query_id)

    def query(self, stmt: Statement, day: str, schema: pa.Schema) -> pa.Table:
        """UNLOAD into a fresh staging folder and read the files back."""
        with self._unload(stmt, stmt.name, day) as (_, staged):
            return pa.concat_tables([schema.empty_table(), *self._read(stmt, staged, schema)])

    def compact_partition(self, plan: CompactionPlan) -> TableCompaction:
        """Count, then UNLOAD the plan's compaction SQL into staging by bucket; swap the checked files
        in (see the module docstring). Only the count's one-row result is read into memory."""
        stmt, count, values = compaction.statement(plan), compaction.count_statement(plan), plan.parameters()
        try:
            compaction.write_control(self.lake, plan)
            with self._unload(count, count.name, plan.dt, values) as (count_id, staged):
                n = pa.concat_tables(self._read(count, staged, compaction.COUNT_SCHEMA)).column("n")
                if len(n) != 1:
                    raise StagedOutputError(f"{count.name}: expected one row, got {len(n)}")
            unload = self._unload(stmt, plan.table, plan.dt, values, run=plan.run, partitioned_by=compaction.BUCKET)
            with unload as (query_id, staged):  # the staging folder is the plan's: cleanup() knows it
                done = compaction.swap(self.lake, plan, [f"{self.bucket}/{k}" for k in staged], n[0].as_py())
        finally:
            compaction.cleanup(self.lake, plan)
        done.queries = [count_id, query_id]
        return done

    # -- S3, by key --------------------------------------------------------------------------------

    def _key(self, path: str) -> str:
        """A lake path (`bucket/prefix/...`, from khabar.lake.layout) as an S3 key of the lake bucket."""
        return path.split("/", 1)[1]

    @contextmanager
    def _unload(
        self,
        stmt: Statement,
        name: str,
        day: str,
        values: Mapping[str, Any] | None = None,
        *,
        run: str | None = None,
        partitioned_by: str | None = None,
    ) -> Iterator[tuple[str, list[str]]]:
        """Run `stmt` for `day` (parameters `values`, default dt=day) as an UNLOAD into an always-new
        staging folder (`run`: a fresh id); yields the query id and the keys of its data files (sorted:
        by partition folder first), and deletes the folder afterwards, whatever happened."""
        staging = layout.staging(self.lake.root, name, day, run or uuid.uuid4().hex)
        folder = self._key(staging)
        # The location is built from configuration, a validated date and an id, the partition column
        # is a constant of the code; values go in parameters.
        props = "format = 'PARQUET', compression = 'ZSTD'"
        if partitioned_by:
            if not _COLUMN.match(partitioned_by):
                raise ValueError(f"bad partition column {partitioned_by!r}")
            props += f", partitioned_by = ARRAY['{partitioned_by}']"
        query = f"UNLOAD ({stmt.sql})\nTO '{self.lake.url(staging)}/'\nWITH ({props})"
        try:
            query_id = self.runner.run(query, stmt.athena_parameters(values or {"dt": day}))
            yield query_id, [k for k in self._list(folder) if not k.endswith("/")]
        finally:  # a failed UNLOAD may leave partial files too (Athena does not delete them)
            self._delete(self._list(folder))

    def _read(self, stmt: Statement, keys: Sequence[str], schema: pa.Schema) -> list[pa.Table]:
        tables = []
        for key in keys:
            body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            try:
                tables.append(conform(stmt, pq.read_table(pa.BufferReader(body)), schema))
            except (ValueError, pa.ArrowException) as exc:
                raise StagedOutputError(f"UNLOAD output s3://{self.bucket}/{key}: {exc}") from None
        return tables

    def _list(self, folder: str) -> list[str]:
        keys: list[str] = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=f"{folder}/"):
            keys += [o["Key"] for o in page.get("Contents", [])]
        return sorted(keys)

    def _delete(self, keys: Sequence[str]) -> None:
        for i in range(0, len(keys), 1000):
            self.s3.delete_objects(
                Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in keys[i : i + 1000]], "Quiet": True}
            )
