"""Athena in AWS: run the project's SQL files with ExecutionParameters and write summary partitions.

Idempotent partition write (`write_partition`): UNLOAD into a fresh staging prefix, then swap.
- Why not INSERT INTO: it only appends; re-running a night would duplicate the day's rows, and
  partition projection fixes each partition's location, so there is no location to swap.
- Why not UNLOAD straight into `<table>/dt=D/`: UNLOAD refuses a non-empty target, so the partition
  would have to be cleared first and a failed or slow query would leave the day empty (or
  half-written) for readers. Athena also names its output files itself, while the lake (and the
  report that reads it with pyarrow) lists `part-*.parquet`.
So each run UNLOADs to `_staging/<table>/dt=D/<uuid>/` (always empty; `_` keeps it out of every
table location), and only after the query SUCCEEDED copies the files to
`<table>/dt=D/part-summary-NNNNN.parquet` (each copy replaces the same-named old object
atomically) and deletes the partition's other objects and the staging prefix: write new, then
remove old, as locally. A failure before the copy leaves the old partition intact.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from khabar.lake.store import safe_dt
from khabar.sql import Statement

__all__ = ["AthenaRunner", "AthenaQueryError", "write_partition", "split_s3_uri"]

_DONE = {"SUCCEEDED", "FAILED", "CANCELLED"}
_TABLE = re.compile(r"^[a-z][a-z0-9_]*$")


class AthenaQueryError(RuntimeError):
    def __init__(self, query_id: str, state: str, reason: str) -> None:
        super().__init__(f"Athena query {query_id} {state}: {reason}")
        self.query_id, self.state, self.reason = query_id, state, reason


def split_s3_uri(uri: str) -> tuple[str, str]:
    """'s3://bucket/a/b/' → ('bucket', 'a/b') (prefix without slashes at either end)."""
    if not uri.startswith("s3://"):
        raise ValueError(f"not an s3:// URI: {uri!r}")
    bucket, _, prefix = uri[5:].partition("/")
    return bucket, prefix.strip("/")


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

    def run_statement(self, stmt: Statement, values: dict[str, Any]) -> str:
        return self.run(stmt.sql, stmt.athena_parameters(values))


def _keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [o["Key"] for o in page.get("Contents", [])]
    return sorted(keys)


def _delete(s3: Any, bucket: str, keys: Sequence[str]) -> None:
    for i in range(0, len(keys), 1000):
        s3.delete_objects(
            Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[i : i + 1000]], "Quiet": True}
        )


def write_partition(
    runner: AthenaRunner, s3: Any, lake_uri: str, table: str, day: str, stmt: Statement
) -> dict[str, Any]:
    """Replace `<lake>/<table>/dt=<day>/` with the rows of `stmt` (see the module docstring)."""
    safe_dt(day)
    if not _TABLE.match(table):
        raise ValueError(f"bad table name {table!r}")
    bucket, root = split_s3_uri(lake_uri)
    base = f"{root}/" if root else ""
    staging = f"{base}_staging/{table}/dt={day}/{uuid.uuid4().hex}/"
    part_prefix = f"{base}{table}/dt={day}/"
    # The location is built from configuration, a validated date and a uuid; values go in parameters.
    query = (
        f"UNLOAD ({stmt.sql})\nTO 's3://{bucket}/{staging}'\nWITH (format = 'PARQUET', compression = 'ZSTD')"
    )
    query_id = runner.run(query, stmt.athena_parameters({"dt": day}))
    staged = [k for k in _keys(s3, bucket, staging) if not k.endswith("/")]
    new = [f"{part_prefix}part-summary-{i:05d}.parquet" for i in range(len(staged))]
    for src, dst in zip(staged, new, strict=True):
        s3.copy_object(Bucket=bucket, Key=dst, CopySource={"Bucket": bucket, "Key": src})
    _delete(s3, bucket, [k for k in _keys(s3, bucket, part_prefix) if k not in new])
    _delete(s3, bucket, _keys(s3, bucket, staging))
    return {"table": table, "query_id": query_id, "files": len(new)}
