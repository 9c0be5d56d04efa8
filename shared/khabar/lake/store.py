"""The Parquet lake: Hive partitions `<root>/<table>/dt=YYYY-MM-DD/part-<upload>-<n>.parquet`.

Part names derive from the source object (bucket + key), so processing the same upload again
overwrites its own files instead of adding new ones, and parts that a new run no longer produces
are removed. Local roots are plain folders; `s3://bucket/prefix` roots go through pyarrow's S3
filesystem (which honours AWS_ENDPOINT_URL, so moto's server works the same way as AWS).
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from khabar.lake.schema import schema

__all__ = ["Lake", "TableWriter", "upload_stem", "safe_dt", "UPLOADS_PREFIX"]

# Per-upload pointers (which dt an upload was last written to), outside every table's prefix.
UPLOADS_PREFIX = "_uploads"
_DT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
COMPRESSION = "zstd"


def upload_stem(bucket: str, key: str) -> str:
    """A fixed-length file stem for an upload: no user string ever reaches a path."""
    return hashlib.sha256(f"{bucket}\x00{key}".encode()).hexdigest()[:24]


def safe_dt(dt: str) -> str:
    if not _DT.match(dt):
        raise ValueError(f"partition date must be YYYY-MM-DD, got {dt!r}")
    return dt


def _s3_filesystem() -> pafs.S3FileSystem:
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    if endpoint:
        scheme = "https" if endpoint.startswith("https") else "http"
        host = endpoint.split("://", 1)[-1]
        return pafs.S3FileSystem(endpoint_override=host, scheme=scheme, region=region,
                                 allow_bucket_creation=False, allow_delayed_open=True)
    # Delayed open: a file smaller than one part is written with a single PutObject instead of a
    # 3-request multipart upload (errors then surface at close, which TableWriter.close raises).
    return pafs.S3FileSystem(region=region, allow_delayed_open=True)


@dataclass
class Lake:
    """A lake root on a filesystem. `root` has no scheme and no trailing slash."""

    root: str
    fs: pafs.FileSystem = field(repr=False)
    uri: str = ""

    @classmethod
    def open(cls, uri: str) -> Lake:
        if uri.startswith("s3://"):
            return cls(uri[5:].rstrip("/"), _s3_filesystem(), uri.rstrip("/"))
        path = os.path.abspath(uri)
        os.makedirs(path, exist_ok=True)
        return cls(path, pafs.LocalFileSystem(), path)

    @property
    def is_local(self) -> bool:
        return isinstance(self.fs, pafs.LocalFileSystem)

    def table_dir(self, table: str) -> str:
        schema(table)  # unknown tables fail here, before any path is built
        return f"{self.root}/{table}"

    def partition_dir(self, table: str, dt: str) -> str:
        return f"{self.table_dir(table)}/dt={safe_dt(dt)}"

    def writer(self, table: str, dt: str, stem: str, part: int) -> TableWriter:
        return TableWriter(self, table, f"{self.partition_dir(table, dt)}/part-{stem}-{part:05d}.parquet")

    def parts(self, table: str, dt: str | None = None, stem: str | None = None) -> list[str]:
        """Paths of Parquet part files, optionally of one partition and one upload stem."""
        base = self.partition_dir(table, dt) if dt else self.table_dir(table)
        try:
            infos = self.fs.get_file_info(pafs.FileSelector(base, recursive=dt is None, allow_not_found=True))
        except FileNotFoundError:
            return []
        prefix = f"part-{stem}-" if stem else "part-"
        return sorted(
            i.path for i in infos
            if i.type == pafs.FileType.File and i.base_name.startswith(prefix) and i.base_name.endswith(".parquet")
        )

    def remove_stale(self, table: str, dt: str, stem: str, keep: Iterable[str]) -> int:
        """Delete this upload's parts in a partition that the current run did not write."""
        keep = set(keep)
        stale = [p for p in self.parts(table, dt, stem) if p not in keep]
        for p in stale:
            self.fs.delete_file(p)
        return len(stale)

    def write_table(self, table: str, path: str, data: pa.Table) -> None:
        """Write a whole table to one file, atomically where the filesystem allows."""
        w = TableWriter(self, table, path)
        w.write(data)
        w.close()

    def read(self, table: str, dt: str | None = None) -> pa.Table:
        paths = self.parts(table, dt)
        if not paths:
            return schema(table).empty_table()
        return pa.concat_tables(
            [pq.read_table(p, filesystem=self.fs, schema=schema(table)) for p in paths]
        )


class TableWriter:
    """Streams row groups of one table into one part file. Local files are written under a
    temporary name and renamed on close, so readers never see a half-written file; on S3 the
    object appears only when its (multipart) upload completes."""

    def __init__(self, lake: Lake, table: str, path: str) -> None:
        self.lake, self.table, self.path = lake, table, path
        self.schema = schema(table)
        self.rows = 0
        self._tmp = f"{path}.tmp-{uuid.uuid4().hex[:8]}" if lake.is_local else path
        self._writer: pq.ParquetWriter | None = None

    def write_rows(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.write(pa.Table.from_pylist(rows, schema=self.schema))

    def write(self, data: pa.Table) -> None:
        if data.num_rows == 0:
            return
        if self._writer is None:
            if self.lake.is_local:  # S3 has no folders; creating them would leave marker objects
                self.lake.fs.create_dir(self.path.rsplit("/", 1)[0], recursive=True)
            self._writer = pq.ParquetWriter(self._tmp, self.schema, filesystem=self.lake.fs,
                                            compression=COMPRESSION)
        self._writer.write_table(data.select(self.schema.names).cast(self.schema))
        self.rows += data.num_rows

    def close(self) -> str | None:
        """Finish the file; returns its path, or None when no row was written (no file)."""
        if self._writer is None:
            return None
        self._writer.close()
        self._writer = None
        if self._tmp != self.path:
            self.lake.fs.move(self._tmp, self.path)
        return self.path
