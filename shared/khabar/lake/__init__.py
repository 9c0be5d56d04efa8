"""The Parquet lake: where rows live (store), how paths are named (layout), what rows look like
(schema, rows), how one upload is written (uploads), how partitions are tidied (compaction) and
read locally with Athena SQL (query). Nothing outside this package touches the lake's files."""

from khabar.lake.layout import safe_dt, upload_stem
from khabar.lake.store import COMPRESSION, UPLOADS_PREFIX, Lake, TableWriter

__all__ = ["COMPRESSION", "UPLOADS_PREFIX", "Lake", "TableWriter", "safe_dt", "upload_stem"]
