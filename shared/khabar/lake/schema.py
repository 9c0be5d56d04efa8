"""The lake's tables: the single source of truth for column names and types.

Every table is Hive-partitioned by `dt` (a yyyy-MM-dd string, as in Glue); `dt` is a partition
column and is not stored inside the Parquet files. The Glue tables of the SAM template are
generated from this module by `infra/gen_template.py`, and a test keeps them equal.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["TABLES", "LAKE_TABLES", "SUMMARY_TABLES", "DATA_TABLES", "UPLOAD_TABLES", "schema", "glue_columns"]

_TS = pa.timestamp("ms", tz="UTC")

LAKE_TABLES: dict[str, pa.Schema] = {
    "articles": pa.schema(
        [
            ("article_id", pa.string()),
            ("source_bucket", pa.string()),
            ("source_key", pa.string()),
            ("source_etag", pa.string()),
            ("record_locator", pa.string()),
            ("title", pa.string()),
            ("source", pa.string()),
            ("published", pa.string()),
            ("url", pa.string()),
            ("body", pa.string()),
            ("language", pa.string()),
            ("n_chars", pa.int32()),
            ("extractor_version", pa.string()),
            ("ingested_at", _TS),
        ]
    ),
    "entities": pa.schema(
        [
            ("article_id", pa.string()),
            ("entity_text", pa.string()),
            ("entity_type", pa.string()),
            ("canonical_id", pa.string()),
            ("country_code", pa.string()),
            ("start", pa.int32()),
            ("end", pa.int32()),
            ("sentence_index", pa.int32()),
        ]
    ),
    "figures": pa.schema(
        [
            ("article_id", pa.string()),
            ("figure_text", pa.string()),
            ("kind", pa.string()),
            ("value", pa.float64()),
            ("unit", pa.string()),
            ("metric", pa.string()),
            ("direction", pa.string()),
            ("start", pa.int32()),
            ("end", pa.int32()),
            ("sentence_index", pa.int32()),
            ("related_ids", pa.list_(pa.string())),
            ("range_role", pa.string()),
            # Appended last: files written before these columns read them as nulls.
            ("subject_id", pa.string()),
            ("subject_text", pa.string()),
            ("period", pa.string()),
            ("period_start", pa.date32()),
            ("period_end", pa.date32()),
            ("period_text", pa.string()),
        ]
    ),
    "rejects": pa.schema(
        [
            ("source_bucket", pa.string()),
            ("source_key", pa.string()),
            ("source_etag", pa.string()),
            ("record_locator", pa.string()),
            ("reason", pa.string()),
            ("detail", pa.string()),
            ("raw_excerpt", pa.string()),
            ("extractor_version", pa.string()),
            ("ingested_at", _TS),
        ]
    ),
    # One row per processed upload: the ledger that proves articles_in = articles_out + rejects.
    "manifests": pa.schema(
        [
            ("source_bucket", pa.string()),
            ("source_key", pa.string()),
            ("source_etag", pa.string()),
            ("source_version", pa.string()),
            ("bytes", pa.int64()),
            ("articles_in", pa.int64()),
            ("articles_out", pa.int64()),
            ("rejects", pa.int64()),
            ("entities", pa.int64()),
            ("figures", pa.int64()),
            ("parts", pa.int32()),
            ("extractor_version", pa.string()),
            ("status", pa.string()),
            ("duration_ms", pa.int64()),
            ("processed_at", _TS),
        ]
    ),
}

SUMMARY_TABLES: dict[str, pa.Schema] = {
    # Nightly summaries (khabar.nightly.local; SQL in shared/khabar/sql/summaries/): one partition per dt.
    "entity_daily": pa.schema(
        [
            ("canonical_id", pa.string()),
            ("entity_type", pa.string()),
            ("display_name", pa.string()),
            ("country_code", pa.string()),
            ("mentions", pa.int64()),
            ("articles", pa.int64()),
            ("sources", pa.int64()),
        ]
    ),
    "figure_daily": pa.schema(
        [
            ("metric", pa.string()),
            ("kind", pa.string()),
            ("unit", pa.string()),
            ("figures", pa.int64()),
            ("articles", pa.int64()),
            ("value_sum", pa.float64()),
            ("value_min", pa.float64()),
            ("value_max", pa.float64()),
            ("value_median", pa.float64()),
            ("top_entities", pa.list_(pa.string())),
        ]
    ),
    "cooccurrence_daily": pa.schema(
        [
            ("canonical_id_a", pa.string()),
            ("canonical_id_b", pa.string()),
            ("articles", pa.int64()),
        ]
    ),
    "source_daily": pa.schema(
        [
            ("source", pa.string()),
            ("articles", pa.int64()),
            ("rejects", pa.int64()),
            ("entities", pa.int64()),
            ("figures", pa.int64()),
        ]
    ),
}

TABLES: dict[str, pa.Schema] = {**LAKE_TABLES, **SUMMARY_TABLES}
# What one upload writes: its data tables (an article's rows and the rejects), then its manifest row.
DATA_TABLES = ("articles", "entities", "figures", "rejects")
UPLOAD_TABLES = (*DATA_TABLES, "manifests")


def schema(table: str) -> pa.Schema:
    try:
        return TABLES[table]
    except KeyError:
        raise KeyError(f"unknown table {table!r}; known: {', '.join(sorted(TABLES))}") from None


def _glue_type(t: pa.DataType) -> str:
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_int32(t):
        return "int"
    if pa.types.is_int64(t):
        return "bigint"
    if pa.types.is_float64(t):
        return "double"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_date32(t):
        return "date"
    if pa.types.is_list(t):
        return f"array<{_glue_type(t.value_type)}>"
    raise TypeError(f"no Glue type for {t}")


def glue_columns(table: str) -> list[tuple[str, str]]:
    """(name, Glue type) for each stored column of `table` (without the `dt` partition)."""
    return [(f.name, _glue_type(f.type)) for f in schema(table)]
