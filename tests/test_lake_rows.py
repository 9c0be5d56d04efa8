"""The one mapping from domain records to lake rows matches the schema, column for column."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
import pytest

from khabar.lake import rows
from khabar.lake.schema import LAKE_TABLES, schema
from khabar.models import Article, Entity, Figure, Ledger, Reject, Upload

AT = datetime(2026, 11, 28, 21, 4, tzinfo=UTC)
UP = Upload("raw", "in/a.jsonl", "etag", "v1", 123, AT)
COMMON = rows.upload_columns(UP, version="0.1.0", ingested_at=AT)

# Every field set (no None), so a NULL in the written table can only come from a missing key.
SAMPLES: dict[str, dict[str, Any]] = {
    "articles": rows.article_row(COMMON, "a1", Article("t", "نص", "src", "2026-11-28", "https://x", "7", "line 1")),
    "entities": rows.entity_row("a1", Entity("الأردن", "LOCATION", "loc:jo", 0, 6, "JO", 2)),
    "figures": rows.figure_row(
        "a1",
        Figure(
            "7 بالمائة",
            "percent",
            7.0,
            "%",
            3,
            12,
            "revenue",
            "up",
            1,
            ["loc:jo"],
            "low",
            "loc:jo",
            "الأردن",
            "2026-Q1",
            date(2026, 1, 1),
            date(2026, 3, 31),
            "الربع الأول",
        ),
    ),
    "rejects": rows.reject_row(COMMON, Reject("line 4", "undecodable", "bad bytes", "\\xff")),
    "manifests": rows.manifest_row(
        UP, Ledger(4, 3, 1, 9, 6, 1, "ok", 12, "2026-11-28"), version="0.1.0", processed_at=AT
    ),
}


@pytest.mark.parametrize("table", list(LAKE_TABLES))
def test_each_row_has_exactly_the_schema_columns(table: str) -> None:
    row = SAMPLES[table]
    assert sorted(row) == sorted(schema(table).names)
    data = pa.Table.from_pylist([row], schema=schema(table))
    assert {c: data.column(c).null_count for c in data.column_names} == dict.fromkeys(data.column_names, 0)


def test_table_groups_are_lake_tables() -> None:
    assert set(rows.UPLOAD_TABLES) == set(LAKE_TABLES)
    assert rows.UPLOAD_TABLES[-1] == "manifests" and "manifests" not in rows.DATA_TABLES


def test_rejects_are_truncated() -> None:
    row = rows.reject_row(COMMON, Reject("line 1", "too_large", "d" * 5000, "r" * 5000))
    assert (len(row["detail"]), len(row["raw_excerpt"])) == (1000, 200)
