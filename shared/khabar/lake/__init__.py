"""The Parquet lake: where rows live (store), what they look like (schema), how they are tidied
(compaction) and read locally with Athena SQL (query)."""

from khabar.lake.store import COMPRESSION, UPLOADS_PREFIX, Lake, TableWriter, safe_dt, upload_stem

__all__ = ["COMPRESSION", "UPLOADS_PREFIX", "Lake", "TableWriter", "safe_dt", "upload_stem"]
