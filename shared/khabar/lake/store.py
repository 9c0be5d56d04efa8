"""The Parquet lake: Hive partitions `<root>/<table>/dt=YYYY-MM-DD/part-<upload>-<n>.parquet`.

Part names derive from the source object (bucket + key), so processing the same upload again
overwrites its own files instead of adding new ones, and parts that a new run no longer produces
are removed. Local roots are plain folders; `s3://bucket/prefix` roots go through pyarrow's S3
filesystem (which honours AWS_ENDPOINT_URL, so moto's server works the same way as AWS).
Path rules live in `khabar.lake.layout`; writing one upload in `khabar.lake.uploads`.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from khabar.lake import layout
from khabar.lake.layout import safe_dt, upload_stem
from khabar.lake.schema import schema

__all__ = ["Lake", "TableWriter", "upload_stem", "safe_dt", "UPLOADS_PREFIX", "COMPRESSION"]

UPLOADS_PREFIX = layout.UPLOADS  # kept importable here for existing callers
COMPRESSION = "zstd"


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def _s3_filesystem() -> pafs.S3FileSystem:
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    region = _region()
    if endpoint:
        scheme = "https" if endpoint.startswith("https") else "http"
        host = endpoint.split("://", 1)[-1]
        return pafs.S3FileSystem(
            endpoint_override=host, scheme=scheme, region=region, allow_bucket_creation=False, allow_delayed_open=True
        )
    # Delayed open: a file smaller than one part is written with a single PutObject instead of a
    # 3-request multipart upload (errors then surface at close, which TableWriter.close raises).
    return pafs.S3FileSystem(region=region, allow_delayed_open=True)


@dataclass
class Lake:
    """A lake root on a filesystem. `root` has no scheme and no trailing slash.

    Callers outside `khabar.lake` use these methods, never `fs`: paths come from `layout`, and the
    few file operations they need (list, small JSON, move, delete, whole-table writes) are here."""

    root: str
    fs: pafs.FileSystem = field(repr=False)
    uri: str = ""
    _s3: Any = field(default=None, init=False, repr=False, compare=False)  # boto3 client, for deletes

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

    # -- paths (rules in khabar.lake.layout) --------------------------------------------------------

    def table_dir(self, table: str) -> str:
        schema(table)  # unknown tables fail here, before any path is built
        return layout.table_dir(self.root, table)

    def partition_dir(self, table: str, dt: str) -> str:
        schema(table)
        return layout.partition(self.root, table, dt)

    def sidecar_path(self, table: str, dt: str) -> str:
        schema(table)
        return layout.sidecar(self.root, table, dt)

    def pointer_path(self, stem: str) -> str:
        return layout.pointer(self.root, stem)

    def url(self, path: str) -> str:
        """`path` as a URI for engines outside pyarrow (Athena UNLOAD targets): s3://... or a local path."""
        return f"s3://{path}" if self.uri.startswith("s3://") else path

    # -- listing -----------------------------------------------------------------------------------

    def files(self, folder: str) -> list[str]:
        """Every file under `folder` (recursive), sorted; [] when it does not exist."""
        try:
            infos = self.fs.get_file_info(pafs.FileSelector(folder, recursive=True, allow_not_found=True))
        except FileNotFoundError:
            return []
        return sorted(i.path for i in infos if i.type == pafs.FileType.File)

    def parts(self, table: str, dt: str | None = None, stem: str | None = None) -> list[str]:
        """Paths of Parquet part files, optionally of one partition and one upload stem."""
        base = self.partition_dir(table, dt) if dt else self.table_dir(table)
        try:
            infos = self.fs.get_file_info(pafs.FileSelector(base, recursive=dt is None, allow_not_found=True))
        except FileNotFoundError:
            return []
        return sorted(
            i.path
            for i in infos
            if i.type == pafs.FileType.File
            and layout.is_part(i.base_name)
            and (stem is None or layout.stem_of(i.path) == stem)
        )

    # -- reading -----------------------------------------------------------------------------------

    def read(self, table: str, dt: str | None = None, columns: Sequence[str] | None = None) -> pa.Table:
        """Rows of a table (or one partition), optionally only some columns; typed and empty if none."""
        sch = schema(table)
        cols = list(columns) if columns is not None else None
        paths = self.parts(table, dt)
        if not paths:
            empty = sch.empty_table()
            return empty.select(cols) if cols is not None else empty
        return pa.concat_tables([pq.read_table(p, filesystem=self.fs, schema=sch, columns=cols) for p in paths])

    def read_json(self, path: str) -> Any:
        """A small JSON document, or None when it cannot be read (missing; on S3 also denied or
        unreachable, as pyarrow reports those as OSError too). Malformed JSON raises ValueError."""
        try:
            with self.fs.open_input_stream(path) as fh:
                raw = fh.read()
        except OSError:  # FileNotFoundError included
            return None
        return json.loads(raw.decode("utf-8"))

    # -- writing -----------------------------------------------------------------------------------

    def writer(self, table: str, dt: str, stem: str, part: int) -> TableWriter:
        return TableWriter(self, table, f"{self.partition_dir(table, dt)}/{layout.part_name(stem, part)}")

    def write_table(self, table: str, path: str, data: pa.Table) -> None:
        """Write a whole table to one file, atomically where the filesystem allows."""
        w = TableWriter(self, table, path)
        w.write(data)
        w.close()

    def replace_partition(self, table: str, dt: str, data: pa.Table) -> str | None:
        """Make `data` the whole content of `<table>/dt=<dt>/`: write `part-summary-00000.parquet`
        first (it appears whole and replaces the old file of that name), then remove every other
        part. Returns the written path, None when `data` is empty (the partition is then emptied)."""
        path = f"{self.partition_dir(table, dt)}/{layout.summary_name(0)}"
        written = None
        if data.num_rows:
            self.write_table(table, path, data)
            written = path
        self.delete(p for p in self.parts(table, dt) if p != written)
        return written

    def write_json(self, path: str, doc: Any, indent: int | None = None) -> None:
        """Write a small JSON document; readers see the old or the new one, never a partial file
        (local: temporary name + rename; S3: one PUT)."""
        data = json.dumps(doc, indent=indent).encode("utf-8")
        if not self.is_local:
            with self.fs.open_output_stream(path) as fh:
                fh.write(data)
            return
        self.fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
        tmp = layout.tmp_file(path, uuid.uuid4().hex[:8])
        with self.fs.open_output_stream(tmp) as fh:
            fh.write(data)
        self.fs.move(tmp, path)

    def move(self, src: str, dst: str) -> None:
        """Move one file, replacing `dst` (local: a rename; S3: copy, then delete the source)."""
        if self.is_local:
            self.fs.create_dir(dst.rsplit("/", 1)[0], recursive=True)
            self.fs.move(src, dst)
            return
        self.fs.copy_file(src, dst)
        self.delete([src])

    def delete(self, paths: Iterable[str]) -> int:
        """Delete files; returns how many."""
        paths = list(paths)
        if self.is_local:
            for p in paths:
                self.fs.delete_file(p)
        elif paths:
            self._s3_delete(paths)
        return len(paths)

    def _s3_delete(self, paths: list[str]) -> None:
        # Not pyarrow's delete_file: after every delete it PUTs an empty "<parent>/" marker object
        # (one more request each, and clutter in table prefixes). DeleteObjects takes 1000 keys a call.
        if self._s3 is None:
            import boto3  # lazy: only S3 lakes that delete need it (it honours AWS_ENDPOINT_URL too)
            from botocore.config import Config

            self._s3 = boto3.client(
                "s3", region_name=_region(), config=Config(retries={"mode": "standard", "max_attempts": 6})
            )
        by_bucket: dict[str, list[str]] = {}
        for p in paths:
            bucket, key = p.split("/", 1)
            by_bucket.setdefault(bucket, []).append(key)
        for bucket, keys in by_bucket.items():
            for i in range(0, len(keys), 1000):
                objects = [{"Key": k} for k in keys[i : i + 1000]]
                resp = self._s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
                if errors := resp.get("Errors"):
                    e = errors[0]
                    raise OSError(f"cannot delete s3://{bucket}/{e.get('Key')}: {e.get('Code')} {e.get('Message')}")

    def remove_stale(self, table: str, dt: str, stem: str, keep: Iterable[str]) -> int:
        """Delete this upload's parts in a partition that the current run did not write."""
        keep = set(keep)
        return self.delete([p for p in self.parts(table, dt, stem) if p not in keep])


class TableWriter:
    """Streams row groups of one table into one part file. Local files are written under a
    temporary name and renamed on close, so readers never see a half-written file; on S3 the
    object appears only when its (multipart) upload completes."""

    def __init__(self, lake: Lake, table: str, path: str) -> None:
        self.lake, self.table, self.path = lake, table, path
        self.schema = schema(table)
        self.rows = 0
        self._tmp = layout.tmp_file(path, uuid.uuid4().hex[:8]) if lake.is_local else path
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
            self._writer = pq.ParquetWriter(self._tmp, self.schema, filesystem=self.lake.fs, compression=COMPRESSION)
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
